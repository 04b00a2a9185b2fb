from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "petitions"
    default_auto_field = "django.db.models.BigAutoField"
