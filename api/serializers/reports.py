"""Shapes of the report endpoints: the query they accept, the statistics and
the export jobs they answer.

The figures and their definitions are those of ``reports.statistics`` (see its
module docstring); these serializers only describe and render them.
"""

from __future__ import annotations

from rest_framework import serializers

from api.schema import EnumField
from reports.files import SUMMARY_FORMATS
from reports.models import ExportFormat, ExportStatus
from reports.periods import Window
from reports.sources import MEETING_FIGURES, RECEPTION_FIGURES
from reports.statistics import FIGURES, RATES

PERIOD_HELP = (
    "`2024-Q1` … `2024-Q4`, `2024-H1`, `2024-H2`, `2024-9M`, `2024`, or a range "
    "of days `2024-01-01..2024-03-31` (both ends included)."
)


class ReportQuerySerializer(serializers.Serializer):
    """Which unit and period."""

    period = serializers.CharField(max_length=40, help_text=PERIOD_HELP)
    unit = serializers.CharField(
        max_length=40,
        required=False,
        help_text="The unit's code; default: the highest unit you may read.",
    )
    window = EnumField(
        Window.CHOICES,
        enum_name="ReportWindow",
        required=False,
        help_text=(
            "`calendar` months or the `cutoff` window 15th–14th (NĐ 09/2019 "
            "Art. 12); default: what the unit's report settings choose."
        ),
    )


class ReportExportQuerySerializer(ReportQuerySerializer):
    format = EnumField(
        [
            (value, label)
            for value, label in ExportFormat.choices
            if value in SUMMARY_FORMATS
        ],
        enum_name="ReportExportFormat",
        help_text="`docx` is the draft of the mass-mobilisation report.",
    )


def _figures_serializer() -> type[serializers.Serializer]:
    fields = {
        figure.key: serializers.IntegerField(min_value=0, help_text=str(figure.label))
        for figure in FIGURES
    }
    return type("ReportFiguresSerializer", (serializers.Serializer,), fields)


def _rates_serializer() -> type[serializers.Serializer]:
    fields = {
        key: serializers.FloatField(
            allow_null=True, help_text=f"{label} (%); null when nothing to divide."
        )
        for key, label in RATES
    }
    return type("ReportRatesSerializer", (serializers.Serializer,), fields)


ReportFiguresSerializer = _figures_serializer()
ReportRatesSerializer = _rates_serializer()


class ReportRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="The kind, field code, channel or unit code of the row."
    )
    label = serializers.CharField()
    figures = ReportFiguresSerializer()
    rates = ReportRatesSerializer()


class ReportUnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ReportPeriodSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=PERIOD_HELP)
    window = serializers.CharField(
        allow_blank=True, help_text="`calendar`, `cutoff`, or blank for a range."
    )
    label = serializers.CharField()
    start = serializers.DateField(help_text="First day, included.")
    end = serializers.DateField(help_text="Last day, included.")


def _plain_serializer(name: str, figures) -> type[serializers.Serializer]:
    fields = {
        key: serializers.IntegerField(min_value=0, help_text=str(label))
        for key, label in figures
    }
    return type(name, (serializers.Serializer,), fields)


ReceptionFiguresSerializer = _plain_serializer(
    "ReceptionFiguresSerializer", RECEPTION_FIGURES
)
MeetingFiguresSerializer = _plain_serializer(
    "MeetingFiguresSerializer", MEETING_FIGURES
)


class MeetingRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The kind of meeting.")
    label = serializers.CharField()
    figures = MeetingFiguresSerializer()


class MeetingsSerializer(serializers.Serializer):
    rows = MeetingRowSerializer(many=True)
    total = MeetingFiguresSerializer()


class ReportSummarySerializer(serializers.Serializer):
    """The statistics of a unit (with its subtree) for a period."""

    unit = ReportUnitSerializer()
    period = ReportPeriodSerializer()
    as_of = serializers.DateField(help_text="The day on which overdue is judged.")
    total = ReportRowSerializer()
    by_kind = ReportRowSerializer(many=True)
    by_field = ReportRowSerializer(many=True)
    by_channel = ReportRowSerializer(many=True)
    by_unit = ReportRowSerializer(
        many=True,
        help_text="One row per direct sub-unit (with its subtree), then the "
        "unit's own cases.",
    )
    reception = ReceptionFiguresSerializer(
        allow_null=True, help_text="Null when the reception register is not installed."
    )
    meetings = MeetingsSerializer(
        allow_null=True, help_text="Null when meetings are not installed."
    )


class ExportJobSerializer(serializers.Serializer):
    """A large export prepared by the worker."""

    id = serializers.IntegerField()
    status = EnumField(ExportStatus.choices, enum_name="ExportStatus")
    progress = serializers.IntegerField(min_value=0, max_value=100)
    format = serializers.CharField(source="file_format")
    error = serializers.CharField(allow_blank=True)
    url = serializers.CharField(help_text="This job's status.")
    file_url = serializers.CharField(
        allow_null=True, help_text="The file, once the job is done."
    )
