"""The index of open cases by status and due date also carries ``received_at``:
the staff list finds a page of overdue cases, newest first, from the index
alone (at a million cases the table read cost tens of milliseconds)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("feedback", "0011_case_list_indexes")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["status", "stage_due_on"],
                include=["responsible_unit", "assignee", "received_at", "id"],
                condition=models.Q(("status__in", ["received", "accepted"])),
                name="case_open_due_recent_idx",
            ),
        ),
        # Replaced by the index above, which answers everything it did.
        migrations.RemoveIndex(model_name="case", name="case_open_due_cover_idx"),
    ]
