from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # ``schema`` registers the OpenAPI extensions (named enums, PATCH
        # bodies); ``authentication`` makes a saved token or user move the
        # reference generation in every process (its held answers).
        from api import authentication, schema  # noqa: F401
