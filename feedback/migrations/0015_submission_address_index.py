"""Index online submissions by address and time: the per-address rate check
of every online letter read the whole last hour's submissions, from every
address, through the time index."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0014_case_keys_covered_by_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="publicsubmission",
            index=models.Index(
                fields=["ip_address", "created_at"], name="submission_ip_recent_idx"
            ),
        ),
    ]
