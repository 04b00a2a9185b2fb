"""Meetings with citizens and voters; their items become cases."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _seed_demo_meetings(sender, *, root_unit, users, rng, today, stdout, **kwargs):
    # Imported here: models are not ready when the app config is loaded.
    from dialogues.demo import seed_demo_meetings

    seed_demo_meetings(
        root_unit=root_unit, users=users, rng=rng, today=today, stdout=stdout
    )


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = _("Dialogues and voter meetings")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from feedback.signals import demo_seeded

        demo_seeded.connect(_seed_demo_meetings, dispatch_uid="dialogues.demo")
