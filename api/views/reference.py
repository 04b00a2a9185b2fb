"""Reference data, read-only: the fields (lĩnh vực) and the legal grounds.

Neither is confidential; every authenticated member of staff may read them.
"""

from __future__ import annotations

from django.db.models import Q
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework.mixins import ListModelMixin

from api.pagination import UnitPagination
from api.schema import error_responses
from api.serializers.reference import FieldSerializer, LegalGroundSerializer
from api.views.base import StaffAPIView
from feedback.models import Field, LegalGround


class FieldFilter(filters.FilterSet):
    is_active = filters.BooleanFilter()

    class Meta:
        model = Field
        fields = ["is_active"]


class LegalGroundFilter(filters.FilterSet):
    action = filters.CharFilter(
        max_length=32, label="Only the grounds for this workflow action."
    )
    kind = filters.CharFilter(
        method="filter_kind",
        max_length=20,
        label="Only the grounds that apply to this case kind (and to every kind).",
    )

    class Meta:
        model = LegalGround
        fields = ["action", "kind"]

    def filter_kind(self, queryset, name, value):
        return queryset.filter(Q(kind="") | Q(kind=value))


class FieldListView(ListModelMixin, StaffAPIView):
    serializer_class = FieldSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = FieldFilter
    pagination_class = UnitPagination
    queryset = Field.objects.all()

    @extend_schema(
        operation_id="fields_list",
        summary="List fields",
        description="The subject areas (lĩnh vực) a case is filed under.",
        tags=["reference"],
        responses={200: FieldSerializer(many=True), **error_responses(400, 401, 404)},
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)


class LegalGroundListView(ListModelMixin, StaffAPIView):
    serializer_class = LegalGroundSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = LegalGroundFilter
    pagination_class = UnitPagination
    queryset = LegalGround.objects.filter(is_active=True)

    @extend_schema(
        operation_id="legal_grounds_list",
        summary="List legal grounds",
        description=(
            "The legal grounds in use, which `accept`, `return`, `forward` and "
            "`archive` cite by `code`."
        ),
        tags=["reference"],
        responses={
            200: LegalGroundSerializer(many=True),
            **error_responses(400, 401, 404),
        },
    )
    def get(self, request, *args, **kwargs):
        return self.list(request, *args, **kwargs)
