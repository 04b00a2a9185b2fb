"""Indexes for the staff case list at provincial scale."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feedback", "0010_account_security")]

    operations = [
        # The staff list of open cases, newest first (``-received_at, -id``).
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["-received_at", "-id"],
                condition=models.Q(("status__in", ["received", "accepted"])),
                name="case_open_recent_idx",
            ),
        ),
        # Counting open cases by status and due date (the "overdue" filter)
        # within the reader's units with an index-only scan.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["status", "stage_due_on"],
                include=["responsible_unit", "assignee", "id"],
                condition=models.Q(("status__in", ["received", "accepted"])),
                name="case_open_due_cover_idx",
            ),
        ),
        # "My work": open cases by due date, read in order.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["stage_due_on", "received_at", "id"],
                condition=models.Q(("status__in", ["received", "accepted"])),
                name="case_open_queue_idx",
            ),
        ),
        # ``max(updated_at)``: the stamp of the cached closed-period reports.
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["updated_at"], name="case_updated_idx"),
        ),
    ]
