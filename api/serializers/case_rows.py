"""A list's cases rendered from plain values (``feedback.selectors.cases.
list_rows``): what ``CaseSummarySerializer`` says of each case, for a page
read without model instances.  ``tests/api/test_case_list_rendering.py``
holds the two renderings equal for every reader."""

from __future__ import annotations

from rest_framework import serializers

from feedback import permissions
from feedback.presentation import masked_values
from feedback.selectors.cases import PARTY_DETAILS, CaseRows
from feedback.tracking import format_code

_DATE = serializers.DateField()
_MOMENT = serializers.DateTimeField()


def _day(value) -> str | None:
    return None if value is None else _DATE.to_representation(value)


def _moment(value) -> str | None:
    return None if value is None else _MOMENT.to_representation(value)


def _ref(row: dict, name: str) -> dict | None:
    pk = row[f"{name}_id"]
    if pk is None:
        return None
    return {"id": pk, "code": row[f"{name}__code"], "name": row[f"{name}__name"]}


def summary_rows(page: CaseRows, user) -> list[dict]:
    return [_summary(row, page, user) for row in page.rows]


def _summary(row: dict, page: CaseRows, user) -> dict:
    assignee_id = row["assignee_id"]
    parties = row["parties"]
    if parties:
        identity = permissions.can_see_identity_in_row(
            user,
            kind=row["kind"],
            unit_id=row["responsible_unit_id"],
            unit_path=row["responsible_unit__path"],
            assignee_id=assignee_id,
            created_by_id=row["created_by_id"],
            collaborating_unit_ids=lambda: page.collaborating_unit_ids(row["id"]),
        )
    return {
        "id": row["id"],
        "code": format_code(row["code"]),
        "kind": row["kind"],
        "channel": row["channel"],
        "field": _ref(row, "field"),
        "title": row["title"],
        "status": row["status"],
        "stage": row["stage"],
        "stage_due_on": _day(row["stage_due_on"]),
        "final_due_on": _day(row["final_due_on"]),
        "is_overdue": bool(row["is_overdue"]),
        "received_at": _moment(row["received_at"]),
        "responsible_unit": _ref(row, "responsible_unit"),
        "location_unit": _ref(row, "location_unit"),
        "location_text": row["location_text"],
        "assignee": None
        if assignee_id is None
        else {
            "id": assignee_id,
            "username": row["assignee__username"],
            # ``User.get_full_name``.
            "full_name": (
                f"{row['assignee__first_name']} {row['assignee__last_name']}"
            ).strip(),
        },
        "created_by": row["created_by_id"],
        "is_complex": row["is_complex"],
        "is_mass": row["is_mass"],
        "is_prolonged": row["is_prolonged"],
        "is_hot_spot": row["is_hot_spot"],
        "is_anonymous": row["is_anonymous"],
        "is_second_time": row["is_second_time"],
        "petitioner_count": row["petitioner_count"],
        "extensions": row["extensions"],
        "version": row["version"],
        "parties": [
            {
                "id": party["id"],
                "role": party["role"],
                **masked_values(
                    {name: party[name] for name in PARTY_DETAILS},
                    role=party["role"],
                    identity_visible=identity,
                ),
            }
            for party in parties
        ],
        "created_at": _moment(row["created_at"]),
        "updated_at": _moment(row["updated_at"]),
    }
