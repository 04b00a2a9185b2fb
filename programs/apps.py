"""The work program of government mass mobilisation (issue 9)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _seed_demo_program(sender, *, root_unit, users, today, stdout, **kwargs):
    # Imported here: models are not ready when the app config is loaded.
    from programs.demo import seed_demo_program

    seed_demo_program(root_unit=root_unit, users=users, today=today, stdout=stdout)


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Work programs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from feedback.signals import demo_seeded

        demo_seeded.connect(_seed_demo_program, dispatch_uid="programs.demo")
