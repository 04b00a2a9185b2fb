"""Production settings pass Django's deployment checks; secrets have no default."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from tests.settings_probe import settings_value

ROOT = Path(__file__).resolve().parents[1]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "langnghe.example.vn",
    "SECURE_SSL_REDIRECT": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}


def manage(*args, env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION
        and k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_is_clean_with_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_time_zone_and_languages():
    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.LANGUAGE_CODE == "vi"
    assert {code for code, _ in settings.LANGUAGES} == {"vi", "en"}


def test_kept_connections_are_checked_before_reuse_on_both_databases():
    urls = {
        "DATABASE_URL": "postgres://app@db.internal:5432/langnghe",
        "DATABASE_REPLICA_URL": "postgres://app@replica.internal:5432/langnghe",
    }
    expression = (
        "{alias: {key: db.get(key) for key in"
        " ('CONN_MAX_AGE', 'CONN_HEALTH_CHECKS', 'OPTIONS')}"
        " for alias, db in settings.DATABASES.items()}"
    )
    databases = settings_value(expression, **urls)
    for alias in ("default", "replica"):
        assert databases[alias]["CONN_MAX_AGE"] == 60
        assert databases[alias]["CONN_HEALTH_CHECKS"] is True
        assert databases[alias]["OPTIONS"]["prepare_threshold"] == 5
    off = settings_value(expression, **urls, CONN_HEALTH_CHECKS="false")
    assert off["default"]["CONN_HEALTH_CHECKS"] is False
    assert off["replica"]["CONN_HEALTH_CHECKS"] is False
