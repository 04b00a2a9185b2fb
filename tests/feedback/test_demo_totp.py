"""``demo_totp`` answers the demo users' current code, and no one else's."""

import io

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from feedback.management.commands.seed_demo import _demo_authenticator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_printed_code_logs_the_demo_user_in():
    user = UserFactory(username="leader")
    _demo_authenticator(user)
    out = io.StringIO()
    call_command("demo_totp", "leader", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert TOTPDevice.objects.get(user=user).verify_token(code)


def test_a_user_with_an_authenticator_of_their_own_gets_nothing():
    user = UserFactory(username="officer")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with pytest.raises(CommandError):
        call_command("demo_totp", "officer")
