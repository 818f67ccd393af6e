"""``/connexion/`` starts the sign-in, ``/connexion/retour/`` completes it, ``/deconnexion/``
signs out here and at the provider. Every failure ends on a French page with a way to retry."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from unefois.people.actions import do_sign_in

from . import client
from .client import ID_TOKEN_SESSION_KEY, SignInError

logger = logging.getLogger(__name__)

# reason → (HTTP status, title, what happened and what to do)
ERRORS = {
    "config": (
        503,
        "La connexion n'est pas disponible",
        "La connexion avec FranceConnect n'est pas configurée sur ce serveur. "
        "Réessayez plus tard ; si le problème continue, signalez-le-nous.",
    ),
    "unavailable": (
        503,
        "Le service d'identification ne répond pas",
        "FranceConnect ne répond pas pour le moment. Vos informations n'ont pas été "
        "transmises. Réessayez dans quelques minutes.",
    ),
    "state": (
        400,
        "Cette demande de connexion n'est plus valable",
        "La connexion n'a pas pu être terminée : la demande a expiré, a déjà servi, ou a été "
        "commencée dans un autre onglet ou un autre navigateur. Recommencez la connexion.",
    ),
    "denied": (
        403,
        "Connexion annulée",
        "Vous avez annulé la connexion avec FranceConnect. Aucune information n'a été "
        "transmise à unefois. Vous pouvez réessayer quand vous le souhaitez.",
    ),
    "refused": (
        400,
        "Le service d'identification a refusé la demande",
        "FranceConnect n'a pas accepté la demande de connexion. Réessayez ; si le problème "
        "continue, signalez-le-nous.",
    ),
    "invalid_token": (
        400,
        "Votre identité n'a pas pu être vérifiée",
        "La réponse du service d'identification n'a pas passé nos contrôles de sécurité : "
        "par précaution, vous n'avez pas été connecté(e). Réessayez la connexion.",
    ),
    "acr": (
        403,
        "Niveau de vérification de l'identité insuffisant",
        "Le compte que vous avez choisi n'a pas vérifié votre identité à un niveau suffisant. "
        "unefois demande au moins le niveau « faible » du règlement européen eIDAS, celui de "
        "FranceConnect. Reconnectez-vous avec un autre compte (impots.gouv.fr, ameli.fr, "
        "L'Identité Numérique La Poste…).",
    ),
    "unexpected": (
        500,
        "La connexion n'a pas abouti",
        "Une erreur imprévue nous a empêchés de terminer la connexion. Réessayez dans quelques "
        "minutes ; si le problème continue, signalez-le-nous.",
    ),
}


def _safe_next(request, url: str | None) -> str:
    """``url`` if it stays on this site, else the home page."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"


def error_page(request, error: SignInError):
    status, title, message = ERRORS.get(error.reason, ERRORS["unexpected"])
    logger.warning("sign-in failed (%s): %s", error.reason, error.detail)
    retry = reverse("login:sign_in")
    if error.next_url and error.next_url != "/":
        retry += "?" + urlencode({"next": error.next_url})
    return render(
        request,
        "login/error.html",
        {"title": title, "message": message, "retry_url": retry},
        status=status,
    )


@never_cache
@require_GET
def sign_in(request):
    next_url = _safe_next(request, request.GET.get("next"))
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url)
    redirect_uri = request.build_absolute_uri(reverse("login:callback"))
    try:
        url = client.start(request, redirect_uri, next_url)
    except SignInError as error:
        error.next_url = next_url
        return error_page(request, error)
    except Exception:
        logger.exception("sign-in could not start")
        return error_page(request, SignInError("unexpected", next_url=next_url))
    return HttpResponseRedirect(url)


@never_cache
@require_GET
def callback(request):
    try:
        result = client.finish(request)
        user = do_sign_in(result.claims)
    except SignInError as error:
        return error_page(request, error)
    except Exception:
        logger.exception("sign-in could not complete")
        return error_page(request, SignInError("unexpected"))
    login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
    request.session[ID_TOKEN_SESSION_KEY] = result.id_token
    return HttpResponseRedirect(_safe_next(request, result.next_url))


@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request):
    """Sign out here, then at the provider (FranceConnect asks for id_token_hint and state)."""
    id_token = request.session.get(ID_TOKEN_SESSION_KEY)
    logout(request)
    home = request.build_absolute_uri("/")
    if not id_token:
        return HttpResponseRedirect(home)
    try:
        url = client.end_session_url(request, id_token, home)
    except Exception:  # signed out here already: never strand the person on a traceback
        logger.exception("sign-out at the provider failed")
        url = None
    return HttpResponseRedirect(url or home)
