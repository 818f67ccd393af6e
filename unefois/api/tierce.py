"""The third-party declaration API, compatible with Urssaf's « API Tierce Déclaration
Pajemploi » (Swagger 2.0, ``/tiersdecl/v1/paje``): the same paths, methods, field names, types
and error shape, answered with the rules core's figures and the platform's records.

Authentication is the partner API's (``unefois.exchange.tokens``): an OAuth2 access token
obtained with ``private_key_jwt`` on ``/api/partenaires/jeton``, then the client's rate limit.
Each call needs a scope of the resource ``tierce_declaration`` listing its operation, and
writes one entry of the exchange log (metadata only), in the same transaction as what it
changes. Acting for an employer (children, employees, pre-declaring, declaring) needs the
employer's mandate (``POST /mandats``).

French documentation: docs/api-tierce.md."""

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Body, NinjaAPI, Path, Query, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from unefois.declarations.models import Declaration
from unefois.exchange import chain, ratelimit, tokens
from unefois.exchange.auth import PartnerToken, RateLimitedError
from unefois.exchange.models import Scope
from unefois.people.models import Person

from . import actions, codes, grants, identity, mapping, services
from .codes import ApiError, Problem, refuse
from .models import Mandate
from .schemas import (
    Date,
    Erreur,
    InputCreationSalarie,
    InputDeclarationAma,
    InputDeclarationGed,
    InputEstimationAma,
    InputEstimationGed,
    InputIdentificationSalarie,
    InputVerificationEnfantPe,
    OutputAssociationEmployeurSalarie,
    OutputDeclaration,
    OutputEstimation,
    OutputPreDeclaration,
    OutputVerificationEnfantPe,
    OutputVerificationPe,
    OutputVerificationSp,
)

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="unefois — API de tierce déclaration (compatible « API Tierce Déclaration Pajemploi »)",
    version="1.0.0",
    description=(
        "Les chemins, méthodes, noms de champs, types et formes d'erreur de l'API Tierce "
        "Déclaration Pajemploi de l'Urssaf (Swagger 2.0, base `/tiersdecl/v1/paje`), servis "
        "par unefois avec les montants de son cœur de règles.\n\n"
        "**Authentification** : jeton d'accès OAuth2 obtenu sur `POST /api/partenaires/jeton` "
        "(*client credentials*, assertion `private_key_jwt`), présenté en "
        "`Authorization: Bearer`. Le client doit détenir un périmètre de la ressource "
        "`tierce_declaration` ; agir pour un employeur demande son mandat (`POST /mandats`).\n\n"
        "**Erreurs** : liste d'objets `{code, message, description}` (un seul objet pour "
        "`/mandats`), codes `ER_API_<api>_<B|NB>_<n>`. Documentation : `docs/api-tierce.md`."
    ),
    urls_namespace="tierce-declaration",
)
router = Router()

# Parameters, as the Swagger names and bounds them.
EMPLOYER_NUMBER = Path(
    ...,
    alias="numeroPajeEmployeur",
    min_length=14,
    max_length=14,
    description="Numéro Pajemploi de l'employeur (14 caractères ; unefois : son numéro "
    "complété de zéros à gauche).",
)
EMPLOYER_BIRTH = Query(
    ..., alias="dtNaissanceEmployeur", description="Date de naissance de l'employeur."
)
EMPLOYEE_NUMBER = Query(None, alias="numeroPajeSalarie", min_length=14, max_length=14)
EMPLOYEE_NIR = Query(None, alias="nirSalarie", min_length=15, max_length=15)
EMPLOYEE_BIRTH = Query(None, alias="dtNaissanceSalarie")
EMPLOYEE_BIRTH_REQUIRED = Query(..., alias="dtNaissanceSalarie")
MANDATE_NUMBER = Query(..., alias="numeroPaje", min_length=14, max_length=14)
MANDATE_BIRTH = Query(..., alias="dateNaissance")
NO_BODY = Body(None)


# ---- Which operation a request is ---------------------------------------------------------------

