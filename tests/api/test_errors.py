"""One error shape everywhere, in the request's language."""

import pytest
from django.http import Http404
from rest_framework import exceptions

from api.errors import exception_handler, flatten_fields
from feedback.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)
from tests.api.helpers import action_url

pytestmark = pytest.mark.django_db


def assert_error_shape(body):
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message", "fields"} <= set(error)
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    for messages in error["fields"].values():
        assert isinstance(messages, list)
        assert all(isinstance(message, str) for message in messages)


def test_messages_default_to_vietnamese(commune, client_for):
    response = client_for(commune.officer).get("/api/v1/cases/999999/")
    assert response.status_code == 404
    assert_error_shape(response.json())
    assert response.json()["error"]["message"] == "Không tìm thấy vụ việc."


def test_accept_language_en_gives_english(commune, client_for):
    client = client_for(commune.officer, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get("/api/v1/cases/999999/")
    assert response.json()["error"]["message"] == "Case not found."
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("language", "message"),
    [("vi", "Trường này là bắt buộc."), ("en", "This field is required.")],
)
def test_field_messages_follow_the_language(commune, client_for, language, message):
    client = client_for(commune.reception, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/api/v1/cases/", {}, format="json")
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert response.json()["error"]["fields"]["title"] == [message]


def test_domain_field_errors_keep_their_dotted_paths(commune, client_for):
    response = client_for(commune.reception).post(
        "/api/v1/cases/",
        {
            "kind": "feedback",
            "channel": "letter",
            "field": 1,
            "title": "Đèn đường",
            "content": "Hỏng",
            "responsible_unit": commune.office.pk,
            "parties": [],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "parties" in response.json()["error"]["fields"]


def test_an_illegal_transition_is_a_409_with_the_allowed_actions(
    commune, client_for, feedback_case
):
    response = client_for(commune.leader).post(
        action_url(feedback_case, "close"), {}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert_error_shape(body)
    assert body["error"]["code"] == "invalid_transition"
    assert "accept" in body["error"]["allowed_actions"]
    assert "close" not in body["error"]["allowed_actions"]


def test_unknown_api_addresses_are_404s_in_the_error_shape(commune, client_for):
    client = client_for(commune.officer)
    for url in ("/api/v1/nothing/", "/api/v1/cases", "/api/v1/cases/1/fly/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert_error_shape(response.json())
    assert client.post("/api/v1/cases", {}, format="json").status_code == 404


def test_a_method_not_allowed_is_a_405(commune, client_for):
    response = client_for(commune.leader).delete("/api/v1/cases/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_malformed_json_is_a_400(commune, client_for):
    response = client_for(commune.leader).post(
        "/api/v1/cases/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


def test_other_content_types_are_refused(commune, client_for):
    response = client_for(commune.leader).post(
        "/api/v1/cases/", {"title": "x"}, format="multipart"
    )
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (InvalidInputError(fields={"title": "Bad"}), 400, "invalid"),
        (PermissionDeniedError(), 403, "permission_denied"),
        (NotFoundError(), 404, "not_found"),
        (InvalidTransitionError(allowed=["note"]), 409, "invalid_transition"),
        (ConflictError(), 409, "conflict"),
        (DomainError(code="something"), 400, "something"),
        (Http404(), 404, "not_found"),
        (exceptions.Throttled(wait=7), 429, "throttled"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
    ],
)
def test_every_error_maps_to_its_status(rf, error, status, code):
    request = rf.get("/api/v1/cases/")
    response = exception_handler(error, {"request": request})
    if isinstance(error, exceptions.NotAuthenticated):
        # DRF's view turns it into a 403 when there is no challenge; the
        # staff views have one (see test_auth), the handler keeps 401.
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == status
    assert response.data["error"]["code"] == code
    assert_error_shape(response.data)


def test_a_conflict_from_if_match_is_a_412(rf):
    request = rf.post("/api/v1/cases/1/accept/", HTTP_IF_MATCH='"1"')
    response = exception_handler(ConflictError(), {"request": request})
    assert response.status_code == 412
    assert response.data["error"]["code"] == "precondition_failed"


def test_flatten_fields_handles_nested_and_list_errors():
    detail = {
        "title": ["Required."],
        "parties": [{}, {"phone": ["Bad phone."]}],
        "non_field_errors": ["Whole request."],
        "tags": {"0": ["Bad tag."]},
    }
    assert flatten_fields(detail) == {
        "title": ["Required."],
        "parties.1.phone": ["Bad phone."],
        "__all__": ["Whole request."],
        "tags.0": ["Bad tag."],
    }
    assert flatten_fields({"value": "One message"}) == {"value": ["One message"]}
    assert flatten_fields(["Plain"]) == {"__all__": ["Plain"]}
