"""Properties every payslip must have, checked on generated month-contracts."""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from unefois.rules.api import calculate_rows
from unefois.rules.inputs import Kind
from unefois.rules.law import month_law
from unefois.rules.money import to_decimal

from .strategies import rows

CENTS = Decimal("0.01")


def one(row):
    result = calculate_rows([row])
    assert not result.errors[0], result.findings(0)
    return result.row(0)


def d(x) -> Decimal:
    return to_decimal(float(x))


@given(rows())
def test_gross_minus_employee_contributions_is_net_to_the_cent(row):
    out = one(row)
    assert d(out["gross_pay"]) - d(out["employee_contributions"]) == d(out["net_pay"])


@given(rows())
def test_contribution_lines_add_up_and_each_is_the_exact_rate_within_a_cent(row):
    """Recompute each line in Decimal from the published rates: an independent arithmetic."""
    out = one(row)
    law = month_law(row["period"])
    gross = d(out["gross_pay"])
    csg_base = gross * Decimal(repr(law["assiette_csg_part_brut"]))
    kind, alsace = row["kind"], int(row["alsace_moselle"])
    for table, prefix in ((law.employee, "employee"), (law.employer, "employer")):
        exact_total = Decimal(0)
        shown_total = Decimal(0)
        for name, meta, rate in zip(
            table.names, table.metas, table.nominal[kind, alsace], strict=True
        ):
            base = csg_base if meta["base"] == "csg" else gross
            exact = base * Decimal(repr(float(rate)))
            if "monthly_cap" in meta:
                exact = min(exact, Decimal(repr(float(meta["monthly_cap"]))))
            shown = d(out[f"{prefix}.{name}"])
            assert abs(shown - exact) <= CENTS, (name, shown, exact)
            exact_total += exact
            shown_total += shown
        assert shown_total == exact_total.quantize(CENTS, rounding=ROUND_HALF_UP)
    assert d(out["employee_contributions"]) == sum(
        d(out[f"employee.{n}"]) for n in law.employee.names
    ) - d(out["overtime_reduction"])


@given(rows(with_events=False))
def test_base_pay_is_the_decimal_mensualisation(row):
    """hourly × hours per week × weeks ÷ 12, in Decimal, rounded half up (no hours over 45)."""
    week = sum(row[f"sched_{i}"] for i in range(7))
    assume(week <= 40)
    out = one(row)
    exact = (
        Decimal(repr(row["hourly_gross"]))
        * Decimal(repr(week))
        * Decimal(repr(row["weeks_per_year"]))
        / Decimal(12)
    )
    assert d(out["base_pay"]) == exact.quantize(CENTS, rounding=ROUND_HALF_UP)


@given(rows(), st.integers(0, 4), st.sampled_from([0.5, 1.0, 2.0]))
def test_more_hours_never_lower_pay(row, day, extra):
    before = one(row)
    more = dict(row)
    more[f"sched_{day}"] = row[f"sched_{day}"] + extra
    assume(sum(more[f"sched_{i}"] for i in range(7)) <= 45)
    after = one(more)
    assert after["gross_pay"] >= before["gross_pay"]
    assert after["net_pay"] >= before["net_pay"]
    more_extra = dict(row, complementary_hours=row.get("complementary_hours", 0) + extra)
    assert one(more_extra)["gross_pay"] >= before["gross_pay"]


@given(rows())
def test_cmg_stays_within_zero_and_the_cost(row):
    out = one(row)
    assert 0 <= out["cmg_pay"] <= out["cmg_cost"] + 1e-9
    contributions = out["employee_contributions"] + out["employer_contributions"]
    assert 0 <= out["cmg_contributions"] <= contributions + 1e-9
    assert out["parent_cost"] >= -1e-9


@given(st.lists(rows(), min_size=2, max_size=12))
def test_a_batch_equals_the_same_rows_one_by_one(batch):
    together = calculate_rows(batch)
    for i, row in enumerate(batch):
        alone = calculate_rows([row])
        for name, values in together.outputs.items():
            a, b = values[i], alone.outputs[name][0]
            assert (a == b) or (np.isnan(a) and np.isnan(b)), (name, a, b)


@given(rows(kind=Kind.GED, with_events=False))
def test_net_hourly_wage_rebuilds_the_same_gross(row):
    """Parents often know the net: giving it must give back the gross that produces it.

    (Without overtime: hours paid with a majoration are agreed in net with their own
    contribution reduction, so a net contract and a gross contract differ there by design.)
    """
    assume(sum(row[f"sched_{i}"] for i in range(7)) <= 40)
    out = one(row)
    from_net = dict(row)
    del from_net["hourly_gross"]
    from_net["hourly_net"] = out["hourly_net"]
    again = one(from_net)
    assert abs(again["hourly_gross"] - row["hourly_gross"]) < 1e-9
    assert again["net_pay"] == out["net_pay"]
