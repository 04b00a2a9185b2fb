"""Versions of a meeting item that belongs to a case join that case's
history chain (``feedback.audit``): the audit columns, then the history
chains of those cases sealed again with the item versions in their place."""

from django.db import migrations, models

from feedback import audit


def reseal(apps, schema_editor):
    HistoricalMeetingItem = apps.get_model("dialogues", "HistoricalMeetingItem")
    audit.backfill(
        apps,
        chain="history",
        tables=[
            *audit.CORE_HISTORY_TABLES,
            ("dialogues", "HistoricalMeetingItem", "case_id", ["history_date"]),
        ],
        case_ids=HistoricalMeetingItem.objects.filter(
            case_id__isnull=False
        ).values_list("case_id", flat=True),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dialogues", "0002_seed_meeting_rules"),
        ("feedback", "0009_audit_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalmeetingitem",
            name="audit_seq",
            field=models.PositiveIntegerField(null=True, verbose_name="audit sequence"),
        ),
        migrations.AddField(
            model_name="historicalmeetingitem",
            name="prev_hash",
            field=models.CharField(
                blank=True, max_length=64, verbose_name="previous hash"
            ),
        ),
        migrations.AddField(
            model_name="historicalmeetingitem",
            name="row_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="hash"),
        ),
        migrations.RunPython(reseal, migrations.RunPython.noop, elidable=False),
    ]
