"""Drop the single-column indexes of four case keys: an index of
``Case.Meta.indexes`` leads with each (``responsible_unit``, ``assignee``,
``created_by``, ``field``), and every intake wrote, and every query on cases
planned, the duplicates.  Only the indexes go: Django's ``AlterField`` would
also drop and re-add the foreign keys, checking a million rows each time."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The keys' columns and the suffixes of their index names.
COVERED = [
    ("assignee_id", "7160cd9a"),
    ("created_by_id", "5bc7c072"),
    ("field_id", "3c9df596"),
    ("responsible_unit_id", "b54053bc"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0013_open_status_recent_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "feedback_case_{column}_{suffix}"',
                    reverse_sql=(
                        f'CREATE INDEX "feedback_case_{column}_{suffix}" '
                        f'ON "feedback_case" ("{column}")'
                    ),
                )
                for column, suffix in COVERED
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="created_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="created_cases",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="received by",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="field",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="feedback.field",
                        verbose_name="field",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="responsible_unit",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="feedback.unit",
                        verbose_name="responsible unit",
                    ),
                ),
            ],
        ),
    ]
