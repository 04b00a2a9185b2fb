"""Reads the API composes from the case core.

``case_history`` belongs in ``feedback.selectors.cases``; it lives here until
the case core adopts it.
"""

from __future__ import annotations

from django.db.models import Value

from feedback.models import Case, Party


def case_history(*, case: Case) -> list:
    """Every historical version of ``case`` and of its parties, newest first.

    Each record carries ``history_model`` ("case" or "party"); a party
    record's ``case`` is ``case`` itself, so that masking its identity needs
    no query per record.  Two queries whatever the length of the history.
    """
    case_records = list(
        case.history.select_related("history_user").annotate(
            history_model=Value("case")
        )
    )
    party_records = list(
        Party.history.filter(case_id=case.pk)
        .select_related("history_user")
        .annotate(history_model=Value("party"))
    )
    for record in party_records:
        record.case = case
    return sorted(
        case_records + party_records,
        key=lambda record: (record.history_date, record.history_id),
        reverse=True,
    )
