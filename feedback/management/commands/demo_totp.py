"""``python manage.py demo_totp``: the current two-factor code of the demo
users, whose authenticator key ``seed_demo`` sets and prints.

The key is public (it is in the README); the command only saves trying the
demo without an authenticator app.  A user whose authenticator is not the
demo one is never answered.
"""

import base64

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from feedback.management.commands.seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo users."

    def add_arguments(self, parser):
        parser.add_argument(
            "username", nargs="?", default="leader", help="a demo user (leader)"
        )

    def handle(self, *args, username, **options):
        key = base64.b32decode(DEMO_TOTP_SECRET)
        device = TOTPDevice.objects.filter(
            user__username=username, confirmed=True, key=key.hex()
        ).first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator.")
        code = totp(key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