_ROUTES: tuple[tuple[str, re.Pattern, str], ...] = tuple(
    (method, re.compile(pattern), operation)
    for method, pattern, operation in (
        ("GET", r"/employeurs/[^/]*/verifier$", "verificationPePaje"),
        ("POST", r"/employeurs/[^/]*/enfants/verifier$", "verificationEnfantsPe"),
        ("POST", r"/salaries/verifier$", "verificationSpPaje"),
        ("POST", r"/employeurs/[^/]*/salarie/associer$", "associerSalarie"),
        ("POST", r"/mandats$", "enregistrerMandatPaje"),
        ("DELETE", r"/mandats$", "annulerMandatPaje"),
        ("POST", r"/ama/estimer$", "estimerCotisationsAma"),
        ("POST", r"/ged/estimer$", "estimerCotisationsGed"),
        ("POST", r"/employeurs/[^/]*/ama/predeclarer$", "predeclarerSalaireAma"),
        ("POST", r"/employeurs/[^/]*/ged/predeclarer$", "predeclarerSalaireGed"),
        ("POST", r"/employeurs/[^/]*/ama/declarer$", "declarerSalaireAma"),
        ("POST", r"/employeurs/[^/]*/ged/declarer$", "declarerSalaireGed"),
    )
)
SINGLE_ERROR = {"enregistrerMandatPaje", "annulerMandatPaje"}


def operation_of(request: HttpRequest) -> str:
    for method, pattern, operation in _ROUTES:
        if request.method == method and pattern.search(request.path):
            return operation
    return ""


def _error_response(request, status: int, error: ApiError) -> HttpResponse:
    operation = operation_of(request)
    body = error.body(operation, single=operation in SINGLE_ERROR)
    response = JsonResponse(
        body, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )
    for name, value in error.headers.items():
        response[name] = value
    return response


# ---- Authentication, rate limit, errors before the view ---------------------------------------


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    error = refuse(
        codes.INVALID_TOKEN,
        "Jeton d'authentification absent ou invalide.",
        "Demandez un jeton d'accès sur /api/partenaires/jeton (OAuth2 client credentials, "
        "assertion private_key_jwt) et présentez-le en « Authorization: Bearer ».",
        status=401,
        headers={"WWW-Authenticate": 'Bearer realm="unefois", error="invalid_token"'},
    )
    return _error_response(request, 401, error)


@api.exception_handler(RateLimitedError)
def _rate_limited(request, exc: RateLimitedError):
    seconds = ratelimit.retry_after(exc.wait)
    error = refuse(
        codes.TOO_MANY_REQUESTS,
        "Trop d'appels pour ce client.",
        f"Réessayez dans {seconds} s.",
        status=429,
        headers={"Retry-After": str(seconds)},
    )
    return _error_response(request, 429, error)


_FRENCH = {
    "missing": "champ obligatoire",
    "string_too_short": "trop court",
    "string_too_long": "trop long",
    "string_type": "texte attendu",
    "string_pattern_mismatch": "caractères non autorisés",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "bool_type": "true ou false attendu",
    "bool_parsing": "true ou false attendu",
    "decimal_type": "nombre attendu",
    "decimal_parsing": "nombre attendu",
    "multiple_of": "valeur hors du pas autorisé",
    "date_type": "date attendue au format AAAA-MM-JJ",
    "date_parsing": "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_parsing": "date attendue au format AAAA-MM-JJ",
    "date_from_datetime_inexact": "date attendue au format AAAA-MM-JJ",
    "list_type": "liste attendue",
    "model_attributes_type": "objet JSON attendu",
    "dict_type": "objet JSON attendu",
    "model_type": "objet JSON attendu",
    "json_invalid": "JSON illisible",
}


