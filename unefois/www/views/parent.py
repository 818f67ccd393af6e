"""The parent employer's pages: contracts, hiring, monthly declarations, end of contract."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from unefois.audit.services import StaleVersionError
from unefois.contracts import terms as contract_terms
from unefois.contracts.models import Contract, Status
from unefois.declarations import actions as declaration_actions
from unefois.declarations import services as declarations
from unefois.declarations.models import Declaration
from unefois.facts import services as vault
from unefois.facts.models import SubjectType
from unefois.journeys.capture import services as journeys
from unefois.journeys.events import Activity
from unefois.procedures import catalogue, flows
from unefois.rules.intake import InputError

from .common import employer_required, person_of


def _today() -> dt.date:
    return timezone.localdate()


@employer_required
def dashboard(request):
    person = person_of(request)
    contracts = list(
        Contract.objects.filter(employer=person)
        .select_related("employee", "child")
        .prefetch_related(
            Prefetch("declarations", queryset=Declaration.objects.order_by("-period"))
        )
        .order_by("-start_date")
    )
    today = _today()
    current = declarations.period_of(today)
    rows = []
    for contract in contracts:
        declared = {d.period for d in contract.declarations.all()}
        due = []
        if contract.status in (Status.ACTIVE, Status.ENDED):
            first = declarations.period_of(contract.start_date)
            last = declarations.period_of(contract.end_date) if contract.end_date else current
            due = [p for p in range(max(first, current - 3), last + 1) if p not in declared]
        rows.append(
            {
                "contract": contract,
                "due": [(p, declarations.month_label(p), declarations.window(p)) for p in due],
            }
        )
    return render(
        request,
        "www/parent_dashboard.html",
        {
            "person": person,
            "rows": rows,
            "children": list(person.children.all()),
            "today": today,
        },
    )


@employer_required
def hire(request):
    """Step 1 of hiring: find the employee (by her number, or NIR and birth name)."""
    person = person_of(request)
    errors: dict[str, str] = {}
    values = {"numero": "", "nir": "", "nom": ""}
    journey = journeys.case(request, catalogue.HIRE.slug, "", "recherche")
    if request.method == "GET":
        journeys.record(journey, Activity.STEP_VIEWED)
    if request.method == "POST":
        journeys.record(journey, Activity.SUBMITTED)
        values = {k: request.POST.get(k, "").strip() for k in values}
        if not values["numero"] and not (values["nir"] and values["nom"]):
            errors["numero"] = (
                "Indiquez le numéro de salarié, ou bien le numéro de sécurité sociale et le nom "
                "de naissance."
            )
            journeys.record(
                journey, Activity.VALIDATION_ERROR, field="numero", error_code="required"
            )
        else:
            employee = flows.find_employee(values["numero"], values["nir"], values["nom"])
            if employee is None:
                errors["numero"] = (
                    "Aucun salarié inscrit ne correspond. Vérifiez le numéro ; si la personne "
                    "n'est pas encore inscrite, demandez-lui de s'inscrire sur unefois."
                )
                journeys.record(
                    journey, Activity.VALIDATION_ERROR, field="numero", error_code="not_found"
                )
            else:
                children = list(person.children.all())
                url = reverse("www:procedure", args=[catalogue.HIRE.slug])
                url += f"?salarie={employee.pk}"
                if employee.employee_kind == "ama" and len(children) == 1:
                    url += f"&enfant={children[0].pk}"
                return redirect(url)
    return render(
        request,
        "www/hire.html",
        {"errors": errors, "values": values, "journey": journey},
        status=400 if errors else 200,
    )


def _contract_for(request, pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.select_related("employee", "child"), pk=pk, employer=person_of(request)
    )


@employer_required
def contract(request, pk: int):
    c = _contract_for(request, pk)
    facts = vault.current(SubjectType.CONTRACT, c.pk)
    months = list(c.declarations.select_related("current_version").order_by("-period"))
    for d in months:
        d.label = declarations.month_label(d.period)
    return render(
        request,
        "www/contract.html",
        {
            "contract": c,
            "facts": [(contract_terms.TERMS.get(k, k), f) for k, f in facts.items()],
            "declarations": months,
            "end_url": reverse("www:procedure", args=[catalogue.END_OF_CONTRACT.slug])
            + f"?contrat={c.pk}",
        },
    )


def _events_from_post(request, contract: Contract, period: int, t: dict) -> tuple[dict, int]:
    """Events from the declaration form (``t``: the contract's terms): one group of day boxes
    per reason, extra hours per day. Returns the events and the number of fields the parent
    filled in."""
    days = contract_terms.scheduled_days(
        t.get("schedule") or {}, declarations.first_day(period), declarations.last_day(period)
    )
    allowed = {d.isoformat(): d for d in days}
    by_reason: dict[str, list[dt.date]] = {}
    for reason in declarations.ABSENCE_REASONS:
        ticked = [allowed[v] for v in request.POST.getlist(f"absence_{reason}") if v in allowed]
        if ticked:
            by_reason[reason] = ticked
    extra: dict[dt.date, float] = {}
    errors: dict[str, str] = {}
    codes: dict[str, str] = {}
    every_day = {d.isoformat(): d for d in _month_days(period)}
    for iso, day in every_day.items():
        text = request.POST.get(f"extra_{iso}", "").strip().replace(",", ".")
        if not text:
            continue
        try:
            hours = float(text)
        except ValueError:
            errors[f"extra_{iso}"] = (
                f"Heures en plus du {day:%d/%m} : indiquez un nombre, par exemple 1,5."
            )
            codes.setdefault("extra_hours", "number_invalid")
            continue
        if not 0 < hours <= 6:
            errors[f"extra_{iso}"] = f"Heures en plus du {day:%d/%m} : entre 0 et 6 heures."
            codes.setdefault("extra_hours", "hours_out_of_range")
            continue
        extra[day] = hours
    leave = request.POST.get("conges", "").strip()
    leave_days = 0.0
    if leave:
        if not leave.isdigit() or int(leave) > 30:
            errors["conges"] = "Jours de congés payés pris : un nombre entier de 0 à 30."
            codes["conges"] = "number_invalid"
        else:
            leave_days = float(leave)
    if errors:
        raise _FormError(errors, codes)
    events = declarations.events_from_days(by_reason, extra, leave_days)
    return events, declarations.typed_fields(events)


class _FormError(Exception):
    """Refused fields: the messages by input name, the codes by measured field."""

    def __init__(self, errors: dict[str, str], codes: dict[str, str]) -> None:
        self.errors = errors
        self.codes = codes


@employer_required
def declare(request, pk: int, period: int):
    """The month's declaration: the draft computed from the contract, events only if any."""
    c = _contract_for(request, pk)
    ended = c.status == Status.ENDED
    last = declarations.period_of(c.end_date) if c.end_date else None
    if c.status not in (Status.ACTIVE, Status.ENDED) or (ended and period > last):
        messages.error(
            request, "Ce contrat n'est pas en cours ce mois-là : il n'y a rien à déclarer."
        )
        return redirect("www:contract", pk=c.pk)
    existing = declarations.declared(c, period)
    if existing is not None:
        return redirect("www:declaration", pk=existing)
    if not (declarations.period_of(c.start_date) <= period):
        raise Http404
    end = {"reason": c.end_reason} if ended and period == last else None
    t, employer = declarations.contract_facts(c)
    days = contract_terms.scheduled_days(
        t.get("schedule") or {}, declarations.first_day(period), declarations.last_day(period)
    )
    events: dict = {}
    typed = 0
    errors: dict[str, str] = {}
    window = declarations.window(period)
    journey = journeys.case(request, "declaration-mensuelle", f"{c.pk}:{period}", "declaration")
    if request.method == "GET":
        journeys.record(journey, Activity.STEP_VIEWED)
    if request.method == "POST":
        confirming = request.POST.get("action") == "confirmer"
        if confirming:
            journeys.record(journey, Activity.SUBMITTED)
        try:
            events, typed = _events_from_post(request, c, period, t)
        except _FormError as exc:
            errors = exc.errors
            journeys.validation_errors(journey, exc.codes)
        if not errors and confirming:
            try:
                # the declaration and the record of its run: one transaction
                with transaction.atomic():
                    declaration, created = declaration_actions.do_declare(
                        request.user, c, period, events, end, t, employer, checked=True
                    )
                    if created:
                        _record_run(request.user, declaration, typed, t)
            except (declaration_actions.DeclarationError, InputError) as exc:
                errors["declaration"] = str(exc)
                journeys.record(journey, Activity.VALIDATION_ERROR, error_code="refused")
            else:
                if created:
                    journeys.close(journey, late=window.state(_today()) == "late")
                    messages.success(
                        request,
                        f"La déclaration de {declarations.month_label(period)} est enregistrée.",
                    )
                return redirect("www:declaration", pk=declaration.pk)
    try:
        _, slip = declarations.compute(
            declarations.draft_input(c, period, events, end, t, employer)
        )
    except InputError as exc:
        slip = None
        errors.setdefault("declaration", str(exc))
    return render(
        request,
        "www/declare.html",
        {
            "contract": c,
            "period": period,
            "label": declarations.month_label(period),
            "slip": slip,
            "reasons": declarations.ABSENCE_REASONS,
            "events": events,
            "errors": errors,
            **_form_state(period, days, events, request.POST if request.method == "POST" else None),
            "window": window,
            "window_state": window.state(_today()),
            "typed": typed,
            "final": bool(end),
            "journey": journey,
        },
        status=400 if errors else 200,
    )


def _record_run(user, declaration: Declaration, typed: int, terms: dict) -> None:
    from unefois.procedures.models import ProcedureRun

    ProcedureRun.objects.create(
        procedure="declaration-mensuelle",
        user=user,
        subject_type="declaration",
        subject_id=declaration.pk,
        completed_at=timezone.now(),
        asked=typed,
        typed=typed,
        prefilled=len(terms),
        derived=len(declaration.current_version.results.get("declaration_pajemploi", {})),
    )


@employer_required
def correct(request, pk: int):
    declaration = get_object_or_404(
        Declaration.objects.select_related("contract", "current_version"),
        pk=pk,
        contract__employer=person_of(request),
    )
    c = declaration.contract
    period = declaration.period
    t = contract_terms.terms(c)
    days = contract_terms.scheduled_days(
        t.get("schedule") or {}, declarations.first_day(period), declarations.last_day(period)
    )
    errors: dict[str, str] = {}
    events = old_events = declaration.current_version.events
    journey = journeys.latest_case(
        request, "declaration-mensuelle", f"{c.pk}:{period}", "correction"
    )
    if request.method == "GET":
        journeys.record(journey, Activity.STEP_VIEWED)
    if request.method == "POST":
        journeys.record(journey, Activity.SUBMITTED)
        try:
            events, _ = _events_from_post(request, c, period, t)
        except _FormError as exc:
            errors = exc.errors
            journeys.validation_errors(journey, exc.codes)
        reason = request.POST.get("motif", "").strip()
        if not reason:
            errors["motif"] = "Indiquez le motif de la correction."
            journeys.validation_errors(journey, {"motif": "required"})
        if not errors:
            try:
                declaration_actions.do_correct(
                    request.user,
                    declaration,
                    events,
                    reason,
                    int(request.POST.get("version", 0)) or None,
                )
            except StaleVersionError:
                errors["version"] = (
                    "La déclaration a été modifiée entre-temps (par exemple "
                    "contestée) : rechargez la page avant de corriger."
                )
                journeys.validation_errors(journey, {"": "stale_version"})
            except declaration_actions.DeclarationError as exc:
                errors["declaration"] = str(exc)
                journeys.validation_errors(journey, {"": "refused"})
            else:
                journeys.record(
                    journey,
                    Activity.CORRECTED,
                    field=_changed_field(old_events, events),
                    reason=reason,
                )
                messages.success(
                    request,
                    "La correction est enregistrée ; la version précédente reste consultable.",
                )
                return redirect("www:declaration", pk=declaration.pk)
    return render(
        request,
        "www/correct.html",
        {
            "declaration": declaration,
            "contract": c,
            "label": declarations.month_label(period),
            "reasons": declarations.ABSENCE_REASONS,
            "events": events,
            "errors": errors,
            **_form_state(period, days, events, request.POST if request.method == "POST" else None),
            "version": declaration.version,
            "journey": journey,
        },
        status=400 if errors else 200,
    )


def _changed_field(before: dict, after: dict) -> str:
    """The part of the month a correction changed (the field the journey analyses name)."""
    for field, key in (
        ("absences", "absences"),
        ("extra_hours", "extra_hours"),
        ("conges", "leave_days_taken"),
    ):
        if (before or {}).get(key) != (after or {}).get(key):
            return field
    return ""


WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def _month_days(period: int) -> list[dt.date]:
    first, last = declarations.first_day(period), declarations.last_day(period)
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _form_state(period: int, days: list[dt.date], events: dict, posted) -> dict:
    """What the events form shows: the scheduled days (absences), every day of the month
    (extra hours), and what is already ticked or typed."""
    extra = {e["date"]: e["hours"] for e in events.get("extra_hours", [])}

    def row(day: dt.date) -> dict:
        iso = day.isoformat()
        value = posted.get(f"extra_{iso}", "") if posted else extra.get(iso, "")
        return {
            "iso": iso,
            "label": f"{WEEKDAY_NAMES[day.weekday()]} {day.day}",
            "extra": str(value).replace(".", ",") if value != "" else "",
        }

    extra_rows = [row(d) for d in _month_days(period)]
    if posted:
        checked = {r: set(posted.getlist(f"absence_{r}")) for r in declarations.ABSENCE_REASONS}
        leave = posted.get("conges", "")
    else:
        checked = _checked(events)
        leave = str(int(events["leave_days_taken"])) if events.get("leave_days_taken") else ""
    return {
        "day_rows": [row(d) for d in days],
        "extra_rows": extra_rows,
        "checked": checked,
        "leave_days": leave,
        "extra_open": any(r["extra"] for r in extra_rows),
    }


def _checked(events: dict) -> dict[str, set[str]]:
    """Days already ticked, by reason, from stored events (to pre-fill a correction)."""
    out: dict[str, set[str]] = {}
    for absence in events.get("absences", []):
        start = dt.date.fromisoformat(absence["start"])
        end = dt.date.fromisoformat(absence.get("end", absence["start"]))
        day = start
        while day <= end:
            out.setdefault(absence["reason"], set()).add(day.isoformat())
            day += dt.timedelta(days=1)
    return out
