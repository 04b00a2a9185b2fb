"""The benchmark's FLOOR: the cheapest useful request this stack can serve.

``bench_floor`` fetches one case by primary key (one indexed query) and
answers three of its fields as JSON. It measures what Django, the WSGI server
and one round trip to the database cost on a machine, so that the real
workloads can be judged as a ratio of it. It exists only for the benchmark:
it answers 404 unless ``settings.BENCH_FLOOR_VIEW`` is on, and only the bench
URLconf (``bench/urls.py``) routes to it. It reveals nothing personal: the
status and due date of a case are what its tracking page shows anyway, and
the route is never enabled in production.
"""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from feedback.models import Case


@require_GET
def bench_floor(request, pk: int):
    """One case's ``id``, ``status`` and ``final_due_on`` as JSON, read with a
    single query by primary key; 404 when the flag is off or the case is
    missing."""
    if not getattr(settings, "BENCH_FLOOR_VIEW", False):
        raise Http404
    row = Case.objects.filter(pk=pk).values_list("id", "status", "final_due_on").first()
    if row is None:
        raise Http404
    case_id, status, final_due_on = row
    return JsonResponse(
        {
            "id": case_id,
            "status": status,
            "final_due_on": final_due_on.isoformat() if final_due_on else None,
        }
    )