def _french(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in ("greater_than_equal", "greater_than"):
        return f"valeur trop petite (minimum : {next(iter(ctx.values()), '')})"
    if kind in ("less_than_equal", "less_than"):
        return f"valeur trop grande (maximum : {next(iter(ctx.values()), '')})"
    if kind in ("string_too_short", "string_too_long"):
        limit = ctx.get("min_length", ctx.get("max_length", ""))
        bound = "moins" if kind.endswith("short") else "plus"
        return f"{_FRENCH[kind]} ({limit} caractères au {bound})"
    if kind == "multiple_of":
        return f"{_FRENCH[kind]} (multiple de {ctx.get('multiple_of', '')})"
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", "valeur invalide")))
    return _FRENCH.get(kind, "valeur invalide")


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    problems = []
    for error in exc.errors:
        loc = [str(x) for x in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path"):
            loc = loc[1:]
        if loc and loc[0] in ("body", "payload"):
            loc = loc[1:]
        name = ".".join(loc) or "requête"
        problems.append(
            Problem(
                codes.INVALID_REQUEST,
                f"Requête incorrecte : {name} ({_french(error)}).",
                f"Champ {name} : {_french(error)}.",
            )
        )
    if not problems:
        problems.append(Problem(codes.INVALID_REQUEST, "Requête incorrecte."))
    return _error_response(request, 400, ApiError(400, problems))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    message = "Requête incorrecte." if exc.status_code < 500 else "Erreur technique."
    number = codes.INVALID_REQUEST if exc.status_code < 500 else codes.TECHNICAL
    error = ApiError(exc.status_code, [Problem(number, message, str(exc))])
    return _error_response(request, exc.status_code, error)


@api.exception_handler(Exception)
def _technical(request, exc: Exception):
    logger.exception("Erreur technique de l'API de tierce déclaration")
    error = ApiError(500, [Problem(codes.TECHNICAL, "Erreur technique.", "Réessayez plus tard.")])
    return _error_response(request, 500, error)


# ---- One call: scope, work, exchange log --------------------------------------------------------


def _scope(caller: tokens.Caller, operation: str) -> Scope:
    for scope in Scope.objects.filter(
        partner=caller.partner, code__in=caller.scopes, resource=grants.RESOURCE, active=True
    ):
        if operation in (scope.fields or []):
            return scope
    raise refuse(
        codes.SCOPE,
        "Authentification refusée : opération non autorisée pour ce client.",
        f"Votre jeton ne donne accès à aucun périmètre « {grants.RESOURCE} » qui comprenne "
        f"l'opération {operation}.",
        status=403,
    )


Work = Callable[[tokens.Caller], tuple[int, Any, int | None]]


def handle(request: HttpRequest, operation: str, work: Work) -> HttpResponse:
    """Run ``work`` (which returns status, body and the person concerned) for the caller; a
    refusal (``ApiError``) undoes what it changed. Either way, one exchange-log entry."""
    caller: tokens.Caller = request.auth
    meta: dict[str, Any] = {
        "client": caller.partner.client_id,
        "token": caller.token_id,
        "resource": grants.RESOURCE,
        "operation": operation,
        "purpose": grants.PURPOSE,
        "scope": None,
        "request": uuid.uuid4().hex,
    }

    def run():
        headers: dict[str, str] = {}
        try:
            with transaction.atomic():
                scope = _scope(caller, operation)
                meta["scope"] = scope.code
                status, body, subject = work(caller)
            result = "ok"
        except ApiError as error:
            status, subject, result = error.status, error.subject, error.result
            body = error.body(operation, single=operation in SINGLE_ERROR)
            headers = error.headers
        chain.append({**meta, "subject": subject, "result": result, "status": status})
        return status, body, headers

    status, body, headers = chain.write(run)
    if body is None:
        response = HttpResponse(status=status)
    else:
        response = JsonResponse(
            body, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
        )
    for name, value in headers.items():
        response[name] = value
    return response


# ---- Shared steps ------------------------------------------------------------------------------


def _employer(number: str, birth: dt.date) -> Person:
    employer = identity.find_employer(number, birth)
    if employer is None:
        raise refuse(
            codes.EMPLOYER_UNKNOWN,
            "Compte employeur inconnu.",
            "Aucun particulier employeur ne correspond à ce numéro et à cette date de naissance.",
        )
    return employer


def _mandated(caller: tokens.Caller, employer: Person) -> None:
    if not actions.has_mandate(caller.partner, employer):
        raise refuse(
            codes.NO_MANDATE,
            "Aucun mandat de tierce déclaration en cours pour cet employeur.",
            "Enregistrez le mandat que l'employeur vous a donné (POST /mandats) avant d'agir "
            "pour son compte.",
            subject=employer.pk,
        )


def _child_queries(children) -> list[identity.ChildQuery]:
    return [
        identity.ChildQuery(c.nom_enfant, c.prenom_enfant, c.dt_naissance_enfant)
        for c in children or []
    ]


def _erreurs(problems: list[Problem], operation: str) -> list[dict]:
    return [p.as_erreur(operation) for p in problems]


# ---- Employers, children, employees, mandates ---------------------------------------------------

ERRORS = {400: list[Erreur], 401: list[Erreur], 403: list[Erreur], 429: list[Erreur]}
COMMON: dict[str, Any] = {"auth": PartnerToken(), "by_alias": True}
# The mandate operations answer 200 without a body, and a 400 with one error (Urssaf's Swagger).
MANDATE_ANSWERS = {200: None, **ERRORS, 400: Erreur}


@router.get(
    "/employeurs/{numeroPajeEmployeur}/verifier",
    response={200: OutputVerificationPe, **ERRORS},
    summary="API PAJE020 - Vérifier un compte Pajemploi pour un particulier employeur",
    operation_id="verificationPePaje",
    **COMMON,
)
def verify_employer(
    request,
    numero: str = EMPLOYER_NUMBER,
    birth: Date = EMPLOYER_BIRTH,
):
    """Le compte employeur existe-t-il, est-il actif ? `employeurAutoriseOk` : compte actif."""

    def work(caller):
        employer = _employer(numero, birth)
        state = identity.account_state(employer)
        body = {"employeurAutoriseOk": state == "Actif", "etatCompteEnLigne": state}
        return 200, body, employer.pk

    return handle(request, "verificationPePaje", work)


@router.post(
    "/employeurs/{numeroPajeEmployeur}/enfants/verifier",
    response={200: OutputVerificationEnfantPe, **ERRORS},
    summary="API PAJE022 - Vérification des enfants ouvrant droit d'un particulier employeur",
    operation_id="verificationEnfantsPe",
    **COMMON,
)
def verify_children(
    request,
    body: InputVerificationEnfantPe,
    numero: str = EMPLOYER_NUMBER,
    birth: Date = EMPLOYER_BIRTH,
):
    """Statut 1 : enfant trouvé (date de naissance, prénom et nom) et ouvrant droit au CMG
    aujourd'hui ; 2 : trouvé par la date de naissance et le prénom seulement ; 0 : sinon."""

    def work(caller):
        employer = _employer(numero, birth)
        _mandated(caller, employer)
        checks = identity.verify_children(
            employer, _child_queries(body.input_enfant_pe), services.today()
        )
        out = {"verificationEnfantPe": [identity.child_verification(c) for c in checks]}
        return 200, out, employer.pk

    return handle(request, "verificationEnfantsPe", work)


def _employee_query(number, nir, birth, ident) -> identity.EmployeeQuery:
    return identity.EmployeeQuery(
        number=number,
        nir=nir,
        birth=birth or (ident.dt_naissance_salarie if ident else None),
        family_name=ident.nom_naissance if ident else None,
        given_name=ident.prenom if ident else None,
    )


def _find_employee(query: identity.EmployeeQuery, subject: int | None = None) -> Person:
    if not query.enough:
        raise refuse(
            codes.EMPLOYEE_IDENTIFICATION,
            "Salarié non identifié.",
            "Indiquez le numéro Pajemploi du salarié, son NIR, ou son nom de naissance, son "
            "prénom et sa date de naissance.",
            subject=subject,
        )
    employee = identity.find_employee(query)
    if employee is None:
        raise refuse(
            codes.EMPLOYEE_UNKNOWN,
            "Salarié inconnu.",
            "Aucun salarié inscrit sur unefois ne correspond à ces informations.",
            subject=subject,
        )
    return employee


@router.post(
    "/salaries/verifier",
    response={200: OutputVerificationSp, **ERRORS},
    summary="API PAJE021 - Vérifier un compte Pajemploi pour un salarié particulier",
    operation_id="verificationSpPaje",
    **COMMON,
)
def verify_employee(
    request,
    number: str | None = EMPLOYEE_NUMBER,
    nir: str | None = EMPLOYEE_NIR,
    birth: Date | None = EMPLOYEE_BIRTH,
    body: InputIdentificationSalarie | None = NO_BODY,
):
    """Le salarié par son numéro, son NIR ou son état civil : numéro, métiers, compte."""

    def work(caller):
        employee = _find_employee(_employee_query(number, nir, birth, body))
        return 200, identity.employee_verification(employee), employee.pk

    return handle(request, "verificationSpPaje", work)


@router.post(
    "/employeurs/{numeroPajeEmployeur}/salarie/associer",
    response={200: OutputAssociationEmployeurSalarie, **ERRORS},
    summary="API PAJE023 - Associer un salarié à un particulier employeur",
    operation_id="associerSalarie",
    **COMMON,
)
def link_employee(
    request,
    numero: str = EMPLOYER_NUMBER,
    birth: Date = EMPLOYER_BIRTH,
    employee_birth: Date = EMPLOYEE_BIRTH_REQUIRED,
    number: str | None = EMPLOYEE_NUMBER,
    nir: str | None = EMPLOYEE_NIR,
    body: InputCreationSalarie | None = NO_BODY,
):
    """Associe un salarié inscrit sur unefois à l'employeur. unefois ne crée pas de compte
    salarié pour un tiers : le salarié s'inscrit lui-même (FranceConnect)."""

    def work(caller):
        employer = _employer(numero, birth)
        _mandated(caller, employer)
        ident = body.input_identification_salarie if body else None
        query = _employee_query(number, nir or (body.nir_salarie if body else None), None, ident)
        query = identity.EmployeeQuery(
            query.number, query.nir, employee_birth, query.family_name, query.given_name
        )
        kind = body.type_activite_salarie if body else None
        if kind is not None and kind not in ("A", "G"):
            raise refuse(
                codes.UNKNOWN_VALUE,
                "Type d'activité inconnu.",
                "typeActiviteSalarie vaut A (assistant maternel) ou G (garde à domicile).",
                subject=employer.pk,
            )
        try:
            employee = _find_employee(query, employer.pk)
        except ApiError as error:
            if body is not None and (body.input_identification_salarie or body.nir_salarie):
                raise refuse(
                    codes.EMPLOYEE_CREATION,
                    "Salarié inconnu : unefois ne crée pas de compte salarié pour un tiers.",
                    "Le salarié s'inscrit lui-même sur unefois (FranceConnect) ; associez-le "
                    "ensuite.",
                    subject=employer.pk,
                ) from None
            raise error
        if kind == "A" and employee.employee_kind != "ama":
            raise refuse(
                codes.ACTIVITY_KIND,
                "Ce salarié n'est pas assistant maternel agréé sur unefois.",
                subject=employer.pk,
            )
        already = identity.has_contract(employer, employee)
        _, created = actions.do_link_employee(None, caller.partner, employer, employee)
        notices = []
        if body is not None and (body.input_identification_salarie or body.input_adresse_salarie):
            notices.append(
                Problem(
                    codes.EMPLOYEE_NOT_CREATED,
                    "Les données de création du salarié ne sont pas enregistrées.",
                    "Le salarié tient lui-même ses informations à jour sur unefois.",
                    blocking=False,
                )
            )
        out = {
            "salarieCreeOk": False,
            "salarieAssocieOk": True,
            "salarieDejaAssocieOK": already or not created,
            "outputVerificationSp": identity.employee_verification(employee),
            "erreursNonBloquantes": _erreurs(notices, "associerSalarie"),
        }
        return 200, out, employer.pk

    return handle(request, "associerSalarie", work)


@router.post(
    "/mandats",
    response=MANDATE_ANSWERS,
    summary="API PAJE030 - Enregistrement de mandat",
    operation_id="enregistrerMandatPaje",
    **COMMON,
)
def register_mandate(
    request,
    numero: str = MANDATE_NUMBER,
    birth: Date = MANDATE_BIRTH,
):
    """Le particulier employeur a donné mandat au logiciel appelant (réponse 200 sans corps ;
    un mandat déjà en cours est conservé)."""

    def work(caller):
        employer = _employer(numero, birth)
        actions.do_register_mandate(None, caller.partner, employer)
        return 200, None, employer.pk

    return handle(request, "enregistrerMandatPaje", work)


@router.delete(
    "/mandats",
    response=MANDATE_ANSWERS,
    summary="API PAJE031 - Annulation de mandat",
    operation_id="annulerMandatPaje",
    **COMMON,
)
def cancel_mandate(
    request,
    numero: str = MANDATE_NUMBER,
    birth: Date = MANDATE_BIRTH,
):
    """Le mandat en cours est annulé (la ligne est gardée, avec sa date d'annulation)."""

    def work(caller):
        employer = _employer(numero, birth)
        if actions.do_cancel_mandate(None, caller.partner, employer) is None:
            raise refuse(
                codes.NO_MANDATE_TO_CANCEL,
                "Aucun mandat en cours à annuler.",
                "Ce logiciel n'a pas de mandat en cours pour cet employeur.",
                subject=employer.pk,
            )
        return 200, None, employer.pk

    return handle(request, "annulerMandatPaje", work)


# ---- Estimates ---------------------------------------------------------------------------------


def _positive_net(net: Decimal) -> None:
    if net <= 0:
        raise refuse(
            codes.INVALID_AMOUNT,
            "Le salaire net mensuel doit être supérieur à 0.",
            "mntSalaireNetMensuel : valeur supérieure à 0 attendue.",
        )


def _this_month() -> int:
    today = services.today()
    return today.year * 12 + today.month - 1


def _calculation_mode(mode: str) -> None:
    if mode in ("F", "S"):
        raise refuse(
            codes.CALCULATION_MODE,
            f"Mode de calcul « {mode} » non pris en charge : seul le mode réel « R » l'est.",
            "Les modes forfait et spécifique des départements d'outre-mer ne sont pas modélisés "
            "par le cœur de règles.",
        )
    if mode != "R":
        raise refuse(
            codes.UNKNOWN_VALUE,
            "Mode de calcul inconnu.",
            "cdModeCalcul vaut R (réel), F (forfait) ou S (spécifique).",
        )


@router.post(
    "/ama/estimer",
    response={200: OutputEstimation, **ERRORS},
    summary="API PAJE040 - Estimer les montants des cotisations pour une activité d'assistante "
    "maternelle",
    operation_id="estimerCotisationsAma",
    **COMMON,
)
def estimate_ama(request, body: InputEstimationAma):
    """Cotisations du mois en cours, prises en charge par le CMG (employeur bénéficiaire) ou
    restant à la charge de l'employeur ; le salaire net comprend les heures complémentaires et
    majorées."""

    def work(caller):
        _positive_net(body.mnt_salaire_net_mensuel)
        month = mapping.Month(
            kind="ama",
            period=_this_month(),
            net=body.mnt_salaire_net_mensuel,
            hours=max(1, body.nb_jours_activite * 9 * body.nb_enfants_gardes),
            days=body.nb_jours_activite,
            complementary_hours=float(body.nb_heures_complementaires or 0),
            majorated_hours=float(body.nb_heures_majorees or 0),
        )
        computed = services.estimate_ama(month, body.nb_enfants_gardes, body.cd_postal_salarie)
        out = {
            **mapping.estimate_amounts(mapping.amounts_of(computed.slip)),
            "erreursNonBloquantes": _erreurs(
                computed.warnings(skip=("TAUX_NEUTRE",)), "estimerCotisationsAma"
            ),
        }
        return 200, out, None

    return handle(request, "estimerCotisationsAma", work)


@router.post(
    "/ged/estimer",
    response={200: OutputEstimation, **ERRORS},
    summary="API PAJE041 - Estimer les montants des cotisations pour une activité de garde "
    "d'enfant à domicile",
    operation_id="estimerCotisationsGed",
    **COMMON,
)
def estimate_ged(request, body: InputEstimationGed):
    """Cotisations du mois en cours : déduction forfaitaire par heure (`mntExoEmployeur`),
    prise en charge partielle par le CMG selon l'âge du plus jeune enfant."""

    def work(caller):
        _positive_net(body.mnt_salaire_net_mensuel)
        _calculation_mode(body.cd_mode_calcul)
        if body.indc_enfant_plus_jeune_agarder not in ("1", "2", "3"):
            raise refuse(
                codes.UNKNOWN_VALUE,
                "Âge de l'enfant le plus jeune inconnu.",
                "indcEnfantPlusJeuneAgarder vaut 1 (moins de 3 ans), 2 (3 à 6 ans) ou 3 (plus "
                "de 6 ans).",
            )
        month = mapping.Month(
            kind="ged",
            period=_this_month(),
            net=body.mnt_salaire_net_mensuel,
            hours=body.nb_heures,
            overtime_25_hours=float(body.nb_hr_sup_maj_a25 or 0),
            overtime_50_hours=float(body.nb_hr_sup_maj_a50 or 0),
        )
        computed = services.estimate_ged(
            month,
            body.indc_enfant_plus_jeune_agarder,
            body.complement_activite_ok,
            body.cd_postal_employeur,
        )
        out = {
            **mapping.estimate_amounts(mapping.amounts_of(computed.slip)),
            "erreursNonBloquantes": _erreurs(
                computed.warnings(skip=("TAUX_NEUTRE",)), "estimerCotisationsGed"
            ),
        }
        return 200, out, None

    return handle(request, "estimerCotisationsGed", work)


# ---- Pre-declaring and declaring ---------------------------------------------------------------


def _month(kind: str, body: InputDeclarationAma | InputDeclarationGed) -> mapping.Month:
    """The month as the request declares it, after the functional checks of its fields."""
    common = body.input_decl_commun
    if common is None:
        raise refuse(
            codes.MISSING_PART,
            "La partie commune de la déclaration est obligatoire.",
            "inputDeclCommun : période, date de paiement, heures et salaire net.",
        )
    start, end = common.dt_debut_periode, common.dt_fin_periode
    if end < start or (start.year, start.month) != (end.year, end.month):
        raise refuse(
            codes.INVALID_PERIOD,
            "Période incorrecte.",
            "dtDebutPeriode et dtFinPeriode sont dans le même mois, la fin après le début.",
        )
    _positive_net(common.mnt_salaire_net_mensuel)
    amounts = {
        "mntSalaireHoraireNet": common.mnt_salaire_horaire_net,
        "mntAcompteSalarie": common.mnt_acompte_salarie,
        "mntIndemnitesKilometriques": common.mnt_indemnites_kilometriques,
    }
    if kind == "ama":
        amounts["mntIndemnitesRepas"] = body.mnt_indemnites_repas
        amounts["mntIndemnitesRupture"] = body.mnt_indemnites_rupture
    else:
        amounts["mntFraisTransport"] = body.mnt_frais_transport
        amounts["mntIndemnitesLicenciement"] = body.mnt_indemnites_licenciement
    negative = [name for name, value in amounts.items() if value is not None and value < 0]
    if negative:
        raise refuse(
            codes.INVALID_AMOUNT,
            "Montant négatif.",
            f"{', '.join(negative)} : montant positif ou nul attendu.",
        )
    ending = amounts.get("mntIndemnitesRupture") or amounts.get("mntIndemnitesLicenciement")
    if ending:
        raise refuse(
            codes.END_OF_CONTRACT,
            "La fin de contrat se déclare sur unefois.",
            "Les indemnités de rupture ou de licenciement sont calculées d'après l'historique du "
            "contrat sur la plateforme.",
        )
    zero = Decimal("0")
    if kind == "ama":
        if body.nb_jours_activite > 31:
            raise refuse(
                codes.INVALID_REQUEST,
                "Requête incorrecte : nbJoursActivite (31 au plus).",
                "Nombre de jours d'activité : supérieur à 0 et inférieur ou égal à 31.",
            )
        return mapping.Month(
            kind="ama",
            period=start.year * 12 + start.month - 1,
            net=common.mnt_salaire_net_mensuel,
            hours=common.nb_heures,
            days=body.nb_jours_activite,
            complementary_hours=float(body.nb_heures_complementaires or 0),
            majorated_hours=float(body.nb_heures_majorees or 0),
            entretien=body.mnt_indemnites_entretien or zero,
            meals=body.mnt_indemnites_repas or zero,
            mileage=common.mnt_indemnites_kilometriques or zero,
            advance=common.mnt_acompte_salarie or zero,
            hourly_net=common.mnt_salaire_horaire_net,
        )
    _calculation_mode(body.cd_mode_calcul)
    return mapping.Month(
        kind="ged",
        period=start.year * 12 + start.month - 1,
        net=common.mnt_salaire_net_mensuel,
        hours=common.nb_heures,
        overtime_25_hours=float(body.nb_hr_sup_maj_a25 or 0),
        overtime_50_hours=float(body.nb_hr_sup_maj_a50 or 0),
        mileage=common.mnt_indemnites_kilometriques or zero,
        transport=body.mnt_frais_transport or zero,
        advance=common.mnt_acompte_salarie or zero,
        hourly_net=common.mnt_salaire_horaire_net,
    )


def _declaration(kind: str, operation: str, record: bool, numero, birth, body) -> Work:
    """The work of pre-declaring (``record`` False) or declaring a month."""

    def work(caller):
        month = _month(kind, body)
        employer = _employer(numero, birth)
        _mandated(caller, employer)
        if identity.account_state(employer) == "Inactif":
            raise refuse(
                codes.EMPLOYER_INACTIVE,
                "Le compte en ligne de l'employeur est inactif.",
                subject=employer.pk,
            )
        sp = body.input_sp
        query = identity.EmployeeQuery(
            number=sp.numero_paje_salarie if sp else None,
            nir=sp.nir_salarie if sp else None,
            birth=sp.dt_naissance_salarie if sp else None,
        )
        if not (query.number or query.nir):
            raise refuse(
                codes.EMPLOYEE_IDENTIFICATION,
                "Salarié non identifié.",
                "inputSp : numéro Pajemploi ou NIR du salarié.",
                subject=employer.pk,
            )
        employee = _find_employee(query, employer.pk)
        checks = identity.verify_children(
            employer, _child_queries(body.input_decl_enfant), month.first_day
        )
        contract = _contract(employer, employee, kind, month, checks)
        if record and month.first_day > services.today():
            raise refuse(
                codes.FUTURE_PERIOD,
                "Ce mois n'a pas commencé : il ne peut pas encore être déclaré.",
                subject=employer.pk,
            )
        computed = services.platform_month(contract, month)
        amounts = mapping.amounts_of(computed.slip)
        rate = services.pas_rate(computed)
        notices = computed.warnings()
        if body.input_decl_commun.nb_heures_specifiques:
            notices.append(
                Problem(
                    codes.SPECIFIC_HOURS,
                    "Heures spécifiques sans effet en mode de calcul réel.",
                    "nbHeuresSpecifiques sert aux modes de calcul des départements d'outre-mer, "
                    "non pris en charge ; elles sont comptées dans nbHeures.",
                    blocking=False,
                )
            )
        existing = (
            Declaration.objects.filter(contract=contract, period=month.period)
            .select_related("current_version")
            .first()
        )
        reference = None
        if existing is not None and existing.current_version is not None:
            recorded = mapping.amounts_of_record(existing.current_version.results)
            if record and recorded != amounts:
                raise refuse(
                    codes.ALREADY_DECLARED,
                    "Ce mois est déjà déclaré avec d'autres montants.",
                    f"Salaire net enregistré : {recorded['net_pay']} € ; une correction se "
                    "fait sur unefois.",
                    subject=employer.pk,
                )
            if not record:
                notices.append(
                    Problem(
                        codes.DECLARED_ALREADY,
                        "Ce mois est déjà déclaré pour ce contrat.",
                        f"Salaire net enregistré : {recorded['net_pay']} €.",
                        blocking=False,
                    )
                )
        if record:
            mandate = Mandate.objects.get(
                partner=caller.partner, employer=employer, cancelled_at__isnull=True
            )
            declaration, _ = actions.do_declare_for(
                caller.partner, mandate, contract, month.period, computed.events, computed.terms
            )
            version = declaration.current_version
            amounts = mapping.amounts_of_record(version.results)
            rate = services.pas_rate_of_record(version.inputs)
            reference = f"UNEFOIS-{month.period // 12:04d}{month.period % 12 + 1:02d}-" + (
                f"{declaration.pk:08d}-{version.number}"
            )
        out: dict[str, Any] = {
            "declaration": mapping.declaration_amounts(amounts, rate, month),
            "verificationEnfantPe": [identity.child_verification(c) for c in checks],
            "erreursNonBloquantes": _erreurs(notices, operation),
        }
        if reference is not None:
            out = {"referenceDocumentaire": reference, **out}
        return 200, out, employer.pk

    return work


def _contract(employer, employee, kind, month: mapping.Month, checks):
    last = services.declarations.last_day(month.period)
    found = identity.contracts_for(employer, employee, kind, month.first_day, last)
    if len(found) > 1:
        children = {c.child.pk for c in checks if c.child is not None and c.status}
        narrowed = [c for c in found if c.child_id in children]
        if len(narrowed) == 1:
            return narrowed[0]
        raise refuse(
            codes.SEVERAL_CONTRACTS,
            "Plusieurs contrats correspondent : précisez l'enfant gardé.",
            "inputDeclEnfant : l'enfant du contrat à déclarer (un contrat par enfant sur unefois).",
            subject=employer.pk,
        )
    if not found:
        label = "d'assistant maternel" if kind == "ama" else "de garde à domicile"
        raise refuse(
            codes.NO_CONTRACT,
            f"Aucun contrat {label} en cours ce mois-ci entre cet employeur et ce salarié.",
            "Le contrat est créé sur unefois par l'employeur et confirmé par le salarié.",
            subject=employer.pk,
        )
    return found[0]


def _declaration_route(path: str, kind: str, operation: str, record: bool, schema, output, summary):
    def view(
        request,
        body: schema,
        numero: str = EMPLOYER_NUMBER,
        birth: Date = EMPLOYER_BIRTH,
    ):
        return handle(
            request, operation, _declaration(kind, operation, record, numero, birth, body)
        )

    view.__name__ = f"{'declare' if record else 'predeclare'}_{kind}"
    view.__doc__ = "Le mois calculé par le cœur de règles tel qu'unefois " + (
        "l'enregistre (déclaration idempotente : la même déclaration deux fois n'en fait qu'une)."
        if record
        else "l'enregistrerait, sans rien enregistrer."
    )
    router.post(
        path,
        response={200: output, **ERRORS},
        summary=summary,
        operation_id=operation,
        **COMMON,
    )(view)


_declaration_route(
    "/employeurs/{numeroPajeEmployeur}/ama/predeclarer",
    "ama",
    "predeclarerSalaireAma",
    False,
    InputDeclarationAma,
    OutputPreDeclaration,
    "API PAJE045 - Pré-déclarer, via un tiers, le salaire d'une assistante maternelle",
)
_declaration_route(
    "/employeurs/{numeroPajeEmployeur}/ged/predeclarer",
    "ged",
    "predeclarerSalaireGed",
    False,
    InputDeclarationGed,
    OutputPreDeclaration,
    "API PAJE046 - Pré-déclarer, via un tiers, le salaire pour une garde à domicile",
)
_declaration_route(
    "/employeurs/{numeroPajeEmployeur}/ama/declarer",
    "ama",
    "declarerSalaireAma",
    True,
    InputDeclarationAma,
    OutputDeclaration,
    "API PAJE050 - Déclarer, via un tiers, le salaire d'une assistante maternelle",
)
_declaration_route(
    "/employeurs/{numeroPajeEmployeur}/ged/declarer",
    "ged",
    "declarerSalaireGed",
    True,
    InputDeclarationGed,
    OutputDeclaration,
    "API PAJE051 - Déclarer, via un tiers, le salaire d'une garde à domicile",
)

api.add_router("", router)
