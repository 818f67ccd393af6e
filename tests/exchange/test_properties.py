"""Property tests: whatever the scope (field mask), the fields asked, the person and the months, no
answer holds a field outside the scope, nor data about a person outside the purpose."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unefois.contracts.models import Contract
from unefois.contracts.models import Status as ContractStatus
from unefois.declarations.models import Declaration
from unefois.exchange.models import Scope
from unefois.exchange.resources import EMPLOYEE, RESOURCES, mask

pytestmark = pytest.mark.django_db

ALL_FIELDS = sorted({f for r in RESOURCES.values() for f in r.fields} | {"nir", "iban", "x"})
PATHS = {
    "salaires": "salaires",
    "activite_mensuelle": "activite-mensuelle",
    "attestation_employeur": "attestation-employeur",
    "garde_enfants": "garde-enfants",
    "prelevement_source": "prelevement-a-la-source",
    "montants_annuels": "montants-annuels",
    "ressources_mensuelles": "ressources-mensuelles",
}


@given(
    rows=st.lists(
        st.dictionaries(st.sampled_from(ALL_FIELDS), st.integers() | st.text(max_size=5)),
        max_size=5,
    ),
    allowed=st.lists(st.sampled_from(ALL_FIELDS), unique=True),
    asked=st.none() | st.lists(st.sampled_from(ALL_FIELDS), max_size=12),
)
def test_mask_never_lets_a_field_outside_the_scope_through(rows, allowed, asked):
    masked, granted, refused = mask(rows, allowed, asked)
    wanted = set(allowed) & set(asked) if asked else set(allowed)
    assert set(granted) == wanted
    assert not set(refused) & set(allowed)
    assert len(masked) == len(rows)
    for before, after in zip(rows, masked, strict=True):
        assert set(after) <= wanted
        assert after == {k: v for k, v in before.items() if k in wanted}


def _ref(person) -> str:
    return person.pajemploi_number or f"P{person.pk}"


def _expected(resource_code: str, person, body: dict) -> tuple[int, dict[str, set]]:
    """Rows an answer must have, computed from the domain directly, and the identifiers its
    rows may mention (only this person's employers, employees and children)."""
    resource = RESOURCES[resource_code]
    role_filter = (
        {"contract__employee": person}
        if resource.role == EMPLOYEE
        else {"contract__employer": person}
    )
    contracts = Contract.objects.filter(
        **({"employee": person} if resource.role == EMPLOYEE else {"employer": person})
    )
    allowed = {
        "employeur": {_ref(c.employer) for c in contracts},
        "salarie": {_ref(c.employee) for c in contracts},
        "enfant": {f"E{c.child_id}" for c in contracts},
        "contrat": {c.pk for c in contracts},
    }
    if resource_code == "attestation_employeur":
        return contracts.filter(status=ContractStatus.ENDED).count(), allowed
    if resource_code == "montants_annuels":
        year = body["annee"]
        declared = Declaration.objects.filter(
            period__gte=year * 12, period__lte=year * 12 + 11, **role_filter
        )
        return len(set(declared.values_list("contract__employee", "contract__kind"))), allowed
    last = int(body["jusqu_au"][:4]) * 12 + int(body["jusqu_au"][5:]) - 1
    first = last - body["mois"] + 1
    count = Declaration.objects.filter(period__gte=first, period__lte=last, **role_filter).count()
    return count, allowed


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_answer_returns_a_field_outside_the_scope_or_a_person_outside_the_purpose(
    world, open_partner, data
):
    resource_code = data.draw(st.sampled_from(sorted(RESOURCES)))
    resource = RESOURCES[resource_code]
    scope = Scope.objects.get(partner=open_partner.partner, resource=resource_code)
    scope.fields = data.draw(st.lists(st.sampled_from(list(resource.fields)), unique=True))
    scope.save(update_fields=["fields"])
    who = data.draw(st.sampled_from(["ama", "ged", "parent1", "parent2", "stranger", None]))
    nir = getattr(world, who).nir if who else "187067512312345"
    asked = data.draw(st.none() | st.lists(st.sampled_from(ALL_FIELDS), max_size=10))
    body: dict = {"nir": nir}
    if asked is not None:
        body["champs"] = asked
    if resource_code == "montants_annuels":
        body["annee"] = data.draw(st.sampled_from([2024, 2025]))
    elif resource_code == "salaires":
        body["mois"] = data.draw(st.sampled_from([3, 12]))
    elif resource_code != "attestation_employeur":
        body["mois"] = data.draw(st.integers(1, 12))
    if "mois" in body:
        body["jusqu_au"] = data.draw(st.sampled_from(["2025-03", "2025-04", "2025-05", "2026-01"]))

    response = open_partner.call(PATHS[resource_code], body, purpose="essai")
    answer = response.json()

    concerned = who is not None and (
        Contract.objects.filter(
            **(
                {"employee": getattr(world, who)}
                if resource.role == EMPLOYEE
                else {"employer": getattr(world, who)}
            )
        ).exists()
    )
    if not concerned:
        assert response.status_code == 404
        assert "donnees" not in answer
        return
    assert response.status_code == 200, answer
    wanted = set(scope.fields) & set(asked) if asked else set(scope.fields)
    assert set(answer["champs"]) == wanted
    count, allowed = _expected(resource_code, getattr(world, who), body)
    assert len(answer["donnees"]) == count
    for row in answer["donnees"]:
        assert set(row) <= wanted
        for key, values in allowed.items():
            if key in row and row[key] is not None:
                assert row[key] in values, (key, row[key])
