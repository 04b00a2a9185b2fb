"""Admin of the reports app.

Report settings (heading, signer, recipients, data windows) are edited here,
one row per period of validity. Submitted reports and export jobs are
read-only: a submitted report is a record that nobody changes or deletes.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from reports.models import ExportJob, ReportRecipient, ReportSettings, SubmittedReport
from reports.services import report_settings_overlaps


class ReportRecipientInline(admin.TabularInline):
    model = ReportRecipient
    extra = 1
    fields = ["position", "name", "purpose", "is_addressee"]


class ReportSettingsForm(forms.ModelForm):
    class Meta:
        model = ReportSettings
        fields = [
            "unit",
            "valid_from",
            "valid_to",
            "parent_body",
            "issuing_body",
            "symbol",
            "place",
            "signer_authority",
            "signer_position",
            "signer_name",
            "quarter_window",
            "half_year_window",
            "nine_months_window",
            "year_window",
        ]

    def clean(self):
        cleaned = super().clean()
        unit = cleaned.get("unit")
        if unit is not None and report_settings_overlaps(
            unit=unit,
            valid_from=cleaned.get("valid_from"),
            valid_to=cleaned.get("valid_to"),
            exclude_id=self.instance.pk,
        ):
            self.add_error(
                "valid_from",
                _(
                    "Another settings row of this unit is valid on some of these "
                    "days; end it first."
                ),
            )
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date is before the start date."))
        return cleaned


@admin.register(ReportSettings)
class ReportSettingsAdmin(SimpleHistoryAdmin):
    form = ReportSettingsForm
    list_display = ["unit", "valid_from", "valid_to", "issuing_body", "signer_name"]
    list_filter = ["unit__kind"]
    search_fields = ["unit__name", "unit__code", "issuing_body", "signer_name"]
    autocomplete_fields = ["unit"]
    inlines = [ReportRecipientInline]
    fieldsets = [
        (None, {"fields": ["unit", ("valid_from", "valid_to")]}),
        (
            _("Heading"),
            {"fields": ["parent_body", "issuing_body", "symbol", "place"]},
        ),
        (
            _("Signature"),
            {"fields": ["signer_authority", "signer_position", "signer_name"]},
        ),
        (
            _("Data windows"),
            {
                "fields": [
                    "quarter_window",
                    "half_year_window",
                    "nine_months_window",
                    "year_window",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        # A row that served past reports is ended with ``valid_to``.
        return False


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


@admin.register(SubmittedReport)
class SubmittedReportAdmin(ReadOnlyAdmin):
    list_display = [
        "unit",
        "kind",
        "period_code",
        "window",
        "submitted_by",
        "submitted_at",
    ]
    list_filter = ["kind", "period_code"]
    search_fields = ["unit__name", "unit__code", "period_code"]
    list_select_related = ["unit", "submitted_by"]
    exclude = ["figures"]
    date_hierarchy = "submitted_at"


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = [
        "requested_by",
        "unit",
        "target",
        "file_format",
        "status",
        "progress",
        "created_at",
    ]
    list_filter = ["status", "file_format", "target"]
    list_select_related = ["unit", "requested_by"]
