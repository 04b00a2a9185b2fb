"""Log-in for API clients and their tokens.

``POST auth/token/`` exchanges a username and password (and, for users with
two-factor log-in, a code) for a new token; ``auth/tokens/`` lists, creates
and revokes tokens.  The account page ``/tai-khoan/ma-api/`` (``token_page``)
does the same for people, in the browser.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.mixins import ListModelMixin
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import InvalidCredentials
from api.pagination import PageNumberPagination
from api.schema import error_responses
from api.serializers.auth import (
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from api.services import (
    api_token_create,
    api_token_revoke,
    api_tokens_visible_to,
)
from api.throttles import LoginFailureThrottle
from api.views.base import StaffAPIView
from feedback import accounts
from feedback.errors import DomainError

NEW_KEY_SESSION_KEY = "api_new_token_key"


class AccountLocked(exceptions.APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "account_locked"

    def __init__(self):
        super().__init__(accounts.lockout_message())
        self.wait = int(settings.AXES_COOLOFF_TIME.total_seconds())


class SecondFactorRequired(exceptions.AuthenticationFailed):
    default_detail = gettext_lazy(
        "This account logs in with two factors: send the code from the "
        "authenticator app in the otp field."
    )
    default_code = "otp_required"


class InvalidSecondFactor(exceptions.AuthenticationFailed):
    default_detail = gettext_lazy("The second-factor code is not right.")
    default_code = "invalid_otp"


class EnrolmentRequired(exceptions.PermissionDenied):
    default_detail = gettext_lazy(
        "Two-factor log-in is required for this account: set it up on the "
        "account page first."
    )
    default_code = "otp_enrolment_required"


class TokenObtainView(APIView):
    """Exchange a username and password (and code) for a new API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginFailureThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    metadata_class = None

    def get_authenticate_header(self, request):
        # Wrong credentials are a 401, which must name a challenge.
        return 'Token realm="api"'

    @extend_schema(
        operation_id="auth_token_create",
        summary="Obtain an API token",
        description=(
            "Issues a new token, valid `API_TOKEN_TTL_DAYS` days (90 by "
            "default); its key is answered this once. Users with two-factor "
            "log-in (leaders, supervisors, administrators, reception, whoever "
            "may see a denouncer) must also send `otp`. Failed attempts are "
            "limited per client address (`THROTTLE_LOGIN`) and lock the user "
            "name from that address after `AXES_FAILURE_LIMIT` failures for "
            "`AXES_COOLOFF_MINUTES` (429 `account_locked`)."
        ),
        tags=["auth"],
        auth=[],
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **error_responses(400, 401, 403, 429)},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=data["username"],
            password=data["password"],
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                raise AccountLocked()
            LoginFailureThrottle().record_failure(request, self)
            raise InvalidCredentials()
        self._check_second_factor(request, user, data.get("otp", ""))
        token, key = api_token_create(
            owner=user, name=data.get("name") or _("API log-in")
        )
        return Response(
            TokenSerializer(
                {
                    "token": key,
                    "id": token.pk,
                    "name": token.name,
                    "expires_at": token.expires_at,
                }
            ).data
        )

    def _check_second_factor(self, request, user, otp: str) -> None:
        enrolled = accounts.totp_device_of(user) is not None
        if not enrolled:
            if accounts.two_factor_required(user):
                raise EnrolmentRequired()
            return
        if not otp:
            raise SecondFactorRequired()
        if accounts.second_factor_match(user, token=otp) is not None:
            return
        django_request = request._request
        user_login_failed.send(
            sender=__name__,
            credentials={"username": user.get_username()},
            request=django_request,
        )
        LoginFailureThrottle().record_failure(request, self)
        if getattr(django_request, "axes_locked_out", False):
            raise AccountLocked()
        raise InvalidSecondFactor()


OWNER_PARAMETER = OpenApiParameter(
    name="owner",
    type=str,
    enum=["all"],
    required=False,
    description="`all`: every user's tokens (administrators only).",
)


class ApiTokenListView(ListModelMixin, StaffAPIView):
    serializer_class = ApiTokenSerializer
    pagination_class = PageNumberPagination

    def get_queryset(self):
        return api_tokens_visible_to(
            self.request.user, everyone=self.request.query_params.get("owner") == "all"
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    @extend_schema(
        operation_id="auth_tokens_list",
        summary="List API tokens",
        description=(
            "The caller's tokens (never their keys), newest first; "
            "administrators add `owner=all` for everyone's."
        ),
        tags=["auth"],
        parameters=[OWNER_PARAMETER],
        responses={
            200: ApiTokenSerializer(many=True),
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)

    @extend_schema(
        operation_id="auth_tokens_create",
        summary="Create an API token",
        description="A new token of the caller; its key is answered this once.",
        tags=["auth"],
        request=ApiTokenCreateSerializer,
        responses={201: TokenSerializer, **error_responses(400, 401)},
    )
    def post(self, request, *args, **kwargs):
        serializer = ApiTokenCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = api_token_create(owner=request.user, **serializer.validated_data)
        data = {
            "token": key,
            "id": token.pk,
            "name": token.name,
            "expires_at": token.expires_at,
        }
        return Response(TokenSerializer(data).data, status=status.HTTP_201_CREATED)


class ApiTokenDetailView(StaffAPIView):
    @extend_schema(
        operation_id="auth_tokens_revoke",
        summary="Revoke an API token",
        description=(
            "Its owner or an administrator may; the token stops working at "
            "once. Another user's token is a 404."
        ),
        tags=["auth"],
        request=None,
        responses={204: None, **error_responses(401, 404)},
    )
    def delete(self, request, pk):
        api_token_revoke(token_id=pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --------------------------------------------------------------------------
# The account page for API tokens
# --------------------------------------------------------------------------


@login_required
def token_page(request):
    """The user's tokens; a form to create one (its key shown once)."""
    errors = {}
    if request.method == "POST":
        days = request.POST.get("days") or None
        try:
            token, key = api_token_create(
                owner=request.user,
                name=request.POST.get("name", ""),
                days=int(days) if days and days.isdigit() else None,
            )
        except DomainError as error:
            errors = error.fields
        else:
            request.session[NEW_KEY_SESSION_KEY] = {"id": token.pk, "key": key}
            return redirect("account-api-tokens")
    now = timezone.now()
    tokens = [
        {"token": token, "active": token.is_active_at(now)}
        for token in api_tokens_visible_to(request.user)
    ]
    return render(
        request,
        "account/tokens.html",
        {
            "tokens": tokens,
            "new_key": request.session.pop(NEW_KEY_SESSION_KEY, None),
            "errors": errors,
            "default_days": settings.API_TOKEN_TTL_DAYS,
            "posted": request.POST,
        },
    )


@login_required
@require_POST
def token_page_revoke(request, pk):
    try:
        api_token_revoke(token_id=pk, actor=request.user)
    except DomainError:
        messages.error(request, _("No such token."))
    else:
        messages.success(request, _("The token is revoked: it no longer works."))
    return redirect("account-api-tokens")
