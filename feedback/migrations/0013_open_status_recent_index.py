"""The staff list of open cases of one status, newest first, reads an index
in that order and stops at the page's end.  At a million cases the list of
accepted overdue cases otherwise sorted every one of them (twenty thousand)
for the twenty shown."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0012_open_due_index_covers_received"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ["received", "accepted"])),
                fields=["status", "-received_at", "-id"],
                include=("stage_due_on", "responsible_unit", "assignee"),
                name="case_open_status_recent_idx",
            ),
        ),
    ]
