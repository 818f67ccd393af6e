"""Who may call the third-party declaration API: a partner of the exchange room holding an
active scope of the resource ``tierce_declaration``; the scope's ``fields`` list the operations
(Urssaf's ``operationId``) it allows.

Scope codes are unique across partners, so each software gets its own code,
``tierce-declaration-<client_id>``; the purpose is shared and installed by the migration
``api.0002_purpose``. Granting goes through ``actions.do_grant`` (or
``manage.py tierce_declaration_habiliter``)."""

from __future__ import annotations

RESOURCE = "tierce_declaration"
PURPOSE = "tierce-declaration"
PURPOSE_LABEL = (
    "Déclaration des salaires de la garde d'enfants par un logiciel tiers mandaté par le "
    "particulier employeur (estimation, pré-déclaration, déclaration)"
)
LEGAL_BASIS = (
    "Mandat donné par le particulier employeur au tiers déclarant (Code civil, art. 1984 et "
    "suivants) ; déclaration des salaires par le dispositif simplifié de la prestation d'accueil "
    "du jeune enfant (Code de la sécurité sociale, art. L133-5-6 et suivants)"
)
LEGAL_BASIS_NOTE = (
    "À confirmer : les articles du Code de la sécurité sociale qui encadrent la tierce "
    "déclaration Pajemploi et le mandat (non relus). L'échange est traité comme obligatoire : "
    "le particulier employeur y met fin en annulant le mandat, pas par une opposition."
)

# Urssaf's operation ids (the Swagger's ``operationId``) → the number of the API (PAJEnnn),
# which also prefixes the error codes (``ER_API_<nnn>_…``).
OPERATIONS: dict[str, str] = {
    "verificationPePaje": "020",
    "verificationSpPaje": "021",
    "verificationEnfantsPe": "022",
    "associerSalarie": "023",
    "enregistrerMandatPaje": "030",
    "annulerMandatPaje": "031",
    "estimerCotisationsAma": "040",
    "estimerCotisationsGed": "041",
    "predeclarerSalaireAma": "045",
    "predeclarerSalaireGed": "046",
    "declarerSalaireAma": "050",
    "declarerSalaireGed": "051",
}
ALL_OPERATIONS = tuple(OPERATIONS)


def scope_code(client_id: str) -> str:
    return f"tierce-declaration-{client_id}"[:64]


def install_purpose(apps) -> None:
    """Create or update the purpose (idempotent; used by the data migration)."""
    purpose = apps.get_model("exchange", "Purpose")
    purpose.objects.update_or_create(code=PURPOSE, defaults={"label": PURPOSE_LABEL})
