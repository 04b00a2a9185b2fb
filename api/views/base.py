"""What every staff endpoint shares: JSON only, token or session auth."""

from __future__ import annotations

from django.utils.cache import patch_cache_control, patch_vary_headers
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.authentication import ApiTokenAuthentication
from api.http import case_etag
from api.serializers.cases import CaseSerializer


class StaffAPIView(GenericAPIView):
    """A staff endpoint.

    Token authentication comes first so that a request without credentials
    is answered 401 with ``WWW-Authenticate: Token`` (DRF answers 403 when
    the first authenticator offers no challenge, as sessions do).
    """

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    filter_backends: list = []
    pagination_class = None
    # OPTIONS is not part of the API (405), rather than DRF's metadata.
    metadata_class = None

    def finalize_response(self, request, response, *args, **kwargs):
        # Answers may hold a denouncer's identity: no shared or disk caches.
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True, no_store=True)
        patch_vary_headers(response, ["Authorization"])
        return response


def case_response(request, case, *, status=200, data=None, headers=None) -> Response:
    """A case in full, with its ``ETag``."""
    if data is None:
        data = CaseSerializer(case, context={"request": request}).data
    return Response(
        data,
        status=status,
        headers={"ETag": case_etag(case.version), **(headers or {})},
    )
