"""Admin for the automation tables: reminders, notifications, the outbox.

Imported from ``feedback.admin``.  Nothing here can be deleted (the outbox is
a record of what was said to citizens and staff) or added; the outbox's
dead-letter list is its "failed permanently" filter, with an action to give
a message one more attempt.  Lists are scoped with ``cases_visible_to``, and
the recipient of a message about a denunciation — the denouncer's address or
phone number — is masked for whoever ``can_see_identity`` refuses.
"""

from django.contrib import admin, messages
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from feedback import permissions
from feedback.models import (
    CaseKind,
    Notification,
    OutboxMessage,
    OutboxStatus,
    Reminder,
    Role,
)
from feedback.presentation import MASK
from feedback.services.notifications import outbox_retry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


def _cases_of(request):
    return permissions.cases_visible_to(request.user)


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["case_code", "kind", "stage", "due_on", "sent_at"]
    list_filter = ["kind", "stage"]
    date_hierarchy = "sent_at"
    search_fields = ["case__code"]

    def get_queryset(self, request):
        return Reminder.objects.filter(case__in=_cases_of(request)).select_related(
            "case"
        )

    @admin.display(description=_("tracking code"), ordering="case__code")
    def case_code(self, obj):
        return obj.case.display_code


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """Everyone's notifications for superusers; one's own for other staff."""

    list_display = ["title", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "created_at"
    search_fields = ["title", "recipient__username"]

    def get_queryset(self, request):
        notifications = Notification.objects.select_related("recipient", "case")
        if permissions.is_root(request.user):
            return notifications
        return notifications.filter(recipient=request.user)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "channel",
        "shown_recipient",
        "subject",
        "status",
        "attempts",
        "sent_at",
        "case_code",
    ]
    list_filter = ["status", "channel"]
    date_hierarchy = "created_at"
    # Not the recipient: searching by an address would tell whether a
    # denouncer wrote in.
    search_fields = ["case__code", "subject"]
    fields = [
        "channel",
        "shown_recipient",
        "subject",
        "body",
        "case_code",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "dedupe_key",
    ]
    readonly_fields = fields
    actions = ["retry"]
    change_form_template = "feedback/notifications/admin_outbox_change_form.html"

    def get_queryset(self, request):
        messages_ = OutboxMessage.objects.select_related(
            "case", "case__responsible_unit"
        )
        if permissions.is_root(request.user):
            return messages_
        visible = Q(case__in=_cases_of(request))
        if permissions.has_role(request.user, Role.ADMIN):
            # Digests and other messages about no case: the administrators'.
            visible |= Q(case__isnull=True)
        return messages_.filter(visible)

    def _recipient(self, user, obj) -> str:
        case = obj.case
        if (
            case is not None
            and case.kind == CaseKind.DENUNCIATION
            and not permissions.can_see_identity(user, case)
        ):
            return MASK
        return obj.recipient

    def _label(self, request, object_id) -> dict:
        """The page's title and breadcrumb: the model's ``str`` names the
        recipient, so it is replaced by the masked form."""
        obj = self.get_object(request, object_id) if object_id else None
        if obj is None:
            return {}
        label = f"{obj.get_channel_display()} → {self._recipient(request.user, obj)}"
        return {"subtitle": label, "shown_label": label}

    def changelist_view(self, request, extra_context=None):
        self.request_user = request.user
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        self.request_user = request.user
        extra_context = {**(extra_context or {}), **self._label(request, object_id)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        # Messages are never edited here, so there is no history to show,
        # and the stock page would print the recipient in its breadcrumb.
        return redirect(
            reverse("admin:feedback_outboxmessage_change", args=[object_id])
        )

    @admin.display(description=_("recipient"))
    def shown_recipient(self, obj):
        return self._recipient(self.request_user, obj)

    @admin.display(description=_("tracking code"), ordering="case__code")
    def case_code(self, obj):
        return obj.case.display_code if obj.case_id else ""

    def has_retry_permission(self, request):
        return request.user.has_perm("feedback.change_outboxmessage") or (
            permissions.has_role(request.user, Role.ADMIN)
        )

    @admin.action(
        description=_("Try the selected failed messages once more"),
        permissions=["retry"],
    )
    def retry(self, request, queryset):
        count = outbox_retry(
            message_ids=queryset.filter(
                status__in=[OutboxStatus.DEAD, OutboxStatus.FAILED]
            ).values_list("pk", flat=True)
        )
        self.message_user(
            request,
            _("Messages to be tried again: %(count)s.") % {"count": count},
            messages.SUCCESS,
        )
