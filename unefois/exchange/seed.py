"""The five partners of issue 5, their scopes (field masks), purposes and legal bases.

Installed by a data migration (``0003_seed``), without keys: a partner calls the API only once
an operator has registered its public key (``unefois exchange add-key``, docs/exchange.md).

``note``: what remains to confirm in the texts (empty when the reference was checked). Checked:
CSS art. R323-4 (the reference income of daily allowances: the 3 last monthly pays, or the 12
last months when work is discontinuous) and Code du travail art. R1234-9 (the employer gives
the attestation to the employee and sends it to France Travail). Everything else is an
assumption to confirm with each partner's legal department, and says so.
"""

from __future__ import annotations

CRPA = "CRPA art. L114-8 (échange des données strictement nécessaires entre administrations)"

PURPOSES = {
    "indemnites-journalieres": "Calcul des indemnités journalières (maladie, maternité, paternité)",
    "actualisation": "Actualisation mensuelle de la situation du demandeur d'emploi (heures et "
    "salaires de chaque employeur)",
    "attestation-employeur": "Ouverture des droits à l'allocation chômage à la fin d'un contrat "
    "(attestation employeur)",
    "cmg": "Versement du complément de libre choix du mode de garde (CMG)",
    "prelevement-a-la-source": "Prélèvement à la source de l'impôt sur le revenu",
    "credits-impot": "Crédits d'impôt pour frais de garde ou emploi à domicile (déclaration de "
    "revenus préremplie)",
    "ressources-mensuelles": "Préremplissage des ressources pour le RSA, la prime d'activité et "
    "les aides au logement (dispositif des ressources mensuelles)",
}

