"""The planted difficulties come out on top of the ranking; the decoy is not ranked."""

import pytest

from unefois.journeys import synthetic
from unefois.journeys.analysis import analyse, load


@pytest.fixture(scope="module")
def results(journeys):
    return analyse(load(journeys))


def planted_of(opportunity):
    return [p.key for p in synthetic.PLANTED if p.matches(opportunity)]


def test_planted_difficulties_are_ranked_first(results):
    ranking = results["opportunities"]
    n = len(synthetic.PLANTED)
    top = ranking[:n]
    assert all(planted_of(o) for o in top), [o["title"] for o in top]
    found = {key for o in top for key in planted_of(o)}
    assert found == {p.key for p in synthetic.PLANTED}


def test_the_decoy_is_not_ranked(results):
    ranking = results["opportunities"]
    assert not [o["title"] for o in ranking if synthetic.DECOY.matches(o)]
    # … although it is the busiest field of its procedure, often in error.
    friction = [
        r for r in results["friction"].to_pylist() if r["procedure"] == synthetic.DECOY.procedure
    ]
    busiest = max(friction, key=lambda r: r["mean_time_s"])
    assert busiest["field"] == synthetic.DECOY.field
    assert busiest["error_rate"] > 0.2


def test_each_opportunity_has_support_interval_and_french_text(results):
    for o in results["opportunities"]:
        assert o["cases"] >= 30
        assert o["score_low"] <= o["score"] <= o["score_high"]
        assert "personnes" in o["text"]
        assert "IC 95" in o["text"]


def test_consequences_have_the_planted_shapes(results):
    by_key = {}
    for o in results["opportunities"]:
        for key in planted_of(o):
            by_key.setdefault(key, o)
    expected = {p.key: p.consequence.value for p in synthetic.PLANTED}
    assert {k: o["consequence"] for k, o in by_key.items()} == expected


def test_funnels_fields_rework_correlation_and_contacts(results):
    funnels = results["funnels"].to_pylist()
    mobile = [
        r
        for r in funnels
        if r["procedure"] == "fin-de-contrat"
        and r["stage"] == "verification"
        and r["segment"] in ("mobile", "ordinateur")
    ]
    rate = {r["segment"]: r["drop_rate"] for r in mobile}
    assert rate["mobile"] > 5 * rate["ordinateur"]
    errors = results["errors"].to_pylist()
    assert errors[0]["error_code"] == "decimal_separator"
    corrections = results["corrections"].to_pylist()
    assert corrections[0]["field"] == "weeks_per_year"
    resubmissions = results["resubmissions"].to_pylist()
    assert resubmissions
    assert resubmissions[0]["resubmitted"] > 0
    correlations = results["correlations"].to_pylist()
    strongest = {(r["procedure"], r["label"]) for r in correlations[:4]}
    assert ("fin-de-contrat", "Segment : mobile") in strongest
    groups = results["contact_groups"]
    terms = [" ".join(g.terms) for g in groups]
    assert any("iban" in t or "rib" in t for t in terms)
    assert any("securite" in t or "secu" in t or "cle" in t for t in terms)


def test_same_seed_same_log():
    a = synthetic.generate(synthetic.Settings(cases=300, seed=7))
    b = synthetic.generate(synthetic.Settings(cases=300, seed=7))
    assert a.equals(b)


def test_fields_are_those_of_the_procedures():
    from unefois.procedures.catalogue import ALL

    for slug, procedure in ALL.items():
        asked = {
            n.key
            for n in procedure.needs
            if n.derive is None or n.key in ("hourly_gross", "entretien_per_day")
        }
        assert set(synthetic.FIELDS[slug]) == asked, slug
    assert set(synthetic.MIX) == set(ALL) | {"declaration-mensuelle"}


def test_french_stop_list_keeps_negations():
    from unefois.journeys.analysis.text import words

    assert words("Mon IBAN n'est pas accepté") == ["iban", "ne", "pas", "accepte"]
