"""Property-based run of the whole OpenAPI description against the app.

Schemathesis generates requests for every operation from ``/api/schema/``
(valid and invalid ones), sends them through WSGI as a supervisor holding a
token, and checks that nothing answers 5xx and that every answer — status,
content type, headers, body — is what the schema says.  Examples per
operation are kept small so the run stays well under a minute.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.services import api_token_create
from config.wsgi import application
from feedback.services.cases import case_transition
from tests.factories import make_case

MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Loaded once at collection: generating the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.config.generation.update(max_examples=MAX_EXAMPLES)


@pytest.fixture
def supervisor_token(db, commune):
    """A supervisor's token, and a few cases for the requests to hit.

    Django closes "old" connections around each WSGI request; inside the
    test's transaction that would drop it, so those handlers are paused for
    the run (as Django's own test client does).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    for index in range(5):
        case = make_case(
            actor=commune.reception,
            unit=commune.office,
            kind=("denunciation", "complaint", "feedback")[index % 3],
        ).case
        if index % 2:
            case_transition(
                case_id=case.pk,
                action="accept",
                actor=commune.leader,
                data={"legal_ground": "competent"},
            )
    _token, key = api_token_create(owner=commune.supervisor, name="schemathesis")
    yield key
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_the_api_keeps_its_schema(case, supervisor_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {supervisor_token}"}, checks=CHECKS
    )
