"""State changes of people. Each writes its audit row (through the vault or ``record``)."""

from __future__ import annotations

from django.db import transaction

from unefois.audit.services import record
from unefois.facts.actions import do_record_facts
from unefois.facts.models import Source, SubjectType

from .models import Person, User

# Identity claims of FranceConnect (OpenID Connect) kept as facts.
IDENTITY_CLAIMS = (
    "given_name",
    "family_name",
    "preferred_username",
    "birthdate",
    "gender",
    "birthplace",
    "birthcountry",
    "email",
)


@transaction.atomic
def do_sign_in(claims: dict) -> User:
    """The account of a person identified by FranceConnect (created at the first sign-in).

    The identity attributes become facts with source FranceConnect: they are never typed again.
    """
    sub = claims["sub"]
    user = User.objects.filter(oidc_sub=sub).first()
    if user is None:
        user = User.objects.create(username=f"oidc-{sub}"[:150], oidc_sub=sub)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        person = Person.objects.create(user=user)
        record(user, "compte.creer", user, None, {"oidc_sub": sub})
    else:
        person = user.person
    identity = {k: claims[k] for k in IDENTITY_CLAIMS if claims.get(k)}
    do_record_facts(
        user, SubjectType.PERSON, person.pk, identity, Source.FRANCECONNECT, claims.get("acr", "")
    )
    name = " ".join(x for x in (claims.get("given_name", ""), claims.get("family_name", "")) if x)
    if name and person.display_name != name:
        old = person.display_name
        person.display_name = name
        person.save(update_fields=["display_name"])
        record(user, "personne.nom_affiche", person, {"display_name": old}, {"display_name": name})
    return user
