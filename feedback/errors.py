"""The domain's one error vocabulary.

Every refusal carries a stable ``code`` that the API maps to an HTTP status
and the pages show as a message; ``fields`` holds per-field messages.
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    default_message = _("The request cannot be carried out.")

    def __init__(self, message=None, *, code=None, fields=None, **extra):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        self.extra = extra
        super().__init__(str(self.message))


class InvalidInputError(DomainError):
    code = "invalid"
    default_message = _("The data is not valid.")


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class NotFoundError(DomainError):
    code = "not_found"
    default_message = _("Not found.")


class InvalidTransitionError(DomainError):
    """The case's state does not allow the action; ``allowed`` says what does."""

    code = "invalid_transition"
    default_message = _("The case's current status does not allow this action.")

    def __init__(self, message=None, *, allowed=(), **kwargs):
        super().__init__(message, **kwargs)
        self.allowed = list(allowed)


class ConflictError(DomainError):
    code = "conflict"
    default_message = _(
        "Someone else has just updated this case. Please reload the page and try again."
    )
