"""Template helpers of the meeting pages."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from dialogues.models import ItemOutcome, MeetingStatus, RaisedBy

register = template.Library()

STATUS_CLASSES = {
    MeetingStatus.PLANNED: "",
    MeetingStatus.ANNOUNCED: "soon",
    MeetingStatus.HELD: "soon",
    MeetingStatus.REPORTED: "ok",
    MeetingStatus.CANCELLED: "late",
}


@register.simple_tag
def case_link(case):
    """The case's tracking code, linked to its page when the deployment has
    one (``case-detail``)."""
    if case is None:
        return ""
    try:
        url = reverse("case-detail", args=[case.pk])
    except NoReverseMatch:
        return format_html('<span class="code">{}</span>', case.display_code)
    return format_html('<a class="code" href="{}">{}</a>', url, case.display_code)


@register.filter
def status_class(status):
    return STATUS_CLASSES.get(status, "")


@register.filter
def raiser(item):
    """Who raised an item: "Nguyễn Văn A (Xóm B)" or "Voters of xóm B"."""
    if item.raised_by == RaisedBy.HAMLET_VOTERS and item.raiser_hamlet_id:
        name = item.raiser_hamlet.name
        return _("Voters of %(hamlet)s") % {"hamlet": name[:1].lower() + name[1:]}
    place = item.raiser_address or (
        item.raiser_hamlet.name if item.raiser_hamlet_id else ""
    )
    return f"{item.raiser_name} ({place})" if place else item.raiser_name


@register.filter
def public_raiser(item):
    """Who raised an item, without a person's name: for public pages."""
    if item.raiser_hamlet_id:
        name = item.raiser_hamlet.name
        return _("Voters of %(hamlet)s") % {"hamlet": name[:1].lower() + name[1:]}
    return _("A voter")


@register.filter
def is_answered(item):
    """Answered on the spot, or a case resolved or closed."""
    if item.outcome == ItemOutcome.ANSWERED:
        return True
    return bool(
        item.outcome == ItemOutcome.CASE
        and item.case_id
        and item.case.status in ("resolved", "closed")
    )


def _event_labels():
    from django.utils.translation import gettext_lazy

    return {
        "create": gettext_lazy("Planned"),
        "update": gettext_lazy("Plan changed"),
        "announce": gettext_lazy("Announced"),
        "hold": gettext_lazy("Recorded as held"),
        "record": gettext_lazy("Minutes corrected"),
        "report": gettext_lazy("Reported back"),
        "cancel": gettext_lazy("Cancelled"),
        "add_items": gettext_lazy("Items recorded"),
        "answer": gettext_lazy("Answered on the spot"),
        "convert": gettext_lazy("Items turned into cases"),
        "merge": gettext_lazy("Identical items merged"),
        "unmerge": gettext_lazy("Merge undone"),
        "hot_spot": gettext_lazy("Hot spot flag changed"),
        "publish": gettext_lazy("Results published"),
    }


EVENT_LABELS = _event_labels()


@register.filter
def event_label(event):
    return EVENT_LABELS.get(event.action, event.action)


@register.filter
def kind_label(kind):
    """The label of a meeting kind from its value."""
    from dialogues.models import MeetingKind

    try:
        return MeetingKind(kind).label
    except ValueError:
        return kind
