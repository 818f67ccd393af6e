"""The identities the development provider can sign in.

``DEMO`` is the built-in list: French people of the demo population, each with a stable ``sub``
(the same on every machine and every run, shaped like FranceConnect's: 64 hex digits and
``v1``) and the claims FranceConnect would give for them (its "identité pivot"). The demo data
loader creates matching accounts from it. ``TEST_ONLY`` holds identities for testing refusals
(an identity verified below eIDAS "faible"). People can also create their own test identity on
the provider's page; those are stored in ``models.CreatedIdentity``.

Claims follow FranceConnect: ``given_name`` (all given names), ``family_name`` (birth name),
``preferred_username`` (usage name, if any), ``birthdate`` (YYYY-MM-DD), ``gender``
(``female``/``male``), ``birthplace`` (INSEE code of the birth town, for people born in France),
``birthcountry`` (INSEE code of the country, 99100 for France), ``email``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# The claims a client may ask for; with FranceConnect one scope gives the claim of the same name.
CLAIMS = (
    "given_name",
    "family_name",
    "preferred_username",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
)

# What each claim is called on the consent page.
CLAIM_LABELS = {
    "given_name": "prénoms",
    "family_name": "nom de naissance",
    "preferred_username": "nom d'usage",
    "birthdate": "date de naissance",
    "gender": "sexe",
    "birthplace": "lieu de naissance",
    "birthcountry": "pays de naissance",
    "email": "adresse électronique",
}

ACR_FAIBLE = "eidas1"  # eIDAS "faible": the level of FranceConnect
ACR_UNVERIFIED = "eidas0"  # below every eIDAS level: a client must refuse it


def stable_sub(name: str) -> str:
    """A FranceConnect-shaped ``sub`` derived from a fixed name (stable across machines)."""
    return hashlib.sha256(f"unefois-devidp:{name}".encode()).hexdigest() + "v1"


DEMO: list[dict] = [
    {
        "sub": stable_sub("camille.martin"),
        "role": "parent",
        "description": "parent employeur d'une assistante maternelle",
        "acr": ACR_FAIBLE,
        "claims": {
            "given_name": "Camille",
            "family_name": "Martin",
            "birthdate": "1988-04-12",
            "gender": "female",
            "birthplace": "69123",
            "birthcountry": "99100",
            "email": "camille.martin@example.fr",
        },
    },
    {
        "sub": stable_sub("thomas.petit"),
        "role": "parent",
        "description": "parent employeur d'une garde d'enfants à domicile",
        "acr": ACR_FAIBLE,
        "claims": {
            "given_name": "Thomas",
            "family_name": "Petit",
            "birthdate": "1985-11-02",
            "gender": "male",
            "birthplace": "44109",
            "birthcountry": "99100",
            "email": "thomas.petit@example.fr",
        },
    },
    {
        "sub": stable_sub("nadia.benali"),
        "role": "ama",
        "description": "assistante maternelle agréée",
        "acr": ACR_FAIBLE,
        "claims": {
            "given_name": "Nadia",
            "family_name": "Benali",
            "birthdate": "1979-09-23",
            "gender": "female",
            "birthplace": "13055",
            "birthcountry": "99100",
            "email": "nadia.benali@example.fr",
        },
    },
    {
        "sub": stable_sub("sophie.leroy"),
        "role": "ged",
        "description": "garde d'enfants à domicile",
        "acr": ACR_FAIBLE,
        "claims": {
            "given_name": "Sophie",
            "family_name": "Leroy",
            "birthdate": "1995-01-30",
            "gender": "female",
            "birthplace": "59350",
            "birthcountry": "99100",
            "email": "sophie.leroy@example.fr",
        },
    },
    {
        "sub": stable_sub("claire.roussel"),
        "role": "agent",
        "description": "agent de l'assistance : accès à la gestion (parcours des usagers)",
        "acr": ACR_FAIBLE,
        "claims": {
            "given_name": "Claire",
            "family_name": "Roussel",
            "birthdate": "1982-07-08",
            "gender": "female",
            "birthplace": "67482",
            "birthcountry": "99100",
            "email": "claire.roussel@example.fr",
        },
    },
]

TEST_ONLY: list[dict] = [
    {
        "sub": stable_sub("dominique.nonverifie"),
        "role": "test",
        "description": "identité non vérifiée (niveau eidas0) : unefois doit refuser la connexion",
        "acr": ACR_UNVERIFIED,
        "claims": {
            "given_name": "Dominique",
            "family_name": "Essai",
            "birthdate": "1990-06-15",
            "gender": "male",
            "birthcountry": "99100",
            "email": "dominique.essai@example.fr",
        },
    },
]


@dataclass(frozen=True)
class Identity:
    """Someone the provider can sign in: the "user" of the authorization server."""

    sub: str
    claims: dict = field(default_factory=dict)
    acr: str = ACR_FAIBLE
    description: str = ""

    @property
    def display_name(self) -> str:
        name = self.claims.get("preferred_username") or self.claims.get("family_name", "")
        return f"{self.claims.get('given_name', '')} {name}".strip()

    def get_user_id(self) -> str:  # what Authlib asks of a user
        return self.sub


def _from_entry(entry: dict) -> Identity:
    return Identity(
        sub=entry["sub"],
        claims=dict(entry["claims"]),
        acr=entry.get("acr", ACR_FAIBLE),
        description=entry.get("description", ""),
    )


def builtin() -> list[Identity]:
    return [_from_entry(e) for e in DEMO]


def test_only() -> list[Identity]:
    return [_from_entry(e) for e in TEST_ONLY]


def find(sub: str) -> Identity | None:
    """The identity with this ``sub``: built-in first, then those created on the page."""
    for entry in (*DEMO, *TEST_ONLY):
        if entry["sub"] == sub:
            return _from_entry(entry)
    from .models import CreatedIdentity

    created = CreatedIdentity.objects.filter(sub=sub).first()
    return created.as_identity() if created else None
