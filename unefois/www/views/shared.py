"""Pages both parties see: home, a declaration and its versions, « Mes données »."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from unefois.audit.services import StaleVersionError
from unefois.contracts.models import Contract
from unefois.declarations import actions as declaration_actions
from unefois.declarations import services as declarations
from unefois.declarations.models import Contest, Declaration, Status
from unefois.facts import services as vault
from unefois.facts.actions import do_correct_fact
from unefois.facts.models import Fact, SubjectType
from unefois.procedures import catalogue

from .common import person_of

# Labels of the facts shown in « Mes données ».
LABELS = {
    "given_name": "Prénom(s)",
    "family_name": "Nom de naissance",
    "preferred_username": "Nom d'usage",
    "birthdate": "Date de naissance",
    "gender": "Sexe",
    "birthplace": "Lieu de naissance (code INSEE)",
    "birthcountry": "Pays de naissance (code INSEE)",
    "email": "Adresse électronique",
    "street": "Adresse",
    "postcode": "Code postal",
    "city": "Commune",
    "departement": "Département",
    "alsace_moselle": "Régime local d'Alsace-Moselle",
    "employer_number": "Numéro d'employeur",
    "pajemploi_number": "Numéro de salarié",
    "dependent_children": "Enfants à charge",
    "single_parent": "Parent isolé",
    "monthly_resources": "Ressources mensuelles du foyer",
    "cmg": "Perçoit le CMG",
    "employee_kind": "Métier",
    "nir": "Numéro de sécurité sociale",
    "iban": "IBAN",
    "rate_hourly_gross": "Tarif horaire brut habituel",
    "rate_entretien_per_day": "Indemnité d'entretien habituelle",
}
# Facts a person may not correct here (they come from FranceConnect or are numbers we assign).
LOCKED = {
    "given_name",
    "family_name",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "employer_number",
    "pajemploi_number",
    "departement",
    "alsace_moselle",
}


def home(request):
    if request.user.is_authenticated:
        person = person_of(request)
        if person.is_employer and not person.is_employee:
            return redirect("www:parent")
        if person.is_employee and not person.is_employer:
            return redirect("www:employee")
        if not (person.is_employer or person.is_employee):
            return render(
                request,
                "www/choose_role.html",
                {
                    "employer": catalogue.EMPLOYER_SIGNUP,
                    "employee": catalogue.EMPLOYEE_SIGNUP,
                },
            )
    demo = _demo_people() if getattr(settings, "DEMO_ACCOUNTS", False) else []
    return render(request, "www/home.html", {"demo": demo})


def _demo_people() -> list:
    """The demo accounts one can sign in with (the development provider's identities)."""
    from unefois.people.models import Person

    try:
        from unefois.devidp.identities import DEMO
    except ImportError:
        return []
    subs = [identity["sub"] for identity in DEMO]
    return list(
        Person.objects.filter(user__oidc_sub__in=subs)
        .select_related("user")
        .order_by("-is_employer", "-is_employee", "display_name")
    )


def _declaration_for(request, pk: int) -> tuple[Declaration, str]:
    declaration = get_object_or_404(
        Declaration.objects.select_related(
            "contract__employer", "contract__employee", "current_version"
        ),
        pk=pk,
    )
    person = person_of(request)
    if declaration.contract.employer_id == person.pk:
        return declaration, "employer"
    if declaration.contract.employee_id == person.pk:
        return declaration, "employee"
    raise PermissionDenied("Cette déclaration ne vous concerne pas.")


@login_required
def declaration(request, pk: int):
    d, role = _declaration_for(request, pk)
    errors = {}
    if request.method == "POST" and role == "employee":
        try:
            declaration_actions.do_contest(
                request.user,
                d,
                request.POST.get("motif", ""),
                int(request.POST.get("version", 0)) or None,
            )
        except declaration_actions.DeclarationError as exc:
            errors["motif"] = str(exc)
        except StaleVersionError:
            errors["motif"] = "La déclaration a changé entre-temps : rechargez la page."
        else:
            messages.success(request, "Votre contestation est envoyée à votre employeur.")
            return redirect("www:declaration", pk=d.pk)
    # The page lists the versions and the contests: not their payslips (JSON, the largest part).
    versions = list(
        d.versions.only("declaration", "number", "created_at", "reason").order_by("-number")
    )
    contests = list(
        Contest.objects.filter(version__declaration=d)
        .select_related("created_by__person", "resolved_by")
        .defer("resolved_by__inputs", "resolved_by__results", "resolved_by__events")
        .order_by("created_at")
    )
    return render(
        request,
        "www/declaration.html",
        {
            "declaration": d,
            "role": role,
            "label": declarations.month_label(d.period),
            "slip": declarations.explained(d.current_version),
            "versions": versions,
            "contests": contests,
            "errors": errors,
            "contested": d.status == Status.CONTESTED,
        },
        status=400 if errors else 200,
    )


@login_required
def my_data(request):
    """Every fact about me, my children and my contracts, with its source and date."""
    person = person_of(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        fact = get_object_or_404(
            Fact,
            pk=request.POST.get("fact"),
            superseded_at__isnull=True,
            subject_type=SubjectType.PERSON,
            subject_id=person.pk,
        )
        value = request.POST.get("value", "").strip()
        if fact.key in LOCKED:
            errors[str(fact.pk)] = (
                "Cette donnée vient de FranceConnect ou de nous : elle ne se corrige pas ici."
            )
        elif not value:
            errors[str(fact.pk)] = "Indiquez la nouvelle valeur."
        else:
            from unefois.procedures import engine

            need = _need_for(fact.key)
            try:
                cleaned = engine.clean(need, value) if need else value
            except ValueError as exc:
                errors[str(fact.pk)] = str(exc)
            else:
                do_correct_fact(request.user, fact, cleaned)
                messages.success(
                    request,
                    f"« {LABELS.get(fact.key, fact.key)} » est corrigé pour toutes vos démarches.",
                )
                return redirect("www:my_data")
    mine = sorted(vault.current(SubjectType.PERSON, person.pk).values(), key=lambda f: f.key)
    children = list(person.children.all())
    child_facts = vault.current_many(SubjectType.CHILD, [c.pk for c in children])
    contracts = list(Contract.objects.filter(Q(employer=person) | Q(employee=person)))
    contract_facts = vault.current_many(SubjectType.CONTRACT, [c.pk for c in contracts])
    from unefois.contracts.terms import TERMS

    return render(
        request,
        "www/my_data.html",
        {
            "facts": [(LABELS.get(f.key, f.key), f, f.key not in LOCKED, _shown(f)) for f in mine],
            "children": [
                (c, sorted(child_facts.get(c.pk, {}).values(), key=lambda f: f.key))
                for c in children
            ],
            "contracts": [
                (c, [(TERMS.get(k, k), f) for k, f in sorted(contract_facts.get(c.pk, {}).items())])
                for c in contracts
            ],
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _shown(fact: Fact) -> str:
    if fact.key == "iban":
        return f"{fact.value[:4]} •••• {fact.value[-4:]}"
    if fact.key == "nir":
        return f"{fact.value[:1]} •• •• •• ••• ••• {fact.value[-2:]}"
    if isinstance(fact.value, bool):
        return "Oui" if fact.value else "Non"
    return str(fact.value)


def _need_for(key: str):
    for procedure in catalogue.ALL.values():
        for need in procedure.needs:
            if need.key == key:
                return need
    return None


SUPPORT_MAX = 2000


def support(request):
    """« Contacter l'assistance » : a question in one's own words, about a procedure or not."""
    from unefois.journeys.capture import services as journeys
    from unefois.journeys.events import PROCEDURES

    values = {
        "demarche": request.GET.get("demarche", ""),
        "message": "",
        "email": "",
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        if values["demarche"] not in PROCEDURES and values["demarche"] != "autre":
            errors["demarche"] = "Choisissez la démarche concernée, ou « Autre question »."
        if not values["message"]:
            errors["message"] = "Écrivez votre question."
        elif len(values["message"]) > SUPPORT_MAX:
            errors["message"] = (
                f"Votre message fait {len(values['message'])} caractères : "
                f"{SUPPORT_MAX} au plus, raccourcissez-le."
            )
        if not request.user.is_authenticated:
            from django.core.exceptions import ValidationError
            from django.core.validators import validate_email

            try:
                validate_email(values["email"])
            except ValidationError:
                errors["email"] = (
                    "Indiquez une adresse électronique valide, pour que nous puissions répondre."
                )
        if not errors:
            procedure = "" if values["demarche"] == "autre" else values["demarche"]
            journeys.contact_support(request, procedure, values["message"], values["email"])
            messages.success(
                request,
                "Votre message est envoyé à l'équipe d'assistance, qui vous répondra.",
            )
            return redirect("www:home")
    return render(
        request,
        "www/support.html",
        {"values": values, "errors": errors, "procedures": PROCEDURES, "max": SUPPORT_MAX},
        status=400 if errors else 200,
    )


def measurement(request):
    """« Mesure des parcours » : what is measured, and the choice to say no."""
    from unefois.journeys.capture import services as journeys

    if request.method == "POST":
        choice = request.POST.get("choix")
        response = redirect("www:measurement")
        if choice == "non":
            response.set_cookie(
                journeys.OPT_OUT_COOKIE,
                "non",
                max_age=395 * 86400,
                samesite="Lax",
                secure=request.is_secure(),
            )
            messages.success(
                request, "C'est noté : vos parcours ne seront pas mesurés sur ce navigateur."
            )
        elif choice == "oui":
            response.delete_cookie(journeys.OPT_OUT_COOKIE)
            messages.success(request, "C'est noté : vos parcours seront mesurés, sans votre nom.")
        return response
    header = request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"
    return render(
        request,
        "www/measurement.html",
        {
            "declined": journeys.declined(request),
            "header": header,
            "retention_days": journeys.retention().days,
        },
    )


@login_required
def sharing(request):
    """« Qui a reçu mes données » : each partner's access (who, which data, when, why, on which
    legal basis) and the person's objections to the exchanges that are not mandatory."""
    from unefois.exchange import actions as exchange_actions
    from unefois.exchange import services as exchange

    person = person_of(request)
    partners = {p.pk: p for p in exchange.partners_open_to_objection()}
    if request.method == "POST":
        choice = request.POST.get("partenaire", "")
        objections = exchange.active_objections(person)
        if request.POST.get("action") == "opposer":
            if choice == "tous":
                exchange_actions.do_object(request.user, person, None)
                messages.success(
                    request, "Votre opposition à tous les échanges facultatifs est enregistrée."
                )
            elif choice.isdigit() and int(choice) in partners:
                partner = partners[int(choice)]
                exchange_actions.do_object(request.user, person, partner)
                messages.success(
                    request, f"Votre opposition aux échanges avec {partner.name} est enregistrée."
                )
            else:
                messages.error(request, "Choisissez un organisme dans la liste.")
        elif request.POST.get("action") == "retirer":
            chosen = [o for o in objections if str(o.pk) == request.POST.get("opposition")]
            if chosen:
                exchange_actions.do_withdraw_objection(request.user, chosen[0])
                messages.success(request, "Votre opposition est retirée.")
            else:
                messages.error(request, "Cette opposition n'existe pas ou est déjà retirée.")
        return redirect("www:sharing")
    objections = exchange.active_objections(person)
    objected = {o.partner_id for o in objections}
    return render(
        request,
        "www/sharing.html",
        {
            "accesses": exchange.accesses_for(person),
            "objections": objections,
            "all_objected": None in objected,
            "partners": [p for p in partners.values() if p.pk not in objected],
        },
    )
