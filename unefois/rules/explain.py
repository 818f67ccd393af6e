"""Every figure of a payslip, explained: its formula with the row's numbers, the parameters used
with their values at the date, and the legal reference.

``payslip(result, i)`` turns row ``i`` of an ``engine.Result`` into a ``Payslip``: a list of
``Line`` (amounts as exact ``Decimal``), the figures of the Pajemploi declaration, and the
errors and warnings. Only this module writes text; the vectorised formulas never do.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from . import params
from .checks import Finding
from .engine import Result
from .inputs import Kind, LeavePayment
from .law import PAS_GRID_PATHS, month_law
from .money import to_decimal

CCN = (
    "Convention collective nationale des particuliers employeurs et de l'emploi à domicile "
    "(IDCC 3239)"
)
CASS = "Cass. soc., 11 février 1982, n° 80-40359 ; Cass. soc., 6 janvier 2021, n° 19-12.759"

_PAS_REFERENCES = (
    "Code général des impôts, art. 204 H, III, 1° (métropole)",
    "Code général des impôts, art. 204 H, III, 2° (Guadeloupe, Martinique, La Réunion)",
    "Code général des impôts, art. 204 H, III, 3° (Guyane, Mayotte)",
)

SALARY, EMPLOYEE, NET, EMPLOYER, ALLOWANCES, TAX, END, TOTALS, CMG = (
    "Salaire brut",
    "Cotisations et contributions salariales",
    "Salaire net",
    "Cotisations et contributions patronales",
    "Indemnités (non soumises à cotisations)",
    "Impôt sur le revenu",
    "Fin de contrat",
    "Totaux",
    "Aides de la CAF (CMG)",
)


@dataclass(frozen=True)
class Parameter:
    path: str
    description: str
    value: str
    since: str | None
    reference: str
    href: str | None
    unverified: bool


@dataclass(frozen=True)
class Line:
    code: str
    section: str
    label: str
    amount: Decimal
    sign: int  # +1 adds to the total of its section, -1 deducts
    formula: str
    reference: str
    parameters: tuple[Parameter, ...] = ()


@dataclass
class Payslip:
    month: str
    employee: str
    lines: list[Line] = field(default_factory=list)
    declaration: dict[str, Decimal | int] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def amount(self, code: str) -> Decimal:
        for line in self.lines:
            if line.code == code:
                return line.amount
        return Decimal("0.00")

    @classmethod
    def from_dict(cls, data: dict) -> Payslip:
        """A payslip back from ``as_dict`` (what a declaration version stores)."""

        def finding(f: dict) -> Finding:
            return Finding(f["code"], f["gravite"], f["champ"], f["message"], f["reference"])

        return cls(
            month=data["mois"],
            employee=data["salarie"],
            lines=[
                Line(
                    code=line["code"],
                    section=line["section"],
                    label=line["label"],
                    amount=Decimal(line["montant"]),
                    sign=line["sign"],
                    formula=line["formula"],
                    reference=line["reference"],
                    parameters=tuple(Parameter(**p) for p in line.get("parametres", [])),
                )
                for line in data["lignes"]
            ],
            declaration={k: Decimal(v) for k, v in data["declaration_pajemploi"].items()},
            facts=dict(data.get("reperes", {})),
            errors=[finding(f) for f in data.get("erreurs", [])],
            warnings=[finding(f) for f in data.get("avertissements", [])],
        )

    def as_dict(self) -> dict:
        return {
            "mois": self.month,
            "salarie": self.employee,
            "erreurs": [f.as_dict() for f in self.errors],
            "avertissements": [f.as_dict() for f in self.warnings],
            "lignes": [
                {
                    **{k: v for k, v in asdict(line).items() if k not in ("amount", "parameters")},
                    "montant": str(line.amount),
                    "parametres": [asdict(p) for p in line.parameters],
                }
                for line in self.lines
            ],
            "declaration_pajemploi": {k: str(v) for k, v in self.declaration.items()},
            "reperes": self.facts,
        }


# ---- Formatting ---------------------------------------------------------------------------


def eur(x: float | Decimal) -> str:
    return f"{float(x):,.2f} €".replace(",", " ").replace(".", ",")


def num(x: float, digits: int = 2) -> str:
    text = f"{float(x):,.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",") or "0"


def pct(x: float) -> str:
    return f"{num(float(x) * 100, 4)} %"


@functools.lru_cache(maxsize=8192)
def _param(path: str, day) -> Parameter:
    """A parameter as shown on a line (cached: parameters do not change while running)."""
    use = params.explain(path, day)
    ref = use.references[0] if use.references else None
    value = use.value
    if isinstance(value, list):
        text = " ; ".join(f"≥ {num(t)} → {num(a, 6)}" for t, a in value)
    elif use.unit == "/1":
        text = pct(value)
    elif use.unit and use.unit.startswith("currency"):
        text = eur(value)
    else:
        text = num(value, 6)
    reference = ref.title if ref else ""
    if ref and ref.official_journal_date:
        reference += f" (JO du {ref.official_journal_date})"
    return Parameter(
        path=path,
        description=use.description,
        value=text,
        since=use.since,
        reference=reference,
        href=ref.href if ref else None,
        unverified=use.unverified,
    )


def _first_reference(path: str, day) -> str:
    return _param(path, day).reference


# ---- The lines ----------------------------------------------------------------------------


def payslip(result: Result, i: int) -> Payslip:
    c = {
        k: (v[i] if hasattr(v, "__len__") and not isinstance(v, str) else v)
        for k, v in result.columns.items()
    }
    o = result.row(i)
    period = int(c["period"])
    month = f"{period // 12}-{period % 12 + 1:02d}"
    is_ama = int(c["kind"]) == Kind.AMA
    slip = Payslip(month=month, employee="ama" if is_ama else "ged")
    found = result.findings(i)
    slip.errors = [f for f in found if f.severity == "erreur"]
    slip.warnings = [f for f in found if f.severity != "erreur"]
    if slip.errors:
        return slip
    law = month_law(period)
    day = law.day

    def uses(*paths):
        return tuple(_param(p, day) for p in paths)

    def add(code, section, label, formula, reference, parameters=(), sign=1, always=False):
        value = o.get(code, 0.0)
        if not always and (value == 0 or (isinstance(value, float) and math.isnan(value))):
            return
        slip.lines.append(
            Line(code, section, label, to_decimal(value), sign, formula, reference, parameters)
        )

    hourly = o["hourly_gross"]
    weeks = c["weeks_per_year"]
    variable = not math.isnan(c["annual_hours"])
    if variable:
        base_formula = f"{num(hourly, 4)} € × {num(c['annual_hours'])} h ÷ 12"
    else:
        base_formula = (
            f"{num(hourly, 4)} € brut de l'heure × {num(o['monthly_hours'] * 12 / weeks, 4)} h "
            f"par semaine × {num(weeks)} semaines ÷ 12 = {num(o['monthly_hours'], 2)} h"
        )
        if o["monthly_hours"] and o["base_pay"] > hourly * o["monthly_hours"] + 0.01:
            base_formula += " (heures au-delà de la durée conventionnelle majorées)"
    base_params = (
        ("ama.duree.hebdomadaire_conventionnelle",)
        if is_ama
        else ("ged.duree_temps_plein", "ged.presence_responsable_equivalence")
    )
    add(
        "base_pay",
        SALARY,
        "Salaire de base mensualisé",
        base_formula,
        f"{CCN}, art. 108 (mensualisation)" if is_ama else "Code du travail, art. L3242-1 ; " + CCN,
        uses(*base_params),
        always=True,
    )
    add(
        "entry_exit_deduction",
        SALARY,
        "Embauche ou fin de contrat en cours de mois",
        f"{eur(o['base_pay'])} × {num(o['entry_exit_hours'])} h hors contrat ÷ "
        f"{num(o['planned_hours'])} h prévues dans le mois (calendrier réel)",
        CASS,
        sign=-1,
    )
    child = ("ama.absences.maladie_enfant_jours", "ama.absences.hospitalisation_enfant_jours")
    add(
        "absence_deduction",
        SALARY,
        "Absences non rémunérées",
        f"{eur(o['base_pay'])} × {num(o['absence_hours'])} h d'absence ÷ "
        f"{num(o['planned_hours'])} h prévues dans le mois (calendrier réel)",
        CASS + (f" ; {CCN} (absences de l'enfant)" if is_ama else ""),
        uses(*child) if is_ama and (c["child_sick_days"] or c["child_hospital_days"]) else (),
        sign=-1,
    )
    add(
        "complementary_pay",
        SALARY,
        "Heures complémentaires",
        f"{num(c['complementary_hours'])} h × {num(hourly, 4)} €",
        f"{CCN}, art. 96" if is_ama else CCN,
    )
    majoration = (
        c["majoration_rate"]
        if not math.isnan(c["majoration_rate"])
        else law["ama.heures_majorees_taux_minimum"]
    )
    add(
        "majorated_pay",
        SALARY,
        "Heures majorées (au-delà de 45 h par semaine)",
        f"{num(c['majorated_hours'])} h × {num(hourly, 4)} € × (1 + {pct(majoration)})",
        f"{CCN}, socle spécifique assistant maternel, art. 96",
        uses("ama.heures_majorees_taux_minimum"),
    )
    add(
        "overtime_25_pay",
        SALARY,
        "Heures supplémentaires majorées de 25 %",
        f"{num(c['overtime_25_hours'])} h × {num(hourly, 4)} € × 1,25",
        CCN,
        uses("ged.heures_supplementaires.majoration_premieres"),
    )
    add(
        "overtime_50_pay",
        SALARY,
        "Heures supplémentaires majorées de 50 %",
        f"{num(c['overtime_50_hours'])} h × {num(hourly, 4)} € × 1,5",
        CCN,
        uses("ged.heures_supplementaires.majoration_haute"),
    )
    leave_ref = f"Code du travail, art. L3141-24 ; {CCN}, art. 102"
    if o["paid_leave_days"]:
        add(
            "paid_leave_pay",
            SALARY,
            f"Congés payés ({num(o['paid_leave_days'])} jours ouvrables)",
            f"le plus favorable de : 10 % du brut de la période de référence "
            f"({eur(o['paid_leave_tenth'])}) et maintien du salaire "
            f"({eur(o['paid_leave_maintien'])})",
            leave_ref,
            uses("conges_payes.fraction_dixieme", "conges_payes.jours_ouvrables_par_semaine"),
        )
    add(
        "paid_leave_complement",
        SALARY,
        "Complément de congés payés (règle du dixième)",
        f"10 % de {eur(c['leave_reference_gross'])} − salaire maintenu pendant "
        f"{num(c['leave_acquired_days'])} jours de congés",
        leave_ref,
        uses("conges_payes.fraction_dixieme"),
    )
    add(
        "regularisation_pay",
        SALARY,
        "Régularisation (heures faites au-delà des heures payées)",
        f"{num(o['regularisation_hours'])} h × {num(hourly, 4)} €",
        f"{CCN}, socle spécifique assistant maternel (régularisation, année incomplète)",
    )
    add(
        "leave_compensation",
        SALARY,
        "Indemnité compensatrice de congés payés",
        f"{num(o['leave_compensation_days'])} jours : le plus favorable du dixième et du maintien",
        "Code du travail, art. L3141-28 ; " + CCN,
        uses("conges_payes.fraction_dixieme"),
    )
    gross = o["gross_pay"]
    add("gross_pay", SALARY, "Salaire brut", "somme des lignes ci-dessus", "", always=True)

    csg_share = law["assiette_csg_part_brut"]
    table = law.employee
    kind_index, alsace_index = int(c["kind"]), int(bool(c["alsace_moselle"]))
    for name, path, meta, rate in zip(
        table.names, table.paths, table.metas, table.nominal[kind_index, alsace_index], strict=True
    ):
        base = f"{eur(gross)} × {pct(csg_share)}" if meta["base"] == "csg" else eur(gross)
        extra = ("assiette_csg_part_brut",) if meta["base"] == "csg" else ()
        add(
            f"employee.{name}",
            EMPLOYEE,
            meta["label"],
            f"{base} × {pct(rate)}",
            _first_reference(path, day),
            uses(path, *extra),
            sign=-1,
        )
    add(
        "overtime_reduction",
        EMPLOYEE,
        "Réduction de cotisations sur les heures majorées ou complémentaires",
        "rémunération des heures × taux des cotisations vieillesse, plafonné",
        "Code de la sécurité sociale, art. L241-17 et D241-21",
        uses("heures_supplementaires.reduction_salariale_plafond"),
    )
    add(
        "employee_contributions",
        EMPLOYEE,
        "Total des cotisations salariales",
        "somme des lignes (chaque ligne arrondie de sorte que leur somme soit le total arrondi)",
        "",
        sign=-1,
        always=True,
    )
    add(
        "net_pay",
        NET,
        "Salaire net (avant impôt)",
        f"{eur(gross)} − {eur(o['employee_contributions'])}",
        "",
        always=True,
    )

    table = law.employer
    for name, path, meta, rate in zip(
        table.names, table.paths, table.metas, table.nominal[kind_index, alsace_index], strict=True
    ):
        add(
            f"employer.{name}",
            EMPLOYER,
            meta["label"],
            f"{eur(gross)} × {pct(rate)}",
            _first_reference(path, day),
            uses(path),
        )
    add(
        "forfaitaire_deduction",
        EMPLOYER,
        "Déduction forfaitaire patronale",
        f"{num(o['declaration.normal_hours'])} h × {eur(law['deduction_forfaitaire.par_heure'])}, "
        "dans la limite des cotisations hors accidents du travail",
        "Code de la sécurité sociale, art. L241-10 I bis",
        uses("deduction_forfaitaire.par_heure"),
        sign=-1,
    )
    add(
        "employer_contributions",
        EMPLOYER,
        "Total des cotisations patronales",
        "somme des lignes",
        "",
        always=True,
    )

    entretien_formula = (
        f"{eur(c['entretien_per_day'])} × {num(o['care_days'])} jours d'accueil"
        if not math.isnan(c["entretien_per_day"])
        else f"{eur(c['entretien_per_hour'])} × {num(o['care_hours'])} h d'accueil"
        if not math.isnan(c["entretien_per_hour"])
        else f"minimum légal : {num(o['care_days'])} jours, {num(o['care_hours'])} h d'accueil"
    )
    add(
        "entretien",
        ALLOWANCES,
        "Indemnités d'entretien",
        entretien_formula,
        f"{CCN}, socle spécifique assistant maternel, art. 114.1",
        uses(
            "minimum_garanti",
            "ama.entretien.part_minimum_garanti",
            "ama.entretien.plancher_journalier",
        ),
    )
    add(
        "meals",
        ALLOWANCES,
        "Indemnités de repas",
        f"{eur(c['meal_per_day'])} × jours avec repas",
        CCN,
    )
    add(
        "mileage",
        ALLOWANCES,
        "Indemnités kilométriques",
        f"{num(c['mileage_km'])} km × {num(c['mileage_rate'], 4)} €",
        CCN,
    )

    add(
        "taxable_net",
        TAX,
        "Net imposable",
        "net + CSG non déductible et CRDS − heures majorées ou complémentaires exonérées",
        "Code général des impôts, art. 81 quater",
        uses("heures_supplementaires.plafond_exoneration_impot"),
        always=True,
    )
    neutral = math.isnan(c["pas_rate"])
    add(
        "pas",
        TAX,
        f"Prélèvement à la source ({'taux neutre' if neutral else 'taux personnalisé'} "
        f"{pct(o['pas_rate'])})",
        f"{eur(o['pas_base'])} × {pct(o['pas_rate'])}",
        _PAS_REFERENCES[int(c["pas_zone"])] if neutral else "Code général des impôts, art. 204 C",
        uses(PAS_GRID_PATHS[int(c["pas_zone"])]) if neutral else (),
        sign=-1,
        always=True,  # base and rate are shown even when nothing is withheld (C. trav. R3243-1)
    )

    if o["contract_ends"]:
        reference = (
            f"{CCN}, socle spécifique assistant maternel, art. 121.1"
            if is_ama
            else "Code du travail, art. L1234-9 et R1234-2"
        )
        formula = (
            f"1/80 × {eur(c['contract_gross_total'] + gross)} de salaires bruts du contrat"
            if is_ama
            else "¼ de mois de salaire par année d'ancienneté (⅓ au-delà de 10 ans)"
        )
        add(
            "termination_indemnity",
            END,
            "Indemnité de rupture" if is_ama else "Indemnité de licenciement",
            formula,
            reference,
            uses("ama.rupture.fraction_salaires", "ama.rupture.anciennete_minimum_mois")
            if is_ama
            else uses("ged.licenciement.anciennete_minimum_mois"),
        )

    add(
        "net_paid",
        TOTALS,
        "Net à payer au salarié",
        "net + indemnités − prélèvement à la source (+ indemnité de rupture)",
        "",
        always=True,
    )
    add(
        "employer_cost",
        TOTALS,
        "Coût total pour l'employeur (avant aides)",
        "brut + cotisations patronales + indemnités",
        "",
        always=True,
    )
    cmg_ref = "Code de la sécurité sociale, art. L531-5 et D531-17 à D531-23"
    if law.reform:
        cmg_params = uses(
            "cmg.reforme_2025.cout_horaire_plafond_ama"
            if is_ama
            else "cmg.reforme_2025.cout_horaire_plafond_ged",
            "cmg.reforme_2025.cout_horaire_reference_ama"
            if is_ama
            else "cmg.reforme_2025.cout_horaire_reference_ged",
            "cmg.reforme_2025.taux_effort_horaire_ama",
        )
        resources = 0.0 if math.isnan(c["monthly_resources"]) else c["monthly_resources"]
        cmg_formula = (
            f"coût mensuel {eur(o['cmg_cost'])} (coût horaire plafonné) × (1 − ressources "
            f"{eur(resources)} × taux d'effort horaire ÷ coût horaire de référence)"
        )
    else:
        cmg_params = uses("cmg.avant_reforme.bmaf", "cmg.avant_reforme.reste_a_charge_minimum")
        cmg_formula = (
            "montant maximal selon les ressources et l'âge de l'enfant, au plus 85 % du coût"
        )
    add(
        "cmg_contributions",
        CMG,
        "Cotisations prises en charge par la CAF",
        "toutes les cotisations (assistant maternel) ; "
        "50 % dans la limite d'un plafond (garde à domicile)",
        cmg_ref,
    )
    add("cmg_pay", CMG, "CMG « rémunération » versé par la CAF", cmg_formula, cmg_ref, cmg_params)
    add(
        "parent_cost",
        CMG,
        "Reste à la charge de la famille",
        f"{eur(o['employer_cost'])} − {eur(o['cmg_contributions'])} − {eur(o['cmg_pay'])}",
        "",
        always=True,
    )

    slip.declaration = {
        "heures_normales": int(o["declaration.normal_hours"]),
        "jours_activite": int(o["declaration.activity_days"]),
        "salaire_net": to_decimal(o["net_pay"]),
    }
    if is_ama:
        slip.declaration["heures_complementaires"] = _qty(o["declaration.complementary_hours"])
        slip.declaration["heures_majorees"] = _qty(o["declaration.majorated_hours"])
        slip.declaration["indemnites_entretien"] = to_decimal(o["entretien"])
        slip.declaration["indemnites_repas"] = to_decimal(o["meals"])
        slip.declaration["indemnites_kilometriques"] = to_decimal(o["mileage"])
        if weeks <= 46 and int(c["leave_payment"]) != LeavePayment.INCLUDED:
            slip.declaration["jours_conges_payes"] = _qty(o["declaration.leave_days"])
    else:
        slip.declaration["heures_supplementaires"] = _qty(o["declaration.overtime_hours"])
    if o["contract_ends"]:
        slip.declaration["indemnite_compensatrice_conges_payes"] = to_decimal(
            o["leave_compensation"]
        )
        slip.declaration["indemnite_rupture"] = to_decimal(o["termination_indemnity"])
    slip.facts = {
        "salaire_horaire_brut": num(hourly, 4),
        "salaire_horaire_net": num(o["hourly_net"], 4),
        "heures_mensualisees": num(o["monthly_hours"], 2),
        "heures_prevues_dans_le_mois": num(o["planned_hours"], 2),
        "jours_d_accueil": num(o["care_days"]),
    }
    if o["contract_ends"]:
        slip.facts["anciennete_mois"] = num(o["seniority_months"], 1)
        slip.facts["preavis"] = _notice_text(o)
    return slip


def _notice_text(o: dict) -> str:
    parts = []
    if o["notice_months"]:
        parts.append(f"{num(o['notice_months'])} mois")
    if o["notice_weeks"]:
        parts.append(f"{num(o['notice_weeks'])} semaine(s)")
    if o["notice_days"]:
        parts.append(f"{num(o['notice_days'])} jours calendaires")
    return " et ".join(parts) or "aucun"


def _qty(x: float) -> Decimal:
    """Hours or days as a Decimal with at most two places (2 → 2, 2.5 → 2.5)."""
    text = f"{float(x):.2f}".rstrip("0").rstrip(".")
    return Decimal(text)
