"""Page-number pagination: ``?page=`` and ``?page_size=`` (at most 100)."""

from rest_framework import pagination
from rest_framework.response import Response

from feedback.selectors.cases import page_ids, rows_of


class PageNumberPagination(pagination.PageNumberPagination):
    """Pages of 20 by default; ``page_size`` up to 100; a page past the end
    is a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.page.paginator.count,
                "page": self.page.number,
                "page_size": self.page.paginator.per_page,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "page", "page_size", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0},
                "page": {"type": "integer", "minimum": 1},
                "page_size": {"type": "integer", "minimum": 1, "maximum": 100},
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }


class UnitPagination(PageNumberPagination):
    """A commune's whole tree usually fits one page."""

    page_size = 100


class CasePagination(PageNumberPagination):
    """Pages of cases found by id first (``feedback.selectors.cases.page_ids``),
    then fetched with their related rows: two short queries instead of one
    that joins every matching case before the limit."""

    def paginate_queryset(self, queryset, request, view=None):
        ids = super().paginate_queryset(page_ids(queryset), request, view)
        if ids is None:
            return None
        rows = rows_of(queryset, ids)
        self.page.object_list = rows
        return rows
