"""The endpoint of the page script: fields focused, changed or in error. Nothing else."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_POST

from . import services


@require_POST
def event(request):
    """Record a batch of field events sent by ``journey.js``. 400 for a malformed batch
    (nothing kept); otherwise 204 whatever happens to it (an unmeasured or refused batch is
    dropped: the page never shows an error for it)."""
    try:
        events = services.client_events(request.POST.get("evenements", ""))
    except services.BadEventsError as exc:
        return HttpResponse(f"Événements refusés : {exc}.", status=400)
    if not services.declined(request):
        current = services.case_from_token(request, request.POST.get("jeton", ""))
        if current is not None:
            current.pending.extend(events)  # written as the response leaves
    return HttpResponse(status=204)
