"""What the simulated population should look like, and how far it is from it.

Each ``Target`` is a published figure with its source and the tolerance within which the
population must reproduce it (checked by the tests and shown by ``unefois simulate report``).
Each measure reads only the columns it needs from the Parquet tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from unefois.rules.inputs import Kind

from .departements import POPULATION_THOUSANDS


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    value: float
    tolerance: float
    source: str
    measure: Callable[[Path], float]
    unit: str = ""


@dataclass(frozen=True)
class Measured:
    target: Target
    value: float

    @property
    def ok(self) -> bool:
        return abs(self.value - self.target.value) <= self.target.tolerance


def _read(directory: Path, table: str, columns: list[str]) -> dict[str, np.ndarray]:
    data = pq.read_table(directory / f"{table}.parquet", columns=columns)
    return {c: data.column(c).to_numpy(zero_copy_only=False) for c in columns}


def _middle_period(directory: Path) -> int:
    period = _read(directory, "months", ["period"])["period"]
    return int((period.min() + period.max()) // 2)


def ged_share_of_employers(directory: Path) -> float:
    m = _read(directory, "months", ["period", "household_id", "kind"])
    rows = m["period"] == _middle_period(directory)
    households = np.unique(m["household_id"][rows])
    ged = np.unique(m["household_id"][rows & (m["kind"] == Kind.GED)])
    return len(ged) / len(households)


def parents_per_ged(directory: Path) -> float:
    m = _read(directory, "months", ["period", "household_id", "employee_id", "kind"])
    rows = (m["period"] == _middle_period(directory)) & (m["kind"] == Kind.GED)
    return len(np.unique(m["household_id"][rows])) / len(np.unique(m["employee_id"][rows]))


def children_under_3_per_ama(directory: Path) -> float:
    m = _read(directory, "months", ["period", "employee_id", "kind", "child_age"])
    rows = (m["period"] == _middle_period(directory)) & (m["kind"] == Kind.AMA)
    working = np.unique(m["employee_id"][rows])
    under_3 = rows & (m["child_age"] < 3)
    return under_3.sum() / len(working)


def employers_per_ama_in_a_year(directory: Path) -> float:
    m = _read(directory, "months", ["period", "employee_id", "household_id", "kind"])
    first = m["period"].min()
    rows = (m["kind"] == Kind.AMA) & (m["period"] < first + 12)
    pairs = np.unique(np.stack([m["employee_id"][rows], m["household_id"][rows]], 1), axis=0)
    return len(pairs) / len(np.unique(pairs[:, 0]))


def _median_net_hourly(directory: Path, kind: Kind) -> float:
    m = _read(directory, "months", ["kind", "hourly_gross", "period"])
    rows = (m["kind"] == kind) & (m["period"] == _middle_period(directory))
    return float(np.median(m["hourly_gross"][rows] * (1 - 0.2188025)))


def median_net_hourly_ama(directory: Path) -> float:
    return _median_net_hourly(directory, Kind.AMA)


def median_net_hourly_ged(directory: Path) -> float:
    return _median_net_hourly(directory, Kind.GED)


def alsace_moselle_share(directory: Path) -> float:
    return float(_read(directory, "households", ["alsace_moselle"])["alsace_moselle"].mean())


def cmg_share(directory: Path) -> float:
    return float(_read(directory, "households", ["cmg"])["cmg"].mean())


_AM = sum(POPULATION_THOUSANDS[d] for d in ("57", "67", "68")) / sum(POPULATION_THOUSANDS.values())

TARGETS: tuple[Target, ...] = (
    Target(
        "ged_share",
        "Part des foyers employeurs qui emploient une garde à domicile",
        88_000 / (720_000 + 88_000),
        0.015,
        "Urssaf, Stat'ur (janvier 2022) : 720 000 employeurs d'AMA et 88 000 de GED fin 2020",
        ged_share_of_employers,
        "%",
    ),
    Target(
        "parents_per_ged",
        "Foyers employeurs par garde à domicile (garde partagée)",
        127_481 / 116_926,
        0.03,
        "FEPEM, baromètre n° 38 (2019) : 127 481 parents employeurs, 116 926 salariés",
        parents_per_ged,
    ),
    Target(
        "children_under_3_per_ama",
        "Enfants de moins de 3 ans accueillis en même temps par une AMA",
        2.4,
        0.2,
        "Moyenne de 2023 relevée dans les notes du domaine (CONTEXT.md)",
        children_under_3_per_ama,
    ),
    Target(
        "median_net_hourly_ama",
        "Salaire horaire net médian d'une AMA (par enfant)",
        4.85,
        0.25,
        "Coût horaire de référence du CMG, assistant maternel (CSS D531-18 ; caf.fr)",
        median_net_hourly_ama,
        "€",
    ),
    Target(
        "median_net_hourly_ged",
        "Salaire horaire net médian d'une garde à domicile",
        10.38,
        0.5,
        "Coût horaire de référence du CMG, garde à domicile (CSS D531-18)",
        median_net_hourly_ged,
        "€",
    ),
    Target(
        "alsace_moselle_share",
        "Part des foyers en Alsace-Moselle",
        _AM,
        0.01,
        "INSEE, populations légales 2021 (Bas-Rhin, Haut-Rhin, Moselle)",
        alsace_moselle_share,
        "%",
    ),
    Target(
        "cmg_share",
        "Part des foyers qui perçoivent le CMG",
        0.88,
        0.13,
        "CAF (2025) : plus de 750 000 parents ; Urssaf Stat'ur n° 405 : moins d'1 million "
        "d'employeurs pour la garde d'enfants (au moins 75 %)",
        cmg_share,
        "%",
    ),
)


def measure(directory: Path) -> list[Measured]:
    return [Measured(t, float(t.measure(Path(directory)))) for t in TARGETS]
