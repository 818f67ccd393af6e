"""The law in force in one month, as plain numbers ready for the vectorised formulas.

``month_law(period)`` reads, once per month and process, every parameter the payslip uses at the
first day of that month. Formulas then work with scalars, which numpy broadcasts for free.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass

import numpy as np

from . import params
from .inputs import Kind

REFORM_2025 = 2025 * 12 + 8  # CMG reform: 1 September 2025

# The neutral-rate grids of the withholding tax, by ``inputs.PasZone`` (CGI art. 204 H, III):
# 1° metropolitan France and abroad, 2° Guadeloupe, Martinique and La Réunion, 3° Guyane and
# Mayotte. A zone is never computed with another zone's grid.
PAS_GRID_PATHS = (
    "pas.taux_neutre_metropole",
    "pas.taux_neutre_outre_mer_1",
    "pas.taux_neutre_outre_mer_2",
)


class OutOfRangeError(ValueError):
    """A month for which the parameters are not known."""


@dataclass(frozen=True)
class Scale:
    """A ``single_amount`` scale: the amount of the bracket the base falls in."""

    thresholds: np.ndarray
    amounts: np.ndarray

    def __call__(self, base: np.ndarray) -> np.ndarray:
        index = np.searchsorted(self.thresholds, base, side="right") - 1
        return self.amounts[np.clip(index, 0, len(self.amounts) - 1)]


@dataclass(frozen=True)
class ContributionTable:
    """Contribution lines of one payer: names, metadata and each kind's rate on the gross.

    ``rates[kind, alsace]`` is a vector of rates on the gross, with the CSG/CRDS lines already
    multiplied by the share of the gross they are levied on.
    """

    names: tuple[str, ...]
    paths: tuple[str, ...]
    metas: tuple[dict, ...]
    rates: np.ndarray  # (2 kinds, 2 alsace, k)
    nominal: np.ndarray  # (2, 2, k): the rate as published, for explanations
    caps: np.ndarray  # (k,): a line's maximum amount per payslip (inf when none)

    def mask(self, key: str, value=True) -> np.ndarray:
        return np.array([m.get(key, None) == value for m in self.metas])


class MonthLaw:
    """Every parameter of one month, by its dotted path (``law["smic.horaire_brut"]``)."""

    def __init__(self, period: int) -> None:
        self.period = period
        self.day = params.month_start(period)
        start, end = params.coverage()
        if not start <= self.day <= end:
            raise OutOfRangeError(self.day)
        self.reform = period >= REFORM_2025
        self._values: dict[str, float] = {}
        self.employee = self._table("salarie")
        self.employer = self._table("employeur")
        # ``None`` for a grid unknown at this date: rows that need it are refused by ``checks``.
        self.pas_grids: tuple[Scale | None, ...] = tuple(
            self._grid(path) for path in PAS_GRID_PATHS
        )

    def __getitem__(self, path: str) -> float:
        if path not in self._values:
            value = params.value_at(path, self.day)
            self._values[path] = math.nan if value is None else float(value)
        return self._values[path]

    def scale(self, path: str) -> Scale:
        """The scale at ``path`` this month; NaN amounts when it has ended (``value: null``)."""
        at_day = params.value_at(path, self.day)  # a path that does not exist: KeyError
        if at_day is None:
            return Scale(np.array([0.0]), np.array([math.nan]))
        return _scale(at_day)

    def _grid(self, path: str) -> Scale | None:
        """A withholding grid this month, or ``None`` when it is not known at this date (no
        file, no value yet, or an ended value): never replaced by another grid."""
        try:
            at_day = params.value_at(path, self.day)
        except KeyError:
            return None
        if at_day is None or not len(at_day.thresholds):
            return None
        return _scale(at_day)

    def _table(self, payer: str) -> ContributionTable:
        csg_share = self["assiette_csg_part_brut"]
        names, paths, metas = [], [], []
        for path, meta in params.contribution_lines(payer):
            names.append(path.rsplit(".", 1)[1])
            paths.append(path)
            metas.append(meta)
        k = len(names)
        rates = np.zeros((2, 2, k))
        nominal = np.zeros((2, 2, k))
        for i, (path, meta) in enumerate(zip(paths, metas, strict=True)):
            rate = self[path]
            rate = 0.0 if math.isnan(rate) else rate
            for kind in Kind:
                if kind.name.lower() not in meta["employees"]:
                    continue
                for alsace in (0, 1):
                    if meta.get("zone") == "alsace_moselle" and not alsace:
                        continue
                    nominal[kind, alsace, i] = rate
                    rates[kind, alsace, i] = rate * (csg_share if meta["base"] == "csg" else 1.0)
        caps = np.array([float(m.get("monthly_cap", np.inf)) for m in metas])
        return ContributionTable(tuple(names), tuple(paths), tuple(metas), rates, nominal, caps)


def _scale(at_day) -> Scale:
    return Scale(
        np.asarray(at_day.thresholds, dtype=np.float64),
        np.asarray(at_day.amounts, dtype=np.float64),
    )


@functools.lru_cache(maxsize=256)
def month_law(period: int) -> MonthLaw:
    return MonthLaw(period)


def period_label(period: int) -> str:
    return dt.date(period // 12, period % 12 + 1, 1).strftime("%m/%Y")
