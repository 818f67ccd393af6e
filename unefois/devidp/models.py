"""What the development provider remembers: test identities created on its page, authorization
codes waiting to be exchanged and the access tokens it issued (for its userinfo endpoint)."""

import secrets
import time

from authlib.oauth2.rfc6749 import TokenMixin
from authlib.oidc.core import AuthorizationCodeMixin
from django.db import models

from .identities import ACR_FAIBLE, ACR_UNVERIFIED, Identity

CODE_LIFETIME = 60  # seconds, as FranceConnect: the client exchanges the code at once


def new_sub() -> str:
    return secrets.token_hex(32) + "v1"


class Gender(models.TextChoices):
    FEMALE = "female", "Femme"
    MALE = "male", "Homme"


class Acr(models.TextChoices):
    FAIBLE = ACR_FAIBLE, "eIDAS faible (eidas1)"
    UNVERIFIED = ACR_UNVERIFIED, "non vérifiée (eidas0)"


class CreatedIdentity(models.Model):
    """An identity created on the provider's page: how a newcomer "signs up" in development."""

    sub = models.CharField("identifiant (sub)", max_length=80, unique=True, default=new_sub)
    given_name = models.CharField("prénoms", max_length=100)
    family_name = models.CharField("nom de naissance", max_length=100)
    birthdate = models.DateField("date de naissance")
    gender = models.CharField("sexe", max_length=6, choices=Gender.choices)
    email = models.EmailField("adresse électronique")
    birthcountry = models.CharField("pays de naissance (code INSEE)", max_length=5, default="99100")
    acr = models.CharField(
        "niveau de garantie", max_length=10, choices=Acr.choices, default=Acr.FAIBLE
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "identité de test"
        verbose_name_plural = "identités de test"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def as_identity(self) -> Identity:
        return Identity(
            sub=self.sub,
            acr=self.acr,
            description="identité de test créée sur cette page",
            claims={
                "given_name": self.given_name,
                "family_name": self.family_name,
                "birthdate": self.birthdate.isoformat(),
                "gender": self.gender,
                "birthcountry": self.birthcountry,
                "email": self.email,
            },
        )


class AuthorizationCode(AuthorizationCodeMixin, models.Model):
    code = models.CharField(max_length=120, unique=True)
    client_id = models.CharField(max_length=120)
    redirect_uri = models.TextField(blank=True)
    scope = models.TextField(blank=True)
    sub = models.CharField(max_length=80)
    acr = models.CharField(max_length=10)
    nonce = models.CharField(max_length=255, blank=True)
    auth_time = models.BigIntegerField()
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "code d'autorisation"
        verbose_name_plural = "codes d'autorisation"

    def __str__(self) -> str:
        return f"code {self.pk} ({self.client_id})"

    def is_expired(self) -> bool:
        return self.auth_time + CODE_LIFETIME < time.time()

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce or None

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return self.acr


class AccessToken(TokenMixin, models.Model):
    access_token = models.CharField(max_length=255, unique=True)
    token_type = models.CharField(max_length=40, default="Bearer")
    client_id = models.CharField(max_length=120)
    sub = models.CharField(max_length=80)
    scope = models.TextField(blank=True)
    issued_at = models.BigIntegerField()
    expires_in = models.PositiveIntegerField()
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "jeton d'accès"
        verbose_name_plural = "jetons d'accès"

    def __str__(self) -> str:
        return f"jeton {self.pk} ({self.client_id})"

    def check_client(self, client):
        return client.get_client_id() == self.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return self.expires_in

    def is_expired(self):
        return self.issued_at + self.expires_in < time.time()

    def is_revoked(self):
        return self.revoked

    def get_user(self):
        from .identities import find

        return find(self.sub)

    def get_client(self):
        from .provider import client_by_id

        return client_by_id(self.client_id)
