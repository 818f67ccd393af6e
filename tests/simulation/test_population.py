"""The synthetic population: deterministic, valid for the rules core, calibrated."""

import hashlib
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from unefois.rules.checks import minimum_wage
from unefois.rules.engine import calculate
from unefois.rules.inputs import BY_NAME, NO_END, Kind
from unefois.rules.law import month_law
from unefois.simulation import calibration
from unefois.simulation.population import Settings
from unefois.simulation.writer import TABLES, write


@pytest.fixture(scope="module")
def population(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("population")
    write(Settings(households=45_000, months=14, seed=11), directory, progress=False)
    return directory


def _digest(directory: Path) -> dict[str, str]:
    return {
        name: hashlib.sha256(
            pq.read_table(directory / f"{name}.parquet")
            .to_string(show_metadata=False, preview_cols=0)
            .encode()
            + str(pq.read_table(directory / f"{name}.parquet").to_pydict()).encode()
        ).hexdigest()
        for name in TABLES
    }


def test_same_seed_same_population_and_another_seed_another(tmp_path):
    settings = Settings(households=3_000, months=6, seed=7)
    write(settings, tmp_path / "a", progress=False)
    write(settings, tmp_path / "b", progress=False)
    write(Settings(households=3_000, months=6, seed=8), tmp_path / "c", progress=False)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a")["months"] != _digest(tmp_path / "c")["months"]


def _table(directory, name):
    return pq.read_table(directory / f"{name}.parquet").to_pydict()


def test_an_ama_never_cares_for_more_children_than_her_agrement(population):
    contracts = pq.read_table(population / "contracts.parquet")
    employees = pq.read_table(population / "employees.parquet").to_pydict()
    capacity = dict(zip(employees["employee_id"], employees["agrement_capacity"], strict=True))
    kind = contracts["kind"].to_numpy()
    ama = kind == Kind.AMA
    employee = contracts["employee_id"].to_numpy()[ama]
    start = contracts["start"].to_numpy().astype("datetime64[D]").astype(np.int64)[ama]
    end_raw = contracts["end"].to_numpy().astype("datetime64[D]")[ama]
    end = np.where(np.isnat(end_raw), NO_END, end_raw.astype(np.int64))
    # Sweep: +1 on the first day, −1 the day after the last; the running count per AMA.
    who = np.r_[employee, employee]
    day = np.r_[start, end + 1]
    step = np.r_[np.ones(len(start)), -np.ones(len(end))]
    order = np.lexsort((step, day, who))
    who, step = who[order], step[order]
    running = np.cumsum(step)
    firsts = np.r_[0, np.flatnonzero(who[1:] != who[:-1]) + 1]
    running -= np.repeat(np.r_[0, running[firsts[1:] - 1]], np.diff(np.r_[firsts, len(who)]))
    peak = {}
    for w, r in zip(who, running, strict=True):
        peak[w] = max(peak.get(w, 0), r)
    assert max(peak.values()) <= 4
    assert all(peak[w] <= capacity[w] for w in peak)


def test_every_month_is_inside_its_contract_and_paid_at_least_the_minimum(population):
    months = _table(population, "months")
    period = np.array(months["period"])
    start = np.array(months["contract_start"], dtype="datetime64[D]")
    end = np.array(
        [e if e is not None else np.datetime64("NaT") for e in months["contract_end"]],
        dtype="datetime64[D]",
    )
    month_first = (period - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    month_last = (period - 1970 * 12 + 1).astype("datetime64[M]").astype("datetime64[D]") - 1
    assert np.all(start <= month_last)
    assert np.all(np.isnat(end) | (end >= month_first))
    kind = np.array(months["kind"])
    hourly = np.array(months["hourly_gross"])
    for p in np.unique(period):
        rows = period == p
        minimum = minimum_wage(month_law(int(p)), kind[rows], np.zeros(rows.sum(), bool))
        assert np.all(hourly[rows] >= minimum - 1e-9), p


def test_every_month_computes_without_error(population):
    table = pq.read_table(population / "months.parquet")
    from unefois.rules.batch import _column

    batch = {name: _column(table, name) for name in table.column_names if name in BY_NAME}
    result = calculate(batch, table.num_rows)
    assert int(result.errors.sum()) == 0, result.findings(int(np.argmax(result.errors)))
    assert np.all(result.outputs["net_pay"] > 0)


def test_the_population_meets_its_published_targets(population):
    for measured in calibration.measure(population):
        assert measured.ok, (measured.target.name, measured.value, measured.target.value)


def test_the_report_is_one_self_contained_page(population, tmp_path):
    from unefois.simulation.report import write_report

    page = tmp_path / "rapport.html"
    write_report(population, page)
    text = page.read_text()
    assert "Cibles publiées" in text
    assert "atteinte" in text
    assert "<script src=" not in text  # JavaScript inlined: opens without a network
    assert text.count('class="vega"') == 4
