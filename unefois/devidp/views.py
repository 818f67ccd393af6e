"""Endpoints of the development provider (discovery, authorize, token, jwks, userinfo, logout)."""

from __future__ import annotations

import datetime as dt
import logging
import time

from authlib.integrations.django_oauth2 import BearerTokenValidator, ResourceProtector
from authlib.integrations.django_oauth2.resource_protector import return_error_response
from authlib.oauth2 import OAuth2Error
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc import jwt

from . import identities, keys
from .forms import IdentityForm
from .models import AccessToken, CreatedIdentity
from .provider import SESSION_KEY, Server, issuer_for, metadata

logger = logging.getLogger(__name__)


def _describe(identity: identities.Identity) -> dict:
    """What the page shows of an identity."""
    claims = identity.claims
    born = ""
    if claims.get("birthdate"):
        date = dt.date.fromisoformat(claims["birthdate"])
        born = ("née" if claims.get("gender") == "female" else "né") + date.strftime(" le %d/%m/%Y")
    return {
        "sub": identity.sub,
        "name": identity.display_name,
        "description": identity.description,
        "born": born,
        "email": claims.get("email", ""),
        "acr": identity.acr,
    }


def _message(request, title: str, text: str, status: int = 200, detail: str = ""):
    return render(
        request,
        "devidp/message.html",
        {"title": title, "text": text, "detail": detail},
        status=status,
    )


@require_GET
def index(request):
    return render(
        request,
        "devidp/index.html",
        {
            "issuer": issuer_for(request),
            "demo": [_describe(i) for i in identities.builtin()],
            "test_only": [_describe(i) for i in identities.test_only()],
        },
    )


@require_GET
def discovery(request):
    return JsonResponse(metadata(request))


@require_GET
def jwks(request):
    return JsonResponse(keys.public_jwks())


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request):
    server = Server(request)
    try:
        grant = server.get_consent_grant(request, end_user=None)
    except OAuth2Error as error:
        if error.redirect_uri:  # the client is known and its redirect URI checked: tell it
            return server.handle_error_response(request, error)
        logger.warning("devidp: invalid authorization request: %s", error.description)
        return _message(
            request,
            "Demande de connexion invalide",
            "Le service qui vous a envoyé ici n'a pas formulé une demande valide. "
            "Revenez sur ce service et recommencez.",
            status=400,
            detail=f"{error.error}: {error.description or ''}",
        )

    form = IdentityForm()
    if request.method == "POST":
        identity = None
        if request.POST.get("action") == "refuser":
            return server.create_authorization_response(request, grant_user=None, grant=grant)
        if request.POST.get("action") == "creer":
            form = IdentityForm(request.POST)
            if form.is_valid():
                identity = form.save().as_identity()
        elif request.POST.get("identite"):
            identity = identities.find(request.POST["identite"])
        if identity is not None:
            request.session[SESSION_KEY] = identity.sub
            return server.create_authorization_response(request, grant_user=identity, grant=grant)

    client = grant.request.client
    requested = [
        identities.CLAIM_LABELS[s] for s in grant.request.scope.split() if s in identities.CLAIMS
    ]
    return render(
        request,
        "devidp/authorize.html",
        {
            "client_name": client.name,
            "requested": requested,
            "demo": [_describe(i) for i in identities.builtin()],
            "test_only": [_describe(i) for i in identities.test_only()],
            "created": [_describe(c.as_identity()) for c in CreatedIdentity.objects.all()[:20]],
            "form": form,
            "errors": form.errors,
        },
        status=400 if form.errors else 200,
    )


@csrf_exempt
@require_POST
def token(request):
    return Server(request).create_token_response(request)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def userinfo(request):
    """The identity of the token's holder, as a signed JWT (as FranceConnect v2 sends it)."""
    protector = ResourceProtector()
    protector.register_token_validator(BearerTokenValidator(AccessToken))
    try:
        access = protector.acquire_token(request, scopes=["openid"])
    except OAuth2Error as error:
        return return_error_response(error)
    identity = access.get_user()
    if identity is None:
        return JsonResponse({"error": "invalid_token"}, status=401)
    granted = set(access.get_scope().split())
    now = int(time.time())
    claims = {
        "iss": issuer_for(request),
        "aud": access.client_id,
        "iat": now,
        "exp": now + 60,
        "sub": identity.sub,
    }
    claims.update({k: v for k, v in identity.claims.items() if k in granted and v})
    key = keys.signing_key()
    body = jwt.encode({"alg": keys.ALGORITHM, "kid": key.kid, "typ": "JWT"}, claims, key)
    return HttpResponse(body, content_type="application/jwt")


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request):
    server = Server(request)
    try:
        end = server.validate_endpoint_request("end_session", request)
    except OAuth2Error as error:
        logger.warning("devidp: invalid logout request: %s", error.description)
        return _message(
            request,
            "Demande de déconnexion invalide",
            "La demande de déconnexion n'a pas pu être vérifiée. "
            "Vous pouvez fermer cette page ou revenir à l'accueil.",
            status=400,
            detail=f"{error.error}: {error.description or ''}",
        )
    if end.needs_confirmation and request.method == "GET":
        return render(request, "devidp/logout_confirm.html")
    request.session.pop(SESSION_KEY, None)
    response = server.create_endpoint_response("end_session", end)
    return response or _message(
        request,
        "Vous êtes déconnecté(e)",
        "Vous êtes déconnecté(e) du fournisseur d'identité de développement.",
    )