PARTNERS = [
    {
        "client_id": "cpam",
        "name": "Assurance maladie (CPAM)",
        "kind": "cpam",
        "scopes": [
            {
                "code": "cpam-salaires",
                "label": "Salaires bruts et heures des 3 ou 12 derniers mois, par employeur",
                "resource": "salaires",
                "fields": ["mois", "employeur", "salaire_brut", "heures"],
                "purpose": "indemnites-journalieres",
                "legal_basis": "CSS art. L323-4 et R323-4 (revenu d'activité antérieur : "
                "3 dernières paies, 12 mois si le travail n'est pas continu) ; " + CRPA,
                "note": "Hypothèse : échange non obligatoire (la salariée peut encore fournir "
                "ses bulletins ou une attestation) ; l'article qui fonde l'échange entre "
                "organismes de sécurité sociale est à confirmer.",
                "mandatory": False,
            }
        ],
    },
    {
        "client_id": "france-travail",
        "name": "France Travail",
        "kind": "france_travail",
        "scopes": [
            {
                "code": "france-travail-actualisation",
                "label": "Heures et salaires de chaque mois, par employeur",
                "resource": "activite_mensuelle",
                "fields": [
                    "mois",
                    "employeur",
                    "employeur_nom",
                    "heures",
                    "jours_activite",
                    "salaire_brut",
                    "salaire_net",
                ],
                "purpose": "actualisation",
                "legal_basis": "Code du travail art. L5411-2 (renouvellement de l'inscription "
                "du demandeur d'emploi) ; " + CRPA,
                "note": "Hypothèse : échange non obligatoire (la salariée peut s'actualiser "
                "elle-même) ; articles à confirmer.",
                "mandatory": False,
            },
            {
                "code": "france-travail-attestation",
                "label": "Attestation employeur des contrats terminés",
                "resource": "attestation_employeur",
                "fields": [
                    "contrat",
                    "employeur",
                    "employeur_nom",
                    "type_emploi",
                    "debut",
                    "fin",
                    "motif_fin",
                    "salaires_12_mois",
                    "indemnite_rupture",
                    "indemnite_compensatrice_conges",
                ],
                "purpose": "attestation-employeur",
                "legal_basis": "Code du travail art. R1234-9 (l'employeur délivre l'attestation "
                "au salarié et la transmet sans délai à France Travail)",
                "note": "",
                "mandatory": True,
            },
        ],
    },
    {
        "client_id": "caf-msa",
        "name": "CAF / MSA",
        "kind": "caf_msa",
        "scopes": [
            {
                "code": "caf-cmg",
                "label": "Heures, coût et CMG par enfant et par mois",
                "resource": "garde_enfants",
                "fields": [
                    "mois",
                    "enfant",
                    "type_emploi",
                    "heures",
                    "salaire_net",
                    "indemnites_entretien",
                    "cout_employeur",
                    "cmg_remuneration",
                    "cmg_cotisations",
                ],
                "purpose": "cmg",
                "legal_basis": "CSS art. L531-5, L531-8 et D531-17 à D531-23 (complément de "
                "libre choix du mode de garde)",
                "note": "Hypothèse : échange obligatoire, puisque le CMG est calculé et versé "
                "à partir de ces données ; articles à confirmer.",
                "mandatory": True,
            }
        ],
    },
    {
        "client_id": "dgfip",
        "name": "Direction générale des finances publiques (DGFiP)",
        "kind": "dgfip",
        "scopes": [
            {
                "code": "dgfip-pas",
                "label": "Net imposable et prélèvement à la source retenu, par mois",
                "resource": "prelevement_source",
                "fields": ["mois", "employeur", "net_imposable", "pas_retenu"],
                "purpose": "prelevement-a-la-source",
                "legal_basis": "Code général des impôts art. 204 A et 204 C (prélèvement à la "
                "source) et art. 87-0 A (déclaration des sommes versées)",
                "note": "Hypothèse : échange obligatoire (obligation fiscale du collecteur) ; "
                "articles à confirmer.",
                "mandatory": True,
            },
            {
                "code": "dgfip-annuel",
                "label": "Montants annuels pour les crédits d'impôt",
                "resource": "montants_annuels",
                "fields": [
                    "annee",
                    "salarie",
                    "type_emploi",
                    "salaires_nets",
                    "cout_employeur",
                    "cmg",
                    "reste_a_charge",
                ],
                "purpose": "credits-impot",
                "legal_basis": "Code général des impôts art. 199 sexdecies (emploi d'un salarié "
                "à domicile) et 200 quater B (frais de garde des jeunes enfants)",
                "note": "Hypothèse : échange obligatoire (déclaration préremplie) ; la base "
                "de la transmission par l'Urssaf est à confirmer.",
                "mandatory": True,
            },
        ],
    },
    {
        "client_id": "drm",
        "name": "Dispositif des ressources mensuelles (mesdroitssociaux)",
        "kind": "drm",
        "scopes": [
            {
                "code": "drm-ressources",
                "label": "Net imposable mensuel du salarié, par employeur",
                "resource": "ressources_mensuelles",
                "fields": ["mois", "employeur", "net_imposable"],
                "purpose": "ressources-mensuelles",
                "legal_basis": "Traitement « dispositif relatif aux ressources mensuelles » "
                "(Cnav et ministre chargé des affaires sociales) ; " + CRPA,
                "note": "À confirmer : le texte qui fonde le dispositif et l'alimentation par "
                "Pajemploi ; le DRM attend le montant net social, que le cœur de règles ne "
                "calcule pas encore (le net imposable est transmis en attendant). Hypothèse : "
                "échange non obligatoire (la personne peut déclarer ses ressources elle-même).",
                "mandatory": False,
            }
        ],
    },
]


def install(apps) -> None:
    """Create or update the purposes, partners and scopes (idempotent)."""
    Purpose = apps.get_model("exchange", "Purpose")
    Partner = apps.get_model("exchange", "Partner")
    Scope = apps.get_model("exchange", "Scope")
    purposes = {
        code: Purpose.objects.update_or_create(code=code, defaults={"label": label})[0]
        for code, label in PURPOSES.items()
    }
    for item in PARTNERS:
        partner, _ = Partner.objects.update_or_create(
            client_id=item["client_id"], defaults={"name": item["name"], "kind": item["kind"]}
        )
        for scope in item["scopes"]:
            Scope.objects.update_or_create(
                code=scope["code"],
                defaults={
                    "partner": partner,
                    "label": scope["label"],
                    "resource": scope["resource"],
                    "fields": scope["fields"],
                    "purpose": purposes[scope["purpose"]],
                    "legal_basis": scope["legal_basis"],
                    "legal_basis_note": scope["note"],
                    "mandatory": scope["mandatory"],
                },
            )
