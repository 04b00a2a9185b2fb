"""Admin for the case core.

Cases, parties, events and attachments cannot be deleted (NĐ 55/2022): the
admin offers no delete, and a case's workflow fields are read-only here —
they change only through the workflow services.  Lists are scoped with
``cases_visible_to`` and a denouncer's identity is masked for whoever may
not see it.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from feedback import accounts, permissions
from feedback.models import (
    Attachment,
    CalendarException,
    Case,
    CaseEvent,
    DeadlinePolicy,
    Field,
    Membership,
    Party,
    Unit,
    UserSession,
)
from feedback.presentation import mask_name, masked_party_value
from feedback.services.identity import identity_reveal_record


class NoDeleteMixin:
    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Unit)
class UnitAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["indented_name", "code", "kind", "is_active", "is_remote_area"]
    list_filter = ["kind", "is_active", "is_remote_area"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj):
        return format_html(
            '<span style="padding-left:{}em">{}</span>', obj.depth * 1.5, obj.name
        )


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__kind"]
    search_fields = ["user__username", "user__last_name", "unit__name"]
    autocomplete_fields = ["user", "unit"]


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "code"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(SimpleHistoryAdmin):
    list_display = [
        "kind",
        "stage",
        "variant",
        "days",
        "day_unit",
        "extension_days",
        "max_extensions",
        "valid_from",
        "valid_to",
        "legal_basis",
    ]
    list_filter = ["kind", "stage", "day_unit"]
    search_fields = ["kind", "stage", "legal_basis"]


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "reason"]
    list_filter = ["kind"]
    date_hierarchy = "date"


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PartyInline(ReadOnlyInline):
    model = Party
    fields = ["role", "shown_name", "shown_national_id", "shown_phone", "shown_address"]
    readonly_fields = fields

    def _value(self, obj, name):
        return masked_party_value(self.request_user, obj, name)

    def get_formset(self, request, obj=None, **kwargs):
        self.request_user = request.user
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("full name"))
    def shown_name(self, obj):
        return self._value(obj, "full_name")

    @admin.display(description=_("ID number"))
    def shown_national_id(self, obj):
        return self._value(obj, "national_id")

    @admin.display(description=_("phone number"))
    def shown_phone(self, obj):
        return self._value(obj, "phone")

    @admin.display(description=_("address"))
    def shown_address(self, obj):
        return self._value(obj, "address")


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = [
        "created_at",
        "kind",
        "action",
        "from_status",
        "to_status",
        "text",
        "is_public",
        "author",
    ]
    readonly_fields = fields
    ordering = ["created_at", "id"]
    verbose_name_plural = _("timeline")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "is_confidential", "created_at"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = [
        "display_code",
        "title",
        "kind",
        "status",
        "responsible_unit",
        "received_at",
        "stage_due_on",
        "final_due_on",
    ]
    list_filter = [
        "kind",
        "status",
        "channel",
        "field",
        "is_mass",
        "is_prolonged",
        "is_hot_spot",
        "is_complex",
        ("responsible_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["code", "title"]
    date_hierarchy = "received_at"
    list_select_related = ["responsible_unit"]
    inlines = [PartyInline, CaseEventInline, AttachmentInline]
    readonly_fields = [
        "display_code",
        "kind",
        "channel",
        "field",
        "title",
        "content",
        "location_unit",
        "location_text",
        "received_at",
        "responsible_unit",
        "assignee",
        "created_by",
        "status",
        "stage",
        "stage_due_on",
        "final_due_on",
        "accepted_at",
        "resolved_at",
        "closed_at",
        "extensions",
        "is_complex",
        "is_mass",
        "is_prolonged",
        "is_hot_spot",
        "is_anonymous",
        "is_second_time",
        "petitioner_count",
        "duplicate_of",
        "previous_case",
        "transferred_from",
        "outcome",
        "decision_number",
        "decision_date",
        "public_answer",
        "satisfaction",
        "version",
    ]
    exclude = ["pin_hash"]

    def get_queryset(self, request):
        return permissions.cases_visible_to(request.user).select_related(
            "responsible_unit"
        )

    def has_add_permission(self, request):
        # Cases are logged through the reception services, which issue the
        # tracking code, the PIN and the deadlines.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return permissions.can_view_case(request.user, obj)

    @admin.display(description=_("tracking code"), ordering="code")
    def display_code(self, obj):
        return obj.display_code

    def changeform_view(self, request, object_id=None, *args, **kwargs):
        response = super().changeform_view(request, object_id, *args, **kwargs)
        # The parties' inline shows a denouncer to whoever is entitled: the
        # showing is audited like on the staff case page.
        if object_id is not None and response.status_code == 200:
            case = self.get_queryset(request).filter(pk=object_id).first()
            if case is not None:
                identity_reveal_record(user=request.user, case=case, context="admin")
        return response


class NoEditAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Party)
class PartyAdmin(NoEditAdmin):
    list_filter = ["role"]
    exclude = ["full_name", "national_id", "phone", "email", "address"]

    def get_queryset(self, request):
        return Party.objects.filter(
            case__in=permissions.cases_visible_to(request.user)
        ).select_related("case", "case__responsible_unit")

    @staticmethod
    def _name_column(request, *, listing: bool):
        """The name as ``request.user`` may see it. Lists never name a
        denouncer; one party's page does, to the entitled (and the showing
        is audited).  Bound to the request: the admin instance is shared by
        every request and thread, so it must hold no user of its own."""

        @admin.display(description=_("full name"))
        def shown_name(obj):
            if listing and obj.reveals_denouncer:
                return mask_name(obj.full_name)
            if permissions.can_see_identity(request.user, obj.case):
                return obj.full_name
            return mask_name(obj.full_name)

        return shown_name

    def get_list_display(self, request):
        return [self._name_column(request, listing=True), "role", "case"]

    def get_readonly_fields(self, request, obj=None):
        return ["case", "role", self._name_column(request, listing=False)]

    def changeform_view(self, request, object_id=None, *args, **kwargs):
        response = super().changeform_view(request, object_id, *args, **kwargs)
        party = self.get_queryset(request).filter(pk=object_id).first()
        shown = response.status_code == 200 and party is not None
        if shown and party.reveals_denouncer:
            identity_reveal_record(user=request.user, case=party.case, context="admin")
        return response

    def history_view(self, request, object_id, extra_context=None):
        # Party history holds identities in clear; only the entitled see it.
        party = self.get_queryset(request).filter(pk=object_id).first()
        if party is None or not permissions.can_see_identity(request.user, party.case):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        response = super().history_view(request, object_id, extra_context)
        identity_reveal_record(
            user=request.user, case=party.case, context="admin_history", history=True
        )
        return response


@admin.register(CaseEvent)
class CaseEventAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["case", "kind", "action", "to_status", "author", "created_at"]
    list_filter = ["kind", "action", "is_public"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return CaseEvent.objects.filter(
            case__in=permissions.cases_visible_to(request.user)
        ).select_related("case", "author")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(NoEditAdmin):
    list_display = ["original_name", "case", "content_type", "size", "created_at"]
    exclude = ["file"]

    def get_queryset(self, request):
        return Attachment.objects.filter(
            case__in=permissions.cases_visible_to(request.user)
        ).select_related("case")


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    """Where each member of staff is logged in; administrators end sessions
    here (a lost laptop, a departure). Lock-outs are under "Axes"."""

    list_display = ("user", "created_at", "last_seen_at", "ip_address", "user_agent")
    list_filter = ("created_at",)
    search_fields = ("user__username", "ip_address")
    list_select_related = ("user",)
    exclude = ("session_key",)
    readonly_fields = ("user", "created_at", "last_seen_at", "ip_address", "user_agent")
    actions = ["end_sessions", "log_users_out_everywhere", "reset_two_factor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_end_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description=_("Log out of the selected sessions"), permissions=["end"]
    )
    def end_sessions(self, request, queryset):
        ended = sum(
            accounts.user_sessions_end(user=row.user, session_id=row.pk)
            for row in queryset
        )
        self.message_user(request, _("%(count)s sessions ended.") % {"count": ended})

    @admin.action(description=_("Log these users out everywhere"), permissions=["end"])
    def log_users_out_everywhere(self, request, queryset):
        users = {row.user for row in queryset}
        ended = sum(accounts.user_sessions_end(user=user) for user in users)
        self.message_user(request, _("%(count)s sessions ended.") % {"count": ended})

    @admin.action(
        description=_("Reset two-factor log-in (lost phone) and log out everywhere"),
        permissions=["end"],
    )
    def reset_two_factor(self, request, queryset):
        users = {row.user for row in queryset}
        for user in users:
            accounts.two_factor_reset(user=user)
        self.message_user(
            request,
            _(
                "Two-factor log-in reset for %(count)s users; they enrol again at "
                "their next log-in."
            )
            % {"count": len(users)},
        )


admin.site.site_header = _("Lắng Nghe — administration")
admin.site.site_title = _("Lắng Nghe")
admin.site.index_title = _("Cases, units and deadlines")

import feedback.admin_automation  # noqa: E402, F401 - registers the automation admin
