"""A version keeps its amounts; the explanation is rebuilt from its inputs, amounts as declared."""

import pytest
from django.core.cache import cache

from tests.www.factories import contract_with_months, person
from unefois.declarations.services import explained

pytestmark = pytest.mark.django_db


def test_the_recorded_amounts_are_what_is_shown_even_if_the_law_was_corrected():
    contract = contract_with_months(person("p-ex", True), person("a-ex", False), 1)
    version = contract.declarations.get().current_version
    slip = explained(version)
    recorded = {line["code"]: line["montant"] for line in version.results["lignes"]}
    assert {line.code: str(line.amount) for line in slip.lines} == recorded
    assert all(line.formula for line in slip.lines)
    assert not [w for w in slip.warnings if w.code == "EXPLICATION_RECALCULEE"]
    # Simulate a later correction of a parameter: the stored amounts still win, with a note.
    cache.clear()
    version.results["lignes"][0]["montant"] = "1.00"
    slip = explained(version)
    assert str(slip.lines[0].amount) == "1.00"
    assert any(w.code == "EXPLICATION_RECALCULEE" for w in slip.warnings)
