"""The Swagger's definitions as schemas: same field names (aliases), types, bounds and
formats. Python attributes are in snake_case; the JSON names are Urssaf's.

Types are as strict as the Swagger's: an ``integer`` refuses ``"12"`` and ``12.5``, a
``number`` refuses ``"12.5"``, a ``boolean`` refuses ``"true"``, a ``date`` is a
``yyyy-MM-dd`` string. Extra fields are ignored, as the Swagger allows them."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_text(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not _DATE.match(value):
        raise ValueError("date attendue au format AAAA-MM-JJ")
    return value


# No field of the Swagger allows a magnitude near this; refusing it here also keeps the
# ``multipleOf`` check (a Decimal remainder) from failing on 1e300 or on Infinity and NaN.
_NUMBER_LIMIT = 10**9


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("nombre attendu")
    if not math.isfinite(value) or abs(value) >= _NUMBER_LIMIT:
        raise ValueError("nombre hors des limites de la spécification")
    return value


Date = Annotated[dt.date, BeforeValidator(_date_text)]
Number = Annotated[Decimal, BeforeValidator(_number)]


def Money(alias: str, description: str = "", minimum: Decimal | None = None) -> Any:  # noqa: N802
    """An amount in euros: at most 9 999,99, two decimals at most (``multipleOf: 0.01``)."""
    return Field(
        None,
        alias=alias,
        description=description,
        le=Decimal("9999.99"),
        ge=minimum,
        multiple_of=Decimal("0.01"),
    )


def Int(alias: str, minimum: int, maximum: int, default: Any = None, description: str = ""):  # noqa: N802
    return Field(default, alias=alias, description=description, ge=minimum, le=maximum, strict=True)


def Text(  # noqa: N802
    alias: str,
    default: Any = None,
    min_length: int | None = None,
    max_length: int | None = None,
    pattern: str | None = None,
    description: str = "",
):
    return Field(
        default,
        alias=alias,
        description=description,
        min_length=min_length,
        max_length=max_length,
        pattern=pattern,
    )


NAME = r"[A-Z'\-\s]*"


class _In(Schema):
    model_config = ConfigDict(populate_by_name=True)


# ---- Inputs -----------------------------------------------------------------------------------


class InputEnfant(_In):
    nom_enfant: str = Text("nomEnfant", ..., max_length=30, pattern=NAME)
    prenom_enfant: str = Text("prenomEnfant", ..., max_length=30, pattern=NAME)
    dt_naissance_enfant: Date = Field(..., alias="dtNaissanceEnfant")


class InputVerificationEnfantPe(_In):
    input_enfant_pe: list[InputEnfant] = Field(..., alias="inputEnfantPe")


class InputIdentificationSalarie(_In):
    cd_civilite: str | None = Text("cdCivilite", min_length=1, max_length=1)
    nom_naissance: str | None = Text("nomNaissance", max_length=30, pattern=NAME)
    nom_usage: str | None = Text("nomUsage", max_length=30, pattern=NAME)
    prenom: str | None = Text("prenom", max_length=30, pattern=NAME)
    dt_naissance_salarie: Date | None = Field(None, alias="dtNaissanceSalarie")
    code_pays_naissance: str | None = Text("codePaysNaissance", max_length=3)
    departement_naissance: str | None = Text("departementNaissance", max_length=3)
    ville_naissance: str | None = Text(
        "villeNaissance",
        max_length=30,
        pattern=r"[a-zA-ZáÁàÀâÂäÄéÉèÈëËêÊìÌíÍïÏîÎñÑòÒóÓôÔöÖùÙúÚüÜûÛçÇýÝÿŸŒœÆæ'\-\s]*",
    )


class InputAdresse(_In):
    num_voie: int | None = Int("numVoie", 1, 9999)
    lettre_voie: str | None = Text("lettreVoie", min_length=1, max_length=1, pattern=NAME)
    type_voie: str | None = Text("typeVoie", min_length=1, max_length=3, pattern=NAME)
    libelle_voie: str | None = Text("libelleVoie", max_length=21)
    complement_localisation: str | None = Text(
        "complementLocalisation", max_length=32, pattern=NAME
    )
    lieu_dit: str | None = Text("lieuDit", max_length=32, pattern=NAME)
    code_commune: str = Text("codeCommune", ..., min_length=5, max_length=5)
    code_postal: str = Text("codePostal", ..., min_length=5, max_length=5)


class InputCreationSalarie(_In):
    nir_salarie: str | None = Text("nirSalarie", min_length=15, max_length=15)
    dt_naissance_salarie: Date | None = Field(None, alias="dtNaissanceSalarie")
    type_activite_salarie: str | None = Text("typeActiviteSalarie", min_length=1, max_length=1)
    dt_debut_agrement: Date | None = Field(None, alias="dtDebutAgrement")
    input_adresse_salarie: InputAdresse | None = Field(None, alias="inputAdresseSalarie")
    input_identification_salarie: InputIdentificationSalarie | None = Field(
        None, alias="inputIdentificationSalarie"
    )


class InputSp(_In):
    numero_paje_salarie: str | None = Text("numeroPajeSalarie", min_length=14, max_length=14)
    nir_salarie: str | None = Text("nirSalarie", min_length=15, max_length=15)
    dt_naissance_salarie: Date | None = Field(None, alias="dtNaissanceSalarie")


class InputDeclCommun(_In):
    dt_debut_periode: Date = Field(..., alias="dtDebutPeriode")
    dt_fin_periode: Date = Field(..., alias="dtFinPeriode")
    dt_paiement_salaire: Date = Field(..., alias="dtPaiementSalaire")
    nb_heures: int = Int("nbHeures", 1, 999, ...)
    nb_jours_conges_payes: Number | None = Field(
        None, alias="nbJoursCongesPayes", ge=0, le=99, multiple_of=Decimal("0.5")
    )
    mnt_salaire_horaire_net: Number | None = Money("mntSalaireHoraireNet")
    nb_heures_specifiques: int | None = Int("nbHeuresSpecifiques", 0, 1000)
    mnt_acompte_salarie: Number | None = Money("mntAcompteSalarie")
    mnt_salaire_net_mensuel: Number = Field(
        ..., alias="mntSalaireNetMensuel", le=Decimal("9999.99"), multiple_of=Decimal("0.01")
    )
    mnt_indemnites_kilometriques: Number | None = Money("mntIndemnitesKilometriques")


class InputDeclarationAma(_In):
    input_sp: InputSp | None = Field(None, alias="inputSp")
    input_decl_enfant: list[InputEnfant] | None = Field(None, alias="inputDeclEnfant")
    input_decl_commun: InputDeclCommun | None = Field(None, alias="inputDeclCommun")
    nb_jours_activite: int = Int("nbJoursActivite", 1, 99, ...)
    nb_heures_majorees: int | None = Int("nbHeuresMajorees", 0, 999)
    nb_heures_complementaires: int | None = Int("nbHeuresComplementaires", 0, 999)
    mnt_indemnites_entretien: Number | None = Money("mntIndemnitesEntretien", minimum=Decimal("0"))
    mnt_indemnites_repas: Number | None = Money("mntIndemnitesRepas")
    mnt_indemnites_rupture: Number | None = Money("mntIndemnitesRupture")


class InputDeclarationGed(_In):
    input_sp: InputSp | None = Field(None, alias="inputSp")
    input_decl_enfant: list[InputEnfant] | None = Field(None, alias="inputDeclEnfant")
    input_decl_commun: InputDeclCommun | None = Field(None, alias="inputDeclCommun")
    nb_hr_sup_maj_a25: int | None = Int("nbHrSupMajA25", 0, 35)
    nb_hr_sup_maj_a50: int | None = Int("nbHrSupMajA50", 0, 40)
    cd_mode_calcul: str = Text("cdModeCalcul", ..., min_length=1, max_length=1)
    mnt_frais_transport: Number | None = Money("mntFraisTransport")
    mnt_indemnites_licenciement: Number | None = Money("mntIndemnitesLicenciement")


class InputEstimation(_In):
    cd_postal_salarie: str = Text("cdPostalSalarie", "75000", min_length=5, max_length=5)
    cd_postal_employeur: str = Text("cdPostalEmployeur", "75000", min_length=5, max_length=5)
    mnt_salaire_net_mensuel: Number = Field(
        ..., alias="mntSalaireNetMensuel", le=Decimal("9999.99"), multiple_of=Decimal("0.01")
    )


class InputEstimationAma(InputEstimation):
    nb_enfants_gardes: int = Int("nbEnfantsGardes", 1, 5, ...)
    nb_jours_activite: int = Int("nbJoursActivite", 1, 31, ...)
    nb_jours_conges_payes: Number | None = Field(
        None, alias="nbJoursCongesPayes", ge=0, le=99, multiple_of=Decimal("0.5")
    )
    nb_heures_majorees: int | None = Int("nbHeuresMajorees", 0, 999)
    nb_heures_complementaires: int | None = Int("nbHeuresComplementaires", 0, 999)


class InputEstimationGed(InputEstimation):
    cd_mode_calcul: str = Text("cdModeCalcul", ..., min_length=1, max_length=1)
    nb_heures: int = Int("nbHeures", 1, 1000, ...)
    nb_hr_sup_maj_a25: int | None = Int("nbHrSupMajA25", 0, 35)
    nb_hr_sup_maj_a50: int | None = Int("nbHrSupMajA50", 0, 40)
    indc_enfant_plus_jeune_agarder: str = Text(
        "indcEnfantPlusJeuneAgarder", ..., min_length=1, max_length=1
    )
    complement_activite_ok: bool = Field(..., alias="complementActiviteOk", strict=True)


# ---- Outputs (documentation; the routes answer the same names) -----------------------------


class Erreur(Schema):
    code: str | None = Field(None, examples=["ER_API_020_B_0002"])
    message: str | None = None
    description: str | None = None


class OutputVerificationPe(Schema):
    employeur_autorise_ok: bool | None = Field(None, alias="employeurAutoriseOk")
    etat_compte_en_ligne: str | None = Field(None, alias="etatCompteEnLigne")


class OutputVerificationSp(Schema):
    numero_paje_salarie: str | None = Field(None, alias="numeroPajeSalarie")
    indc_ama: bool | None = Field(None, alias="indcAma")
    indc_ged: bool | None = Field(None, alias="indcGed")
    etat_compte_en_ligne: str | None = Field(None, alias="etatCompteEnLigne")


class VerificationEnfantPe(Schema):
    reponse_statut_enfant: int | None = Field(None, alias="reponseStatutEnfant")
    input_enfant_pe: InputEnfant | None = Field(None, alias="inputEnfantPe")


class OutputVerificationEnfantPe(Schema):
    verification_enfant_pe: list[VerificationEnfantPe] | None = Field(
        None, alias="verificationEnfantPe"
    )


class OutputAssociationEmployeurSalarie(Schema):
    salarie_cree_ok: bool | None = Field(None, alias="salarieCreeOk")
    salarie_associe_ok: bool | None = Field(None, alias="salarieAssocieOk")
    salarie_deja_associe_ok: bool | None = Field(None, alias="salarieDejaAssocieOK")
    output_verification_sp: OutputVerificationSp | None = Field(None, alias="outputVerificationSp")
    erreurs_non_bloquantes: list[Erreur] | None = Field(None, alias="erreursNonBloquantes")


class OutputEstimation(Schema):
    mnt_coti_prise_en_charge_odpf: float | None = Field(None, alias="mntCotiPriseEnChargeOdpf")
    mnt_coti_empl_acharge: float | None = Field(None, alias="mntCotiEmplAcharge")
    mnt_exo_employeur: float | None = Field(None, alias="mntExoEmployeur")
    erreurs_non_bloquantes: list[Erreur] | None = Field(None, alias="erreursNonBloquantes")


class DeclarationCommun(Schema):
    mnt_averser_par_paje: float | None = Field(None, alias="mntAverserParPaje")
    mnt_cotisations: float | None = Field(None, alias="mntCotisations")
    mnt_coti_prise_en_charge_odpf: float | None = Field(None, alias="mntCotiPriseEnChargeOdpf")
    mnt_coti_empl_acharge: float | None = Field(None, alias="mntCotiEmplAcharge")
    mnt_salaire_net_imposable: float | None = Field(None, alias="mntSalaireNetImposable")
    tx_pas: float | None = Field(None, alias="txPas", description="En pourcentage (1,3 = 1,3 %).")
    mnt_impot_pas: float | None = Field(None, alias="mntImpotPas")
    mnt_salaire_net_apayer_apres_pas: float | None = Field(
        None, alias="mntSalaireNetApayerApresPas"
    )
    mnt_empl_cmg_remuneration: float | None = Field(None, alias="mntEmplCmgRemuneration")
    mnt_aprelever_par_paje: float | None = Field(None, alias="mntApreleverParPaje")
    dt_prelevement_previsionnelle: dt.date | None = Field(None, alias="dtPrelevementPrevisionnelle")
    mnt_empl_averser_salarie: float | None = Field(None, alias="mntEmplAverserSalarie")
    dt_versement_previsionnelle: dt.date | None = Field(None, alias="dtVersementPrevisionnelle")


class OutputPreDeclaration(Schema):
    declaration: DeclarationCommun | None = None
    verification_enfant_pe: list[VerificationEnfantPe] | None = Field(
        None, alias="verificationEnfantPe"
    )
    erreurs_non_bloquantes: list[Erreur] | None = Field(None, alias="erreursNonBloquantes")


class OutputDeclaration(OutputPreDeclaration):
    reference_documentaire: str | None = Field(None, alias="referenceDocumentaire")
