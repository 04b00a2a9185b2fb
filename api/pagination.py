"""Page-number pagination: ``?page=`` and ``?page_size=`` (at most 100)."""

from django.core.paginator import InvalidPage
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from feedback.selectors.cases import list_rows, page_ids


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
    """Pages of cases read as plain values with their related rows
    (``feedback.selectors.cases.list_rows``): the page's ids are found from
    the indexes alone (``page_ids``) in a subquery of the one query that reads
    the rows, rather than one query joining every matching case before the
    limit; no model instance is built."""

    def paginate_queryset(self, queryset, request, view=None):
        # DRF's, but the page's ids stay a query (DRF reads them at once).
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(page_ids(queryset), page_size)
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(
                self.invalid_page_message.format(
                    page_number=page_number, message=str(exc)
                )
            ) from None
        page = list_rows(queryset, self.page.object_list)
        self.page.object_list = page.rows
        return page
