"""« Dites-le-nous une fois », measured on a simulated year through the procedures' engine."""

import pytest

from unefois.simulation.tell_us_once import check_targets, simulate_year

pytestmark = pytest.mark.django_db


def test_a_simulated_year_meets_the_targets():
    report = simulate_year(households=25, seed=7)
    summary = report.summary()
    assert summary["declaration-mensuelle"]["runs"] > 100
    assert summary["declaration-mensuelle"]["median"] == 0
    assert report.typed_per_event  # some months had events, and each cost at most a field
    assert max(report.typed_per_event) <= 1
    assert summary["fin-de-contrat"]["p95"] <= 2
    assert report.asked_twice == []
    assert check_targets(report) == []
    # Identity comes from FranceConnect: sign-up never asks for it.
    assert summary["inscription-employeur"]["median"] < 14
