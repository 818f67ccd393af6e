"""The generic pages of a procedure: the questions (only what is missing), then « Vérifiez vos
réponses » with every pre-filled fact and its source, then the confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from unefois.contracts.models import Contract
from unefois.journeys.capture import services as journeys
from unefois.journeys.events import Activity
from unefois.people.models import Child, Person
from unefois.procedures import catalogue, engine, flows

from .common import person_of

WEEKDAY_LABELS = dict(
    zip(
        engine.WEEKDAYS,
        ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche"),
        strict=True,
    )
)


def _context(request, slug: str) -> dict:
    person = person_of(request)
    context: dict = {"person": person}
    if slug == catalogue.HIRE.slug:
        employee = get_object_or_404(
            Person, pk=request.GET.get("salarie") or request.POST.get("salarie"), is_employee=True
        )
        context["employee"] = employee
        child_id = request.GET.get("enfant") or request.POST.get("enfant")
        if child_id:
            context["child"] = get_object_or_404(Child, pk=child_id, parent=person)
    if slug == catalogue.END_OF_CONTRACT.slug:
        contract_id = request.GET.get("contrat") or request.POST.get("contrat")
        context["contract"] = get_object_or_404(Contract, pk=contract_id, employer=person)
    return context


def _params(context: dict) -> str:
    parts = []
    if "employee" in context:
        parts.append(f"salarie={context['employee'].pk}")
    if context.get("child"):
        parts.append(f"enfant={context['child'].pk}")
    if "contract" in context:
        parts.append(f"contrat={context['contract'].pk}")
    return ("?" + "&".join(parts)) if parts else ""


def _session_key(slug: str, context: dict) -> str:
    return f"procedure:{slug}:{_params(context)}"


def _journey(request, slug: str, context: dict, step: str):
    """The measured case of this run (hiring is one case from the search of the employee on)."""
    subject = "" if slug == catalogue.HIRE.slug else _params(context)
    return journeys.case(request, slug, subject, step)


def _answers_from_post(request, plan: engine.Plan) -> dict:
    answers = {}
    for item in plan.asked:
        key = item.need.key
        if item.need.kind == "schedule":
            answers[key] = {day: request.POST.get(f"{key}_{day}", "") for day in engine.WEEKDAYS}
        else:
            answers[key] = request.POST.get(key, "")
    return answers


def _typed(answers: dict) -> int:
    count = 0
    for value in answers.values():
        if isinstance(value, dict):
            count += any(str(v).strip() for v in value.values())
        elif str(value).strip():
            count += 1
    return count


@login_required
def questions(request, slug: str):
    procedure = catalogue.ALL.get(slug)
    if procedure is None:
        raise Http404
    context = _context(request, slug)
    plan = engine.plan(procedure, context)
    key = _session_key(slug, context)
    answers = request.session.get(key, {})
    errors: dict[str, str] = {}
    journey = _journey(request, slug, context, "questions")
    if request.method == "POST":
        answers = _answers_from_post(request, plan)
        journeys.record(journey, Activity.SUBMITTED)
        try:
            engine.check_answers(plan, answers)
        except engine.AnswerError as exc:
            errors = exc.errors
            journeys.validation_errors(journey, exc.codes)
        else:
            request.session[key] = answers
            return redirect(reverse("www:procedure_check", args=[slug]) + _params(context))
    if not plan.asked and request.method == "GET":
        request.session[key] = {}
        return redirect(reverse("www:procedure_check", args=[slug]) + _params(context))
    if request.method == "GET":
        journeys.record(journey, Activity.STEP_VIEWED)
    return render(
        request,
        "www/procedure_questions.html",
        {
            "procedure": procedure,
            "plan": plan,
            "answers": answers,
            "errors": errors,
            "params": _params(context),
            "weekdays": WEEKDAY_LABELS,
            "journey": journey,
        },
        status=400 if errors else 200,
    )


@login_required
def check(request, slug: str):
    procedure = catalogue.ALL.get(slug)
    if procedure is None:
        raise Http404
    context = _context(request, slug)
    plan = engine.plan(procedure, context)
    key = _session_key(slug, context)
    answers = request.session.get(key)
    if answers is None:
        return redirect(reverse("www:procedure", args=[slug]) + _params(context))
    journey = _journey(request, slug, context, "verification")
    if request.method == "POST":
        journeys.record(journey, Activity.SUBMITTED)
        try:
            _run, target = flows.finish(plan, answers, request.user, _typed(answers))
        except engine.AnswerError as exc:
            journeys.validation_errors(journey, exc.codes)
            messages.error(request, "Certaines réponses sont à corriger.")
            request.session[key] = answers
            return render(
                request,
                "www/procedure_questions.html",
                {
                    "procedure": procedure,
                    "plan": plan,
                    "answers": answers,
                    "errors": exc.errors,
                    "params": _params(context),
                    "weekdays": WEEKDAY_LABELS,
                    "journey": journey,
                },
                status=400,
            )
        except flows.FlowError as exc:
            journeys.record(journey, Activity.VALIDATION_ERROR, error_code="refused")
            messages.error(request, str(exc))
            return redirect(reverse("www:procedure", args=[slug]) + _params(context))
        journeys.close(journey)
        request.session.pop(key, None)
        messages.success(request, f"« {procedure.title} » : c'est enregistré.")
        return redirect(_after(slug, target))
    journeys.record(journey, Activity.STEP_VIEWED)
    shown = []
    for item in plan.items:
        value = answers.get(item.need.key) if item.how == "ask" else item.value
        shown.append({"item": item, "display": _display(item.need, value)})
    return render(
        request,
        "www/procedure_check.html",
        {
            "procedure": procedure,
            "plan": plan,
            "shown": shown,
            "params": _params(context),
            "estimate": _estimate(context["contract"], answers)
            if slug == catalogue.END_OF_CONTRACT.slug
            else None,
        },
    )


ESTIMATED = (
    "leave_compensation",
    "regularisation_pay",
    "termination_indemnity",
    "gross_pay",
    "net_pay",
    "net_paid",
)


def _estimate(contract, answers) -> dict | None:
    """The end-of-contract simulator: what the last month will pay, before confirming."""
    import datetime as dt

    from unefois.declarations.services import final_estimate
    from unefois.rules.intake import InputError

    try:
        end = dt.date.fromisoformat(answers["end_date"])
        slip = final_estimate(contract, end, answers["end_reason"])
    except (InputError, KeyError, ValueError):
        return None
    return {
        "figures": [(line.label, line.amount) for line in slip.lines if line.code in ESTIMATED],
        "notice": slip.facts.get("preavis"),
        "seniority": slip.facts.get("anciennete_mois"),
        "errors": [f.message for f in slip.errors],
    }


def _display(need: engine.Need, value) -> str:
    if value in (None, ""):
        return "—"
    if need.kind == "schedule" and isinstance(value, dict):
        parts = [
            f"{WEEKDAY_LABELS[d]} {str(value[d]).replace('.', ',')} h"
            for d in engine.WEEKDAYS
            if str(value.get(d) or "").strip() not in ("", "0")
        ]
        return ", ".join(parts)
    if need.kind == "boolean":
        return "Oui" if value in (True, "oui", "true", "1") else "Non"
    if need.choices:
        return dict(need.choices).get(str(value), str(value))
    if need.kind == "iban":
        text = str(value).replace(" ", "")
        return f"{text[:4]} •••• {text[-4:]}"
    if need.kind == "nir":
        return f"{str(value)[:1]} •• •• •• ••• ••• {str(value)[-2:]}"
    return str(value).replace(".", ",") if need.kind in ("money", "decimal") else str(value)


def _after(slug: str, target) -> str:
    if slug == catalogue.EMPLOYER_SIGNUP.slug:
        return reverse("www:parent")
    if slug == catalogue.EMPLOYEE_SIGNUP.slug:
        return reverse("www:employee")
    if slug in (catalogue.HIRE.slug, catalogue.END_OF_CONTRACT.slug):
        return reverse("www:contract", args=[target.pk])
    return reverse("www:my_data")
