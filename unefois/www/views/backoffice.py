"""« Gestion » : the back office of the support team (staff accounts only)."""

from __future__ import annotations

import datetime as dt
import time

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

PERIODS = {7: "7 derniers jours", 30: "30 derniers jours", 90: "90 derniers jours", 395: "13 mois"}


def staff_required(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Cette page est réservée aux agents de l'assistance.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@staff_required
def home(request):
    from unefois.journeys.capture.models import JourneyCase, SupportRequest

    since = timezone.now() - dt.timedelta(days=30)
    return render(
        request,
        "www/backoffice.html",
        {
            "periods": PERIODS,
            "cases": JourneyCase.objects.filter(last_at__gte=since).count(),
            "requests": SupportRequest.objects.select_related("user")[:20],
        },
    )


@staff_required
def journeys_report(request):
    """The journey report (the same page as ``unefois journeys report``) on the events of the
    chosen period, computed on demand and kept ten minutes."""
    from unefois.journeys.analysis import analyse, load
    from unefois.journeys.capture.export import event_table
    from unefois.journeys.capture.models import JourneyEvent
    from unefois.journeys.report import render as render_report

    try:
        days = int(request.GET.get("jours", "90"))
    except ValueError:
        days = 90
    if days not in PERIODS:
        days = 90
    latest = JourneyEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    key = f"backoffice:journeys:{days}:{latest}"
    page = cache.get(key)
    if page is None:
        table = event_table(since=timezone.now() - dt.timedelta(days=days))
        if table.num_rows == 0:
            return render(
                request, "www/backoffice_empty.html", {"period": PERIODS[days]}, status=200
            )
        started = time.perf_counter()
        page = render_report(
            analyse(load(table)),
            source=f"parcours mesurés sur unefois, {PERIODS[days]}",
            seconds=time.perf_counter() - started,
        )
        cache.set(key, page, 600)
    return HttpResponse(page)
