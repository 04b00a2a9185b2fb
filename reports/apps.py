"""Reports: statistics, exports, report drafts and submitted reports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _seed_demo_reports(sender, *, root_unit, users, today, stdout, **kwargs):
    # Imported here: models are not ready when the app config is loaded.
    from reports.demo import seed_demo_reports

    seed_demo_reports(root_unit=root_unit, users=users, today=today, stdout=stdout)


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from feedback.signals import demo_seeded

        demo_seeded.connect(_seed_demo_reports, dispatch_uid="reports.demo")
