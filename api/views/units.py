"""The organisation tree, read-only.

Every authenticated member of staff may read the whole tree: a public body's
organisation chart is public information, and staff need units outside their
own to transfer cases and to log them for other offices and hamlets.  Which
*cases* they see is still decided by ``cases_visible_to``.
"""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.mixins import ListModelMixin, RetrieveModelMixin

from api.filters import UnitFilter
from api.pagination import UnitPagination
from api.schema import error_responses
from api.serializers.units import UnitSerializer
from api.views.base import StaffAPIView
from feedback.models import Unit


class UnitListView(ListModelMixin, StaffAPIView):
    serializer_class = UnitSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = UnitFilter
    pagination_class = UnitPagination
    queryset = Unit.objects.order_by("path")

    @extend_schema(
        operation_id="units_list",
        summary="List units",
        description="The organisation tree in path order (parents before children).",
        tags=["units"],
        responses={200: UnitSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class UnitDetailView(RetrieveModelMixin, StaffAPIView):
    serializer_class = UnitSerializer
    queryset = Unit.objects.all()

    @extend_schema(
        operation_id="units_retrieve",
        summary="One unit",
        tags=["units"],
        responses={200: UnitSerializer, **error_responses(401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return self.retrieve(request, *args, **kwargs)
