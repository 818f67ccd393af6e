"""The parameter files: OpenFisca's format, complete over the coverage, each value referenced."""

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from unefois.rules import params
from unefois.rules.law import month_law

ROOT = params.PARAMETERS_DIR
FILES = sorted(p for p in ROOT.rglob("*.yaml") if p.name != "index.yaml")
PLAIN = [p for p in FILES if "values" in yaml.safe_load(p.read_text())]


def _path(file: Path) -> str:
    return ".".join(file.relative_to(ROOT).with_suffix("").parts)


def _raw_values(file: Path) -> list[tuple[str, object]]:
    """Read the YAML by hand (not through openfisca-core): (start date, value), oldest first."""
    data = yaml.safe_load(file.read_text())
    return sorted((str(day), entry["value"]) for day, entry in data["values"].items())


def test_every_file_loads_and_has_a_description_unit_and_reference():
    tree = params.tree()
    assert tree is not None
    for file in FILES:
        data = yaml.safe_load(file.read_text())
        assert data.get("description"), file
        meta = data.get("metadata", {})
        assert meta.get("reference"), f"{file}: no legal reference"
        if "values" in data:
            assert meta.get("unit"), f"{file}: no unit"


@given(
    st.sampled_from(PLAIN),
    st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 12, 31)),
)
def test_a_parameter_at_a_date_is_the_last_value_started_on_or_before_it(file, day):
    started = [(start, value) for start, value in _raw_values(file) if start <= day.isoformat()]
    expected = started[-1][1] if started else None
    assert params.value_at(_path(file), day) == expected


def test_every_value_in_force_has_a_reference_in_force():
    start, end = params.coverage()
    for file in PLAIN:
        data = yaml.safe_load(file.read_text())
        references = sorted(str(k) for k in data["metadata"]["reference"])
        for day, entry in data["values"].items():
            if entry["value"] is None or str(day) > end.isoformat():
                continue
            assert references[0] <= max(str(day), start.isoformat()), (
                f"{file}: the value of {day} has no reference in force"
            )


def test_every_month_of_the_coverage_has_the_law_the_payslip_needs():
    start, end = params.coverage()
    period = params.period_of(start)
    while period <= params.period_of(end):
        law = month_law(period)
        assert law["smic.horaire_brut"] > 0
        assert law.employee.rates.sum() > 0
        assert law.employer.rates.sum() > 0
        period += 1


def test_unverified_values_are_flagged_in_their_notes():
    """A value we could not confirm carries a note starting with « NON VÉRIFIÉ »."""
    flagged = [file for file in FILES if params.UNVERIFIED_MARK in file.read_text(encoding="utf-8")]
    for file in flagged:
        data = yaml.safe_load(file.read_text())
        notes = data["metadata"].get("notes", {})
        assert any(
            n["title"].startswith(params.UNVERIFIED_MARK)
            for entries in notes.values()
            for n in entries
        ), file


def test_smic_values_match_the_decrees():
    """Figures of décrets 2023-1216, 2024-951 and 2025-1228 (Journal officiel)."""
    assert params.value_at("smic.horaire_brut", dt.date(2024, 1, 1)) == 11.65
    assert params.value_at("smic.horaire_brut", dt.date(2024, 11, 1)) == 11.88
    assert params.value_at("smic.horaire_brut", dt.date(2026, 1, 1)) == 12.02
    assert params.value_at("minimum_garanti", dt.date(2026, 1, 1)) == 4.25
