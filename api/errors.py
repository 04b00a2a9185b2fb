"""One JSON error shape for the whole API.

Whatever refuses a request — a ``DomainError`` from a service, DRF's
validation, authentication, permission, throttling and not-found errors,
Django's ``Http404`` and ``PermissionDenied`` — the answer is::

    {"error": {"code": "...", "message": "...", "fields": {"name": ["..."]}}}

``fields`` maps dotted field paths (``parties.0.phone``) to lists of messages,
``__all__`` holding those about the request as a whole; an illegal transition
(409) adds ``allowed_actions`` inside ``error``.  Messages are in the
request's language (``Accept-Language``; Vietnamese by default).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from feedback.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
)

NON_FIELD_KEY = "__all__"
DRF_NON_FIELD_KEYS = {"non_field_errors", NON_FIELD_KEY}


class PreconditionFailed(exceptions.APIException):
    """``If-Match`` names a version the resource no longer has."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = ConflictError.default_message
    default_code = "precondition_failed"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used for a different request.")
    default_code = "idempotency_key_reused"


class InvalidCredentials(exceptions.AuthenticationFailed):
    default_detail = _("Unable to log in with the username and password given.")
    default_code = "invalid_credentials"


# Most specific first: InvalidTransitionError and ConflictError are checked
# before the generic fallback.
DOMAIN_STATUS = (
    (InvalidTransitionError, status.HTTP_409_CONFLICT),
    (ConflictError, status.HTTP_409_CONFLICT),
    (NotFoundError, status.HTTP_404_NOT_FOUND),
    (PermissionDeniedError, status.HTTP_403_FORBIDDEN),
    (InvalidInputError, status.HTTP_400_BAD_REQUEST),
    (DomainError, status.HTTP_400_BAD_REQUEST),
)


def flatten_fields(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail (or a domain ``fields`` dict) as a flat
    ``{"dotted.path": ["message", ...]}`` mapping."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in DRF_NON_FIELD_KEYS:
                name = prefix or NON_FIELD_KEY
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for path, messages in flatten_fields(value, name).items():
                flat.setdefault(path, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            if detail:
                flat[prefix or NON_FIELD_KEY] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}.{index}" if prefix else str(index)
                for path, messages in flatten_fields(item, name).items():
                    flat.setdefault(path, []).extend(messages)
    else:
        flat[prefix or NON_FIELD_KEY] = [str(detail)]
    return flat


def error_body(code: str, message, fields=None, **extra) -> dict:
    body = {"code": code, "message": str(message), "fields": fields or {}}
    body.update(extra)
    return {"error": body}


def _has_if_match(request) -> bool:
    return request is not None and bool(request.headers.get("If-Match"))


def _domain_response(exc: DomainError, request) -> Response:
    http_status = next(code for cls, code in DOMAIN_STATUS if isinstance(exc, cls))
    code = exc.code
    extra = {}
    if isinstance(exc, ConflictError) and _has_if_match(request):
        # The stale version came from the client's precondition.
        http_status = status.HTTP_412_PRECONDITION_FAILED
        code = PreconditionFailed.default_code
    if isinstance(exc, InvalidTransitionError):
        extra["allowed_actions"] = list(exc.allowed)
    return Response(
        error_body(code, exc.message, flatten_fields(exc.fields), **extra),
        status=http_status,
    )


def exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: every error in the one shape above."""
    request = context.get("request")
    if isinstance(exc, DomainError):
        set_rollback()
        return _domain_response(exc, request)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    # DRF sets WWW-Authenticate and Retry-After; only the body is reshaped.
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            "invalid", InvalidInputError.default_message, flatten_fields(exc.detail)
        )
        return response
    detail = exc.detail
    code = exc.default_code
    if isinstance(detail, exceptions.ErrorDetail) and detail.code:
        code = detail.code
    if isinstance(detail, dict | list):
        response.data = error_body(
            code, exceptions.APIException.default_detail, flatten_fields(detail)
        )
    else:
        response.data = error_body(code, detail)
    return response
