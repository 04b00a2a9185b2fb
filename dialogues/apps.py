from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "dialogues"
    default_auto_field = "django.db.models.BigAutoField"
