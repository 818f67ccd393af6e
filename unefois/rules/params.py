"""The law's figures: dated parameters in OpenFisca's YAML format, read by openfisca-core.

Every amount, rate and threshold used by the formulas lives in ``parameters/`` with its start
dates, its unit and its legal reference. This module loads that tree once and serves it in the
two shapes the formulas need:

* ``at(day)``: the whole tree at one date (for one payslip, or for explaining a line);
* ``law.month_law(period)``: every value the formulas need for one month, as plain numbers.

A parameter is read at the first day of the month being paid. A month outside the coverage
declared in ``parameters/index.yaml`` is refused (see ``coverage``).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openfisca_core.errors import ParameterNotFoundError
from openfisca_core.parameters import Parameter, ParameterNode, ParameterScale

PARAMETERS_DIR = Path(__file__).parent / "parameters"
UNVERIFIED_MARK = "NON VÉRIFIÉ"


@functools.cache
def tree() -> ParameterNode:
    """The whole parameter tree, loaded once per process."""
    return ParameterNode("", directory_path=str(PARAMETERS_DIR))


def coverage() -> tuple[dt.date, dt.date]:
    """First and last day for which every parameter is known (``index.yaml`` metadata)."""
    meta = tree().metadata["coverage"]
    return _as_date(meta["start"]), _as_date(meta["end"])


@functools.lru_cache(maxsize=512)
def at(day: dt.date | str) -> Any:
    """The tree at one date, e.g. ``at("2025-10-01").smic.horaire_brut``."""
    return tree()(str(day))


@functools.lru_cache(maxsize=1024)
def node(path: str) -> Parameter | ParameterScale | ParameterNode:
    """The parameter object at a dotted path, e.g. ``node("smic.horaire_brut")``."""
    current: Any = tree()
    for part in path.split("."):
        current = current.children[part]
    return current


def month_start(period: int) -> dt.date:
    """First day of a period numbered ``year * 12 + month - 1``."""
    return dt.date(period // 12, period % 12 + 1, 1)


def period_of(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def value_at(path: str, day: dt.date) -> Any:
    """Value at ``day``; ``None`` for a parameter that exists but has ended (``value: null``)."""
    node(path)  # a path that does not exist is a programming error: KeyError
    value: Any = at(day)
    try:
        for part in path.split("."):
            value = getattr(value, part)
    except ParameterNotFoundError:
        return None
    return value


# ---------------------------------------------------------------------------------------------
# Explanations: what a user sees next to a figure.


@dataclass(frozen=True)
class Reference:
    title: str
    href: str | None = None
    official_journal_date: str | None = None


@dataclass(frozen=True)
class ParamUse:
    """One parameter as used on a payslip line: its value at the date and where it comes from."""

    path: str
    description: str
    value: Any
    unit: str | None
    references: tuple[Reference, ...]
    notes: tuple[str, ...]
    since: str | None

    @property
    def unverified(self) -> bool:
        return any(note.startswith(UNVERIFIED_MARK) for note in self.notes)


def _dated(mapping: dict | None, day: dt.date) -> tuple[Any, str | None]:
    """The entry of a by-date mapping in force at ``day`` (last key on or before it)."""
    if not mapping:
        return None, None
    keys = sorted((str(k) for k in mapping), reverse=True)
    for key in keys:
        if key <= day.isoformat():
            raw = {str(k): v for k, v in mapping.items()}[key]
            return raw, key
    return None, None


def explain(path: str, day: dt.date) -> ParamUse:
    """A parameter's value at ``day`` with its description, unit, reference and notes."""
    param = node(path)
    meta = getattr(param, "metadata", {}) or {}
    raw_ref, _ = _dated(meta.get("reference"), day)
    refs = raw_ref if isinstance(raw_ref, list) else [raw_ref] if raw_ref else []
    jo, _ = _dated(meta.get("official_journal_date"), day)
    references = tuple(
        Reference(r.get("title", ""), r.get("href"), jo if i == 0 else None)
        for i, r in enumerate(refs)
    )
    raw_notes, _ = _dated(meta.get("notes"), day)
    notes = tuple(n["title"] if isinstance(n, dict) else str(n) for n in (raw_notes or []))
    since = None
    if isinstance(param, Parameter):
        value = param(str(day))
        for entry in param.values_list:  # newest first
            if entry.instant_str <= day.isoformat():
                since = entry.instant_str
                break
    else:
        value = _scale_table(param, day)
    return ParamUse(
        path=path,
        description=param.description or path,
        value=value,
        unit=meta.get("unit") or meta.get("amount_unit"),
        references=references,
        notes=notes,
        since=since,
    )


def _scale_table(scale: ParameterScale, day: dt.date) -> list[tuple[float, float]]:
    at_day = scale(str(day))
    return [(float(t), float(a)) for t, a in zip(at_day.thresholds, at_day.amounts, strict=True)]


def contribution_lines(payer: str) -> list[tuple[str, dict]]:
    """The contribution lines of one payer (``salarie`` or ``employeur``), with their metadata."""
    group = node(f"cotisations.{payer}")
    lines = []
    for name in sorted(group.children):
        child = group.children[name]
        lines.append((f"cotisations.{payer}.{name}", dict(child.metadata)))
    return lines


def all_parameter_paths() -> list[str]:
    """Every leaf parameter or scale of the tree (for coverage checks and docs)."""
    paths: list[str] = []

    def walk(current: Any, prefix: str) -> None:
        for name, child in sorted(current.children.items()):
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(child, ParameterNode):
                walk(child, path)
            else:
                paths.append(path)

    walk(tree(), "")
    return paths
