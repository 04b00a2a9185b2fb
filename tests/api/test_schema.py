"""The OpenAPI description: valid, warning-free, complete; docs without CDNs."""

import io
import re

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command

from api.views.actions import url_segment
from feedback import workflow

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(path),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    return path


@pytest.fixture(scope="module")
def schema(schema_file):
    return yaml.safe_load(schema_file.read_text())


def test_the_schema_validates_without_warnings(schema_file):
    assert schema_file.stat().st_size > 10_000


def test_every_workflow_action_is_documented(schema):
    for name in workflow.ACTIONS:
        operation = schema["paths"][f"/api/v1/cases/{{id}}/{url_segment(name)}/"]
        post = operation["post"]
        assert post["operationId"] == f"cases_{name}"
        assert {"200", "400", "403", "404", "409", "412"} <= set(post["responses"])
        assert any(p["name"] == "If-Match" for p in post["parameters"])


def test_enums_come_from_the_models(schema):
    components = schema["components"]["schemas"]
    assert components["CaseKind"]["enum"] == [
        "feedback",
        "complaint",
        "denunciation",
        "voter_petition",
        "dialogue_issue",
    ]
    assert "received" in components["CaseStatus"]["enum"]
    assert "hamlet" in components["UnitKind"]["enum"]
    assert set(components["WorkflowAction"]["enum"]) == set(workflow.ACTIONS)
    assert "" in components["OutcomeOrBlank"]["enum"]


def test_errors_share_one_documented_shape(schema):
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"code", "message", "fields"}
    for path, item in schema["paths"].items():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Error"), (path, status)


def test_patch_documents_the_reason_as_required(schema):
    body = schema["components"]["schemas"]["PatchedCaseUpdateRequest"]
    assert body["required"] == ["reason"]


def test_the_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3.0.3" in response.content


def test_the_docs_page_loads_nothing_from_elsewhere(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    # The set-up script is a file of its own (no inline script under the CSP).
    assert 'src="/api/docs/?script="' in page
    script = client.get("/api/docs/", {"script": ""})
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//""", page)
    assert external == []


def test_with_the_sidecar_the_docs_are_swagger_ui_from_local_files(client, monkeypatch):
    """Once ``drf-spectacular-sidecar`` is installed (and in INSTALLED_APPS),
    the page is Swagger UI whose assets are this site's static files."""
    is_installed = apps.is_installed
    monkeypatch.setattr(
        apps,
        "is_installed",
        lambda name: name == "drf_spectacular_sidecar" or is_installed(name),
    )
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert re.findall(r"""(?:src|href)=["'](?:https?:)?//""", page) == []
    assert "cdn" not in page.lower()


def test_the_served_schema_speaks_the_requests_language(client):
    response = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="en")
    paths = response.json()["paths"]
    assert paths["/api/v1/cases/{id}/accept/"]["post"]["summary"] == "Accept"
