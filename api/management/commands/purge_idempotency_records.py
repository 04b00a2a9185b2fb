"""``manage.py purge_idempotency_records``: drop answers past their 24 hours."""

from django.core.management.base import BaseCommand

from api.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete stored answers of idempotent API requests older than 24 hours."

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(f"{deleted}")
