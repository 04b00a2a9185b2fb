"""One endpoint per workflow action, generated from ``workflow.ACTIONS``.

``POST /api/v1/cases/{id}/<action>/`` validates the body with the action's
input serializer, calls ``case_transition`` and answers the updated case.
An action added to the table gets its endpoint (and its place in the
schema) without a change here.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema

from api.http import expected_version
from api.schema import IF_MATCH, error_responses
from api.serializers.actions import action_input_serializer
from api.serializers.cases import CaseSerializer
from api.views.base import StaffAPIView, case_response
from feedback import workflow
from feedback.models import Role
from feedback.selectors.cases import case_get
from feedback.services.cases import case_transition

# Where the URL segment is not the action's name.
URL_SEGMENTS = {"note": "notes"}


def url_segment(name: str) -> str:
    return URL_SEGMENTS.get(name, name)


class CaseActionView(StaffAPIView):
    """Applies ``action_name`` to the case; see ``case_action_view``."""

    action_name = ""
    input_serializer = None

    def perform(self, request, pk):
        serializer = self.input_serializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        case = case_transition(
            case_id=pk,
            action=self.action_name,
            actor=request.user,
            data=serializer.service_data(),
            expected_version=expected_version(
                request, current=lambda: case_get(user=request.user, case_id=pk).version
            ),
        )
        return case_response(request, case)


def _describe(spec: workflow.Action) -> str:
    roles = ", ".join(sorted(str(role) for role in spec.roles))
    if spec.reception_may:
        roles += f", and {Role.RECEPTION} on a case it logged"
    sources = ", ".join(sorted(str(state) for state in spec.sources))
    lines = [
        f"Allowed in status: {sources}.",
        f"Leads to: {spec.target}." if spec.target else "Leaves the status as is.",
        f"Roles (relative to the case's unit): {roles}.",
        "",
        "409 with `allowed_actions` when the case's status does not allow it; "
        "403 when your role does not; 412 when `If-Match` is stale.",
    ]
    return "\n".join(lines)


def case_action_view(name: str) -> type[CaseActionView]:
    """The view class of the workflow action ``name``."""
    spec = workflow.ACTIONS[name]
    serializer = action_input_serializer(name)

    @extend_schema(
        operation_id=f"cases_{name}",
        summary=spec.label,
        description=_describe(spec),
        tags=["case workflow"],
        parameters=[IF_MATCH],
        request=serializer,
        responses={
            200: CaseSerializer,
            **error_responses(400, 401, 403, 404, 409, 412),
        },
    )
    def post(self, request, pk):
        return self.perform(request, pk)

    class_name = "Case" + name.title().replace("_", "") + "View"
    return type(
        class_name,
        (CaseActionView,),
        {
            "__module__": __name__,
            "__doc__": f"The `{name}` workflow action.",
            "action_name": name,
            "input_serializer": serializer,
            "serializer_class": serializer,
            "post": post,
        },
    )
