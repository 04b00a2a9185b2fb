"""Đơn thư: reception visits, complaint and denunciation specifics."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _seed_demo_visits(sender, *, root_unit, users, rng, today, stdout, **kwargs):
    # Imported here: models are not ready when the app config is loaded.
    from petitions.demo import seed_demo_visits

    seed_demo_visits(
        root_unit=root_unit, users=users, rng=rng, today=today, stdout=stdout
    )


class PetitionsConfig(AppConfig):
    name = "petitions"
    verbose_name = _("Reception of citizens")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from feedback.signals import demo_seeded

        demo_seeded.connect(_seed_demo_visits, dispatch_uid="petitions.demo")
