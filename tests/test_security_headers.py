"""Web hardening: one strict Content-Security-Policy on every response and
pages that need nothing it forbids (no inline script, style or handler),
a CSRF token in every POST form, the other security headers, a clean
``check --deploy`` with production settings, and ``security.txt``."""

import datetime as dt
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from feedback.models import Attachment
from tests.factories import UserFactory, make_case

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# (URL name, arguments, who asks: a commune fixture attribute or None)
PUBLIC_PAGES = [
    ("home", [], None),
    ("login", [], None),
    ("public-submit", [], None),
    ("public-track", [], None),
    ("public-answers", [], None),
    ("public-scorecard", [], None),
    ("public-privacy", [], None),
    ("meetings-public-results", [], None),
]
STAFF_PAGES = [
    ("home", [], "supervisor"),
    ("work-queue", [], "supervisor"),
    ("notifications", [], "supervisor"),
    ("reception-desk", [], "reception"),
    ("reception-register", [], "reception"),
    ("reception-visit-create", [], "reception"),
    ("reception-case-create", [], "reception"),
    ("meetings", [], "supervisor"),
    ("meeting-create", [], "supervisor"),
    ("meetings-calendar", [timezone.localdate().year], "supervisor"),
    ("meetings-hot-spots", [], "supervisor"),
    ("dashboard", [], "supervisor"),
    ("report-summary", [], "supervisor"),
    ("report-submitted-list", [], "supervisor"),
]
JSON_SCRIPT_TYPES = {"application/json", "application/ld+json"}


class InlineFinder(HTMLParser):
    """Collects what a strict policy would block: ``<script>`` without
    ``src`` (data blocks aside), ``<style>``, ``style=`` and ``on*=``
    attributes, ``javascript:`` links; and the POST forms without a CSRF
    token."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.forms = []  # [method, has token]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        line = self.getpos()[0]
        script_type = (values.get("type") or "").lower()
        if (
            tag == "script"
            and "src" not in values
            and script_type not in JSON_SCRIPT_TYPES
        ):
            self.problems.append(f"inline <script> on line {line}")
        if tag == "style":
            self.problems.append(f"<style> on line {line}")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style= on <{tag}> line {line}")
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}> line {line}")
            if name in ("href", "src", "action") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}> line {line}")
        if tag == "form":
            self.forms.append([(values.get("method") or "get").lower(), False])
        if (
            tag == "input"
            and values.get("name") == "csrfmiddlewaretoken"
            and self.forms
            and values.get("value")
        ):
            self.forms[-1][1] = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def inspect(response):
    finder = InlineFinder()
    finder.feed(response.content.decode())
    return finder


@pytest.fixture
def data(commune, settings, tmp_path):
    """A case with an attachment, so the case page lists a file."""
    settings.MEDIA_ROOT = tmp_path
    case = make_case(actor=commune.reception, unit=commune.office).case
    attachment = Attachment(
        case=case,
        original_name="don.pdf",
        content_type="application/pdf",
        size=9,
    )
    attachment.file.save("x.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    return case


def pages(client, commune, case):
    """Every page of the walk, with its response."""
    staff = [
        *STAFF_PAGES,
        ("case-detail", [case.pk], "supervisor"),
        ("case-detail", [case.pk], "leader"),
    ]
    responses = []
    for name, args, who in PUBLIC_PAGES + staff:
        client.logout()
        if who:
            client.force_login(getattr(commune, who))
        responses.append((f"{name} as {who}", client.get(reverse(name, args=args))))
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    for name in ("admin:index", "admin:feedback_case_changelist", "api:docs"):
        responses.append((name, client.get(reverse(name))))
    drill = {"unit": "C", "period": "2024-Q1", "figure": "received"}
    responses.append(("report-cases", client.get(reverse("report-cases"), drill)))
    drill["figure"] = "visits"
    activity = client.get(reverse("report-activity"), drill)
    responses.append(("report-activity", activity))
    receipt = client.get(
        reverse("reception-receipt", args=[case.pk]),
    )
    responses.append(("reception-receipt", receipt))
    return responses


def test_every_page_has_the_strict_policy_and_nothing_inline(client, commune, data):
    for label, response in pages(client, commune, data):
        assert response.status_code == 200, label
        policy = response["Content-Security-Policy"]
        assert policy == CSP, label
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        finder = inspect(response)
        assert finder.problems == [], (label, finder.problems)


def test_every_post_form_carries_a_csrf_token(client, commune, data):
    checked = 0
    for label, response in pages(client, commune, data):
        for method, has_token in inspect(response).forms:
            if method == "post":
                checked += 1
                assert has_token, label
    # The language switch, the log-out button, the intake and action forms…
    assert checked > 30


def test_the_finder_catches_what_the_policy_blocks():
    finder = InlineFinder()
    finder.feed(
        '<script>x()</script><script type="application/json">{}</script>'
        '<style>p{}</style><p style="color:red" onclick="x()">'
        '<a href="javascript:x()">a</a><form method="post"></form>'
    )
    assert len(finder.problems) == 5
    assert finder.forms == [["post", False]]


def test_file_and_error_responses_carry_the_policy_too(client, commune, data):
    assert client.get("/khong-co-trang-nay/")["Content-Security-Policy"] == CSP
    client.force_login(commune.leader)
    attachment = data.attachments.get()
    response = client.get(reverse("case-attachment", args=[data.pk, attachment.pk]))
    assert response["Content-Security-Policy"] == CSP


def test_framing_sniffing_and_referrer_are_refused(client):
    response = client.get(reverse("public-submit"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("public-submit"), secure=True)
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )


# --------------------------------------------------------------------------
# security.txt (RFC 9116)
# --------------------------------------------------------------------------


def test_security_txt(client, settings):
    settings.SECURITY_CONTACT = "mailto:baomat@langnghe.example.gov.vn"
    settings.SITE_URL = "https://langnghe.example.gov.vn/"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(
        line.split(": ", 1) for line in response.content.decode().splitlines()
    )
    assert fields["Contact"] == "mailto:baomat@langnghe.example.gov.vn"
    assert fields["Preferred-Languages"] == "vi, en"
    assert fields["Canonical"] == (
        "https://langnghe.example.gov.vn/.well-known/security.txt"
    )
    expires = dt.datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%S%z")
    ahead = expires - timezone.now()
    assert dt.timedelta(days=364) < ahead <= dt.timedelta(days=365)


# --------------------------------------------------------------------------
# Production settings
# --------------------------------------------------------------------------

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "langnghe.example.gov.vn",
    "SITE_URL": "https://langnghe.example.gov.vn",
    "SECURITY_CONTACT": "mailto:baomat@langnghe.example.gov.vn",
}


def manage(*args, env):
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SECURE_", "SESSION_", "CSRF_"))
        and key not in PRODUCTION
        and key not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_has_no_warning_in_production():
    env = {
        **PRODUCTION,
        "SECURE_SSL_REDIRECT": "true",
        "SESSION_COOKIE_SECURE": "true",
        "CSRF_COOKIE_SECURE": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SECURE_HSTS_PRELOAD": "true",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_https_protections_are_on_by_default_when_debug_is_off():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS)"
    )
    result = manage("shell", "-v", "0", "-c", code, env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "True",
        "True",
        "True",
        "31536000",
        "DENY",
    ]
