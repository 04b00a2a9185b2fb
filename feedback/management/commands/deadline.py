"""``manage.py deadline KIND STAGE START_DATE``: when is it due, and why.

Prints the legal basis and the rule, and the due date in ISO form on the last
line so that scripts can read it.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from feedback.errors import InvalidInputError
from feedback.models import CaseKind, DeadlinePolicy
from feedback.selectors.deadlines import compute_due_date


class Command(BaseCommand):
    help = "Compute a legal due date: deadline KIND STAGE START_DATE (YYYY-MM-DD)."

    def add_arguments(self, parser):
        parser.add_argument("kind", help="feedback, complaint, denunciation, …")
        parser.add_argument("stage", help="process, accept, resolve, notify, …")
        parser.add_argument("start_date", help="trigger date, YYYY-MM-DD")
        parser.add_argument("--complex", action="store_true")
        parser.add_argument("--remote", action="store_true")
        parser.add_argument("--second", action="store_true")
        parser.add_argument("--several-places", action="store_true")
        parser.add_argument("--extensions", type=int, default=0)

    def handle(self, *args, **options):
        kind = options["kind"]
        stage = options["stage"]
        if kind not in CaseKind.values and kind != DeadlinePolicy.ANY_KIND:
            raise CommandError(
                f"Unknown kind {kind!r}; choose from: {', '.join(CaseKind.values)}."
            )
        known_stages = set(
            DeadlinePolicy.objects.filter(
                kind__in=[kind, DeadlinePolicy.ANY_KIND]
            ).values_list("stage", flat=True)
        )
        if stage not in known_stages:
            raise CommandError(
                f"Unknown stage {stage!r} for {kind}; choose from: "
                f"{', '.join(sorted(known_stages))}."
            )
        try:
            start = dt.date.fromisoformat(options["start_date"])
        except ValueError:
            raise CommandError(
                f"Bad date {options['start_date']!r}: use YYYY-MM-DD."
            ) from None
        try:
            result = compute_due_date(
                kind=kind,
                stage=stage,
                start=start,
                second=options["second"],
                remote=options["remote"],
                complex=options["complex"],
                several_places=options["several_places"],
                extensions=options["extensions"],
            )
        except InvalidInputError as error:
            raise CommandError(str(error.message)) from None
        policy = result.policy
        unit = "working days" if policy.day_unit == "wd" else "calendar days"
        self.stdout.write(
            f"{kind} / {stage} / {policy.variant}: {result.days} {unit} "
            f"from {start.isoformat()}"
        )
        self.stdout.write(f"Legal basis: {policy.legal_basis}")
        self.stdout.write(result.due_on.isoformat())
