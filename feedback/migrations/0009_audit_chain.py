"""The tamper-evident audit chain on case events and history rows.

Adds ``audit_seq``, ``prev_hash`` and ``row_hash`` to ``CaseEvent`` and to the
historical models of the case and of what belongs to it, the ``AuditHead``
of each case's two chains, the ``identity_viewed`` event kind, and seals the
rows already stored: events in the order they happened (``created_at``,
``id``), history rows by ``history_date`` (the case's own row first on a tie),
a batch of cases at a time.  See ``feedback.audit``.
"""

import django.db.models.deletion
from django.db import migrations, models

from feedback import audit

CASES_PER_BATCH = 1000


def backfill(apps, schema_editor):
    audit.backfill(
        apps, chain="events", tables=audit.EVENT_TABLES, batch=CASES_PER_BATCH
    )
    audit.backfill(
        apps,
        chain="history",
        tables=audit.CORE_HISTORY_TABLES,
        batch=CASES_PER_BATCH,
    )


AUDIT_FIELDS = [
    (
        "audit_seq",
        models.PositiveIntegerField(null=True, verbose_name="audit sequence"),
    ),
    (
        "prev_hash",
        models.CharField(blank=True, max_length=64, verbose_name="previous hash"),
    ),
    ("row_hash", models.CharField(blank=True, max_length=64, verbose_name="hash")),
]


def _add_audit_fields(model_name):
    return [
        migrations.AddField(model_name=model_name, name=name, field=field.clone())
        for name, field in AUDIT_FIELDS
    ]


class Migration(migrations.Migration):
    dependencies = [("feedback", "0008_created_by_recent_index")]

    operations = [
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "chain",
                    models.CharField(
                        choices=[
                            ("events", "Case events"),
                            ("history", "Change history"),
                        ],
                        max_length=8,
                        verbose_name="chain",
                    ),
                ),
                (
                    "seq",
                    models.PositiveIntegerField(
                        default=0, verbose_name="audit sequence"
                    ),
                ),
                ("row_hash", models.CharField(max_length=64, verbose_name="hash")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="feedback.case",
                        verbose_name="case",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit chain head",
                "verbose_name_plural": "audit chain heads",
                "ordering": ["case", "chain"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("case", "chain"), name="audit_head_unique_chain"
                    )
                ],
            },
        ),
        *_add_audit_fields("caseevent"),
        *_add_audit_fields("historicalcase"),
        *_add_audit_fields("historicalparty"),
        *_add_audit_fields("historicalanswer"),
        *_add_audit_fields("historicalcasecollaborator"),
        *_add_audit_fields("historicalattachment"),
        migrations.AlterField(
            model_name="caseevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("created", "Case logged"),
                    ("status", "Status change"),
                    ("note", "Progress note"),
                    ("assignment", "Assignment"),
                    ("transfer", "Transfer between units"),
                    ("extension", "Extension"),
                    ("answer", "Answer"),
                    ("correction", "Correction"),
                    ("collaboration", "Co-operation"),
                    ("publication", "Publication"),
                    ("rating", "Citizen rating"),
                    ("identity_viewed", "Identity viewed"),
                ],
                max_length=16,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="caseevent",
            constraint=models.UniqueConstraint(
                fields=("case", "audit_seq"), name="case_event_unique_audit_seq"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
