"""The partner API (django-ninja; OpenAPI at ``/api/openapi.json``, documentation at
``/api/docs``): the OAuth2 token endpoint and one endpoint per need of the partners.

Every data call is authenticated by a short-lived access token, rate-limited per client, states
``recipient``, ``context`` and ``purpose``, is masked to the granted scope, honours the person's
objection, and writes its exchange-log entry before answering."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from ninja import Field, Form, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, ValidationError

from . import access, feed, ratelimit, resources, tokens
from .auth import PartnerToken, RateLimitedError

api = NinjaAPI(
    title="unefois — API des partenaires",
    version="1",
    description=(
        "Données d'activité des salariés de la garde d'enfants à domicile pour les organismes "
        "habilités (CPAM, France Travail, CAF/MSA, DGFiP, dispositif des ressources "
        "mensuelles).\n\n"
        "**Authentification** : OAuth2 *client credentials* ; le client s'authentifie par une "
        "assertion JWT signée de sa clé privée (`private_key_jwt`, RFC 7523) sur "
        "`POST /api/partenaires/jeton`, et reçoit un jeton d'accès JWT (RFC 9068) valable "
        "5 minutes, à présenter en `Authorization: Bearer`.\n\n"
        "**Chaque appel** indique `recipient` (SIRET du service destinataire), `context` (le "
        "dossier traité) et `purpose` (la finalité de son périmètre) ; la réponse ne contient que "
        "les champs du périmètre accordé ; l'opposition de la personne aux échanges non "
        "obligatoires est respectée ; chaque accès est inscrit au journal des échanges, dont la "
        "référence est renvoyée (`reference_journal`). Trop d'appels : 429 et `Retry-After`.\n\n"
        "**Événements** (déclaration confirmée ou corrigée, contrat terminé) : selon ses "
        "abonnements, le partenaire les reçoit sur son webhook (jeton d'événement de sécurité "
        "RFC 8417 signé par la plateforme, vérifiable avec `/api/partenaires/jwks.json`, en-tête "
        "`Idempotency-Key`) et peut les lire dans le flux `GET /api/partenaires/v1/evenements`, "
        "à curseur."
    ),
    urls_namespace="exchange-api",
)
router = Router(tags=["Données des partenaires"])
oauth = Router(tags=["Authentification OAuth2"])

NIR_PATTERN = r"^[1-8][0-9]{4}(2A|2B|[0-9]{2})[0-9]{6}([0-9]{2})?$"
MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"


# ---- Errors ----------------------------------------------------------------------------------


class Error(Schema):
    code: str
    message: str
    reference_journal: int | None = None


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = api.create_response(
        request,
        {
            "code": "jeton_invalide",
            "message": "Jeton d'accès absent, expiré ou invalide : demandez-en un nouveau sur "
            "/api/partenaires/jeton.",
        },
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="unefois", error="invalid_token"'
    return response


@api.exception_handler(RateLimitedError)
def _rate_limited(request, exc: RateLimitedError):
    seconds = ratelimit.retry_after(exc.wait)
    response = api.create_response(
        request,
        {
            "code": "trop_de_requetes",
            "message": f"Trop d'appels pour ce client : réessayez dans {seconds} s.",
        },
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


DEMAND_FIELDS = {
    "recipient": "le destinataire (recipient : SIRET du service qui reçoit les données)",
    "context": "le contexte (context : le dossier traité)",
    "purpose": "la finalité (purpose : celle de votre périmètre)",
}


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    problems = []
    missing_demand = []
    for error in exc.errors:
        loc = [str(x) for x in error.get("loc", ()) if x not in ("query", "body", "form")]
        name = loc[-1] if loc else ""
        if name in DEMAND_FIELDS and error.get("type") == "missing":
            missing_demand.append(DEMAND_FIELDS[name])
        problems.append({"champ": ".".join(loc), "message": error.get("msg", "invalide")})
    if missing_demand:
        message = "Chaque appel indique " + ", ".join(missing_demand) + "."
        code = "demande_incomplete"
    else:
        message = "Requête invalide : " + "; ".join(
            f"{p['champ'] or 'requête'} ({p['message']})" for p in problems[:5]
        )
        code = "requete_invalide"
    return api.create_response(request, {"code": code, "message": message}, status=400)


# ---- Authentication ---------------------------------------------------------------------------


class TokenForm(Schema):
    grant_type: str | None = None
    client_assertion_type: str | None = None
    client_assertion: str | None = None
    client_id: str | None = None
    scope: str | None = None


class TokenOut(Schema):
    access_token: str
    token_type: str
    expires_in: int
    scope: str


class OAuthErrorOut(Schema):
    error: str
    error_description: str


@oauth.post(
    "/jeton",
    response={200: TokenOut, 400: OAuthErrorOut, 401: OAuthErrorOut},
    summary="Obtenir un jeton d'accès (client credentials, private_key_jwt)",
    auth=None,
)
def token(request, form: Form[TokenForm]):
    """`grant_type=client_credentials`, `client_assertion_type=urn:ietf:params:oauth:client-
    assertion-type:jwt-bearer`, `client_assertion` = JWT signé par la clé privée du client
    (`iss` = `sub` = client_id, `aud` = l'URL de cet appel, `exp` à 5 minutes au plus, `jti`
    unique), `scope` facultatif (par défaut : tous les périmètres du client)."""
    try:
        if form.grant_type != "client_credentials":
            raise tokens.OAuthError(
                "unsupported_grant_type", "Seul grant_type=client_credentials est accepté."
            )
        partner = tokens.authenticate_client(
            request,
            form.client_assertion_type or "",
            form.client_assertion or "",
            form.client_id or "",
        )
        answer = tokens.issue(request, partner, tokens.grant(partner, form.scope or ""))
    except tokens.OAuthError as error:
        response = api.create_response(
            request,
            {"error": error.error, "error_description": error.description},
            status=error.status,
        )
        response["Cache-Control"] = "no-store"
        return response
    response = api.create_response(request, answer, status=200)
    response["Cache-Control"] = "no-store"
    return response


@oauth.get("/jwks.json", auth=None, summary="Clés publiques des jetons d'accès (JWKS)")
def jwks(request) -> dict[str, Any]:
    from . import keys

    return keys.public_jwks()


@oauth.get(
    "/.well-known/oauth-authorization-server",
    auth=None,
    summary="Métadonnées du serveur d'autorisation (RFC 8414)",
)
def metadata(request) -> dict[str, Any]:
    from .models import Scope

    base = tokens.issuer(request)
    return {
        "issuer": base,
        "token_endpoint": tokens.token_endpoint(request),
        "jwks_uri": f"{base}/jwks.json",
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": tokens.ASSERTION_ALGORITHMS,
        "scopes_supported": sorted(
            Scope.objects.filter(active=True).values_list("code", flat=True)
        ),
    }


# ---- Data -------------------------------------------------------------------------------------


class DemandQuery(Schema):
    recipient: str = Field(
        ...,
        pattern=r"^[0-9]{14}$",
        description="SIRET du service destinataire des données.",
        examples=["18005000000015"],
    )
    context: str = Field(
        ...,
        min_length=3,
        max_length=200,
        description="Le dossier traité, dans les mots du partenaire "
        "(ex. « IJ maladie, dossier 123 »).",
    )
    purpose: str = Field(
        ...,
        pattern=r"^[a-z0-9-]{1,64}$",
        description="La finalité : le code de celle du périmètre accordé.",
    )


Fields = Annotated[
    list[Annotated[str, Field(max_length=40)]] | None,
    Field(
        max_length=40,
        description="Champs demandés (facultatif) : seuls ceux du périmètre sont renvoyés.",
    ),
]
Until = Annotated[
    str | None,
    Field(pattern=MONTH_PATTERN, description="Dernier mois (AAAA-MM) ; par défaut, le précédent."),
]
Nir = Annotated[str, Field(pattern=NIR_PATTERN, description="NIR de la personne.")]


class SalariesIn(Schema):
    nir: Nir
    mois: Literal[3, 12] = Field(..., description="3 ou 12 derniers mois.")
    jusqu_au: Until = None
    champs: Fields = None


class MonthsIn(Schema):
    nir: Nir
    mois: int = Field(1, ge=1, le=12, description="Nombre de mois, jusqu'à jusqu_au inclus.")
    jusqu_au: Until = None
    champs: Fields = None


class AttestationIn(Schema):
    nir: Nir
    contrat: int | None = Field(None, ge=1, le=2**62, description="Un contrat terminé précis.")
    champs: Fields = None


class YearIn(Schema):
    nir: Nir
    annee: int = Field(..., ge=2000, le=2100)
    champs: Fields = None


class MonthRow(Schema):
    mois: str | None = None
    employeur: str | None = None
    employeur_nom: str | None = None
    contrat: int | None = None
    type_emploi: str | None = None
    heures: str | None = None
    jours_activite: int | None = None
    salaire_brut: str | None = None
    salaire_net: str | None = None
    net_imposable: str | None = None
    pas_retenu: str | None = None


class AttestationMonth(Schema):
    mois: str
    salaire_brut: str | None = None
    heures: str
    jours_activite: int


class AttestationRow(Schema):
    contrat: int | None = None
    employeur: str | None = None
    employeur_nom: str | None = None
    type_emploi: str | None = None
    debut: str | None = None
    fin: str | None = None
    motif_fin: str | None = None
    salaires_12_mois: list[AttestationMonth] | None = None
    indemnite_rupture: str | None = None
    indemnite_compensatrice_conges: str | None = None


class ChildRow(Schema):
    mois: str | None = None
    enfant: str | None = None
    enfant_prenom: str | None = None
    salarie: str | None = None
    type_emploi: str | None = None
    heures: str | None = None
    salaire_net: str | None = None
    indemnites_entretien: str | None = None
    cout_employeur: str | None = None
    cmg_remuneration: str | None = None
    cmg_cotisations: str | None = None
    reste_a_charge: str | None = None


class YearRow(Schema):
    annee: int | None = None
    salarie: str | None = None
    type_emploi: str | None = None
    mois_declares: int | None = None
    salaires_nets: str | None = None
    cout_employeur: str | None = None
    cmg: str | None = None
    reste_a_charge: str | None = None


class Answer(Schema):
    champs: list[str] = Field(..., description="Champs transmis (ceux du périmètre demandés).")
    champs_refuses: list[str] = Field(..., description="Champs demandés hors du périmètre.")
    perimetre: str
    finalite: str
    base_legale: str
    periode: str
    reference_journal: int = Field(..., description="Numéro de l'entrée du journal des échanges.")


class MonthAnswer(Answer):
    donnees: list[MonthRow]


class AttestationAnswer(Answer):
    donnees: list[AttestationRow]


class ChildAnswer(Answer):
    donnees: list[ChildRow]


class YearAnswer(Answer):
    donnees: list[YearRow]


def _months(count: int, until: str | None) -> resources.Window:
    last = resources.period_of(until) if until else resources.last_complete_month()
    return resources.Window(last - count + 1, last)


def _answer(request, resource: str, demand: DemandQuery, body, window: resources.Window):
    try:
        answer = access.serve(
            request.auth,
            resource,
            access.Demand(demand.recipient, demand.context.strip(), demand.purpose),
            body.nir,
            window,
            body.champs,
        )
    except access.RefusalError as refusal:
        return Status(refusal.status, refusal.body())
    # The answer is built by ``access.serve`` from the scope's mask: rendered as it is, without
    # validating it again against the response schema (a third of the call's Python time; the
    # OpenAPI contract is checked by the tests, tests/exchange/test_schemathesis.py).
    return api.create_response(request, answer, status=200)


ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 429: Error}
COMMON = {"auth": PartnerToken(), "exclude_unset": True}


@router.post(
    "/salaires",
    response={200: MonthAnswer, **ERRORS},
    summary="Salaires bruts et heures par mois et par employeur (CPAM : indemnités journalières)",
    **COMMON,
)
def salaries(request, demand: Query[DemandQuery], body: SalariesIn):
    """Les salaires et heures des 3 ou 12 derniers mois d'un salarié, par employeur, tels que
    déclarés (version en vigueur de chaque déclaration)."""
    return _answer(request, "salaires", demand, body, _months(body.mois, body.jusqu_au))


@router.post(
    "/activite-mensuelle",
    response={200: MonthAnswer, **ERRORS},
    summary="Heures et salaires de chaque mois par employeur (France Travail : actualisation)",
    **COMMON,
)
def monthly_activity(request, demand: Query[DemandQuery], body: MonthsIn):
    return _answer(request, "activite_mensuelle", demand, body, _months(body.mois, body.jusqu_au))


@router.post(
    "/attestation-employeur",
    response={200: AttestationAnswer, **ERRORS},
    summary="Attestation employeur des contrats terminés (France Travail)",
    **COMMON,
)
def employer_certificate(request, demand: Query[DemandQuery], body: AttestationIn):
    last = resources.last_complete_month() + 1
    window = resources.Window(0, last, contract=body.contrat, text="contrats terminés")
    return _answer(request, "attestation_employeur", demand, body, window)


@router.post(
    "/garde-enfants",
    response={200: ChildAnswer, **ERRORS},
    summary="Heures, coût et CMG par enfant et par mois (CAF / MSA)",
    **COMMON,
)
def childcare(request, demand: Query[DemandQuery], body: MonthsIn):
    return _answer(request, "garde_enfants", demand, body, _months(body.mois, body.jusqu_au))


@router.post(
    "/prelevement-a-la-source",
    response={200: MonthAnswer, **ERRORS},
    summary="Prélèvement à la source retenu chaque mois (DGFiP)",
    **COMMON,
)
def withholding(request, demand: Query[DemandQuery], body: MonthsIn):
    return _answer(request, "prelevement_source", demand, body, _months(body.mois, body.jusqu_au))


@router.post(
    "/montants-annuels",
    response={200: YearAnswer, **ERRORS},
    summary="Montants annuels pour les crédits d'impôt (DGFiP)",
    **COMMON,
)
def yearly(request, demand: Query[DemandQuery], body: YearIn):
    window = resources.Window(body.annee * 12, body.annee * 12 + 11, year=body.annee)
    return _answer(request, "montants_annuels", demand, body, window)


@router.post(
    "/ressources-mensuelles",
    response={200: MonthAnswer, **ERRORS},
    summary="Net imposable mensuel du salarié (dispositif des ressources mensuelles)",
    **COMMON,
)
def monthly_resources(request, demand: Query[DemandQuery], body: MonthsIn):
    return _answer(
        request, "ressources_mensuelles", demand, body, _months(body.mois, body.jusqu_au)
    )


# ---- Events (pull) ----------------------------------------------------------------------------


class FeedQuery(Schema):
    apres: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]*$",
        description="Curseur opaque : le champ `curseur` de la réponse précédente. Absent : "
        "depuis le premier événement conservé.",
    )
    limite: int = Field(
        feed.DEFAULT_LIMIT,
        ge=1,
        le=feed.MAX_LIMIT,
        description=f"Nombre d'événements au plus (1 à {feed.MAX_LIMIT}).",
    )


class EventSubject(Schema):
    type: Literal["declaration", "contrat"]
    id: int = Field(..., description="Identifiant de la déclaration ou du contrat.")
    version: int | None = Field(
        None, description="Version de la déclaration : une correction en crée une nouvelle."
    )


class EventPerson(Schema):
    nir: str = Field(..., description="NIR de la personne dont il s'agit.")


class FeedEvent(Schema):
    id: str = Field(
        ...,
        description="Identifiant stable de l'événement pour ce partenaire : la clé "
        "d'idempotence, la même que dans la livraison poussée (`Idempotency-Key`, `jti`).",
    )
    type: Literal["declaration.confirmee", "contrat.termine"]
    survenu_le: str = Field(..., description="Date et heure de l'événement (UTC, ISO 8601).")
    objet: EventSubject
    personne: EventPerson
    perimetre: str
    finalite: str
    base_legale: str
    periode: str
    champs: list[str] = Field(..., description="Champs transmis : ceux du périmètre.")
    donnees: list[dict[str, Any]] = Field(
        ..., description="Les lignes de la ressource du périmètre, masquées au périmètre."
    )
    reference_journal: int = Field(..., description="Numéro de l'entrée du journal des échanges.")


class FeedAnswer(Schema):
    evenements: list[FeedEvent]
    curseur: str = Field(
        ..., description="À renvoyer en `apres` pour la suite (le même s'il n'y a rien de neuf)."
    )
    encore: bool = Field(..., description="D'autres événements attendent déjà après ce curseur.")


@router.get(
    "/evenements",
    response={200: FeedAnswer, 400: Error, 401: Error, 429: Error},
    summary="Flux des événements des abonnements (déclaration confirmée, contrat terminé)",
    auth=PartnerToken(),
)
def event_feed(request, query: Query[FeedQuery]):
    """Les événements des abonnements du partenaire dont le jeton porte le périmètre, dans
    l'ordre, après le curseur `apres`. Chaque événement est masqué à son périmètre et inscrit au
    journal des échanges ; un événement auquel la personne s'est opposée (échange non
    obligatoire) n'est pas servi, mais le curseur le dépasse. Les mêmes événements sont poussés
    au webhook des abonnements qui le demandent."""
    try:
        return Status(200, feed.read(request.auth, query.apres, query.limite))
    except feed.CursorError:
        return Status(
            400,
            {
                "code": "curseur_invalide",
                "message": "Curseur invalide : renvoyez le champ « curseur » d'une réponse "
                "précédente, ou omettez-le pour lire depuis le début.",
            },
        )


api.add_router("/partenaires", oauth)
api.add_router("/partenaires/v1", router)
