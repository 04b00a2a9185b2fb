from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from feedback.prepared import cache_wide_statements

        cache_wide_statements()
        # The rating alert follows the portal's flag; see feedback.tasks.
        from feedback.tasks import connect_signals

        connect_signals()
        # Log-in and log-out receivers: session rows and two-factor state.
        from feedback import accounts  # noqa: F401

        # Every process moves the reference generation when it changes a
        # reference row (the admin's and the workers' too), not only those
        # that have read one.
        from feedback.selectors import reference  # noqa: F401
