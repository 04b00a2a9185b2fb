"""Admin for meetings, their items and the meeting rules.

Meetings and items are shown read-only, scoped with ``meetings_visible_to``:
they change through the pages and the API, which go through the services
(transitions, conversions into cases).  Only a meeting that never took place
(planned or cancelled, with no items) may be deleted here; held and reported
meetings and every item are records and are never deleted.  The rules
(``MeetingRule``) are data administrators maintain when the law changes.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from dialogues import permissions as meeting_permissions
from dialogues.models import (
    Meeting,
    MeetingEvent,
    MeetingItem,
    MeetingRule,
    MeetingStatus,
)

DELETABLE_STATUSES = frozenset({MeetingStatus.PLANNED, MeetingStatus.CANCELLED})


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MeetingItemInline(ReadOnlyInline):
    model = MeetingItem
    fields = ["number", "title", "field", "outcome", "case", "is_hot_spot"]
    readonly_fields = fields
    ordering = ["number"]


class MeetingEventInline(ReadOnlyInline):
    model = MeetingEvent
    fields = ["created_at", "action", "from_status", "to_status", "text", "author"]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    verbose_name_plural = _("log")


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = [
        "topic",
        "kind",
        "status",
        "organiser_unit",
        "starts_at",
        "actual_attendance",
    ]
    list_filter = [
        "kind",
        "status",
        ("organiser_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["topic", "place"]
    date_hierarchy = "starts_at"
    list_select_related = ["organiser_unit"]
    inlines = [MeetingItemInline, MeetingEventInline]
    exclude = ["minutes_file"]

    def get_readonly_fields(self, request, obj=None):
        return [
            field.name
            for field in self.model._meta.get_fields()
            if field.concrete and field.name != "minutes_file"
        ]

    def get_queryset(self, request):
        return meeting_permissions.meetings_visible_to(request.user).select_related(
            "organiser_unit"
        )

    def has_add_permission(self, request):
        # Meetings are planned on the pages, which check the rules.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return meeting_permissions.can_view_meeting(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return False
        return (
            obj.status in DELETABLE_STATUSES
            and not obj.items.exists()
            and meeting_permissions.can_edit_meeting(request.user, obj)
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(MeetingItem)
class MeetingItemAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "meeting", "field", "outcome", "is_hot_spot"]
    list_filter = ["outcome", "is_hot_spot", "raised_by", "field"]
    search_fields = ["title"]
    list_select_related = ["meeting", "field"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.get_fields() if field.concrete]

    def get_queryset(self, request):
        return MeetingItem.objects.filter(
            meeting__in=meeting_permissions.meetings_visible_to(request.user)
        ).select_related("meeting", "field")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return meeting_permissions.can_view_meeting(request.user, obj.meeting)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(MeetingRule)
class MeetingRuleAdmin(SimpleHistoryAdmin):
    list_display = [
        "description",
        "meeting_kind",
        "rule_type",
        "period",
        "minimum",
        "notice_days",
        "severity",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["meeting_kind", "rule_type", "severity"]
    search_fields = ["code", "description", "legal_basis"]
