"""Admin for the reception register: read-only, scoped, without names.

Register rows are written at the desk (``petitions.services``) and never
deleted; the admin shows them to those who may read the register, and the
visitors only where ``can_see_visit_identity`` allows.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from petitions import permissions
from petitions.models import ReceptionVisit, VisitCase, VisitPerson


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VisitPersonInline(ReadOnlyMixin, admin.TabularInline):
    model = VisitPerson
    extra = 0
    fields = ["position", "is_representative", "full_name", "national_id", "phone"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("visit", "visit__unit")

    def has_view_permission(self, request, obj=None):
        if obj is not None and not permissions.can_see_visit_identity(
            request.user, obj
        ):
            return False
        return super().has_view_permission(request, obj)


class VisitCaseInline(ReadOnlyMixin, admin.TabularInline):
    model = VisitCase
    extra = 0
    fields = ["case", "created_at"]
    readonly_fields = ["case", "created_at"]


@admin.register(ReceptionVisit)
class ReceptionVisitAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = [
        "number",
        "year",
        "visited_at",
        "unit",
        "kind",
        "visitor_count",
        "is_mass",
        "outcome",
    ]
    list_filter = ["kind", "outcome", "is_mass", "year"]
    date_hierarchy = "visited_at"
    list_select_related = ["unit"]
    inlines = [VisitPersonInline, VisitCaseInline]
    exclude = ["cases"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(permissions.visit_visibility_condition(request.user))
        )
