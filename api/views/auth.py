"""Log-in for API clients: username and password for a token."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import InvalidCredentials
from api.schema import error_responses
from api.serializers.auth import TokenRequestSerializer, TokenSerializer
from api.services import token_for
from api.throttles import LoginFailureThrottle


class TokenObtainView(APIView):
    """Exchange a username and password for the user's API token."""

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
            "Answers the user's token (the same one until it is revoked). "
            "Failed attempts are limited per client address (`THROTTLE_LOGIN`, "
            "10 a minute by default); past the limit every attempt is a 429."
        ),
        tags=["auth"],
        auth=[],
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, **error_responses(400, 401, 429)},
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None:
            LoginFailureThrottle().record_failure(request, self)
            raise InvalidCredentials()
        return Response(TokenSerializer({"token": token_for(user=user)}).data)
