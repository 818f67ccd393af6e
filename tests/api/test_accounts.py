"""Verifying an employer (PAJE020), an employee (PAJE021), children (PAJE022); associating an
employee (PAJE023); registering and cancelling mandates (PAJE030, PAJE031)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.api.conftest import (
    AMA_NIR,
    AMA_NUMBER,
    CHILD_LEA,
    CHILD_LOU,
    EMPLOYER_BIRTH,
    EMPLOYER_NUMBER,
    EMPLOYER_PAJE,
    GED_NUMBER,
)
from tests.www.factories import person
from unefois.api.models import EmployeeLink, Mandate
from unefois.audit.models import AuditEntry
from unefois.people.models import User

pytestmark = pytest.mark.django_db

VERIFY = f"/employeurs/{EMPLOYER_PAJE}/verifier"
CHILDREN = f"/employeurs/{EMPLOYER_PAJE}/enfants/verifier"
LINK = f"/employeurs/{EMPLOYER_PAJE}/salarie/associer"
MANDATE = {"numeroPaje": EMPLOYER_PAJE, "dateNaissance": EMPLOYER_BIRTH}


def _codes(response) -> list[str]:
    body = response.json()
    return [e["code"] for e in (body if isinstance(body, list) else [body])]


# ---- PAJE020 -----------------------------------------------------------------------------------


def test_a_known_employer_with_an_active_account(software, world):
    response = software.call("GET", VERIFY, {"dtNaissanceEmployeur": EMPLOYER_BIRTH})
    assert response.status_code == 200
    assert response.json() == {"employeurAutoriseOk": True, "etatCompteEnLigne": "Actif"}


def test_the_number_is_accepted_as_unefois_writes_it_padded_or_as_a_real_pajemploi_number(
    software, world
):
    """A 14-character number recorded as such (an employer who brought their own) matches too."""
    from unefois.facts.actions import do_record_facts
    from unefois.facts.models import Source, SubjectType

    other = person("t-parent2", True)
    do_record_facts(
        None, SubjectType.PERSON, other.pk, {"employer_number": "91234567800012"}, Source.PERSON
    )
    response = software.call(
        "GET", "/employeurs/91234567800012/verifier", {"dtNaissanceEmployeur": EMPLOYER_BIRTH}
    )
    assert response.json()["etatCompteEnLigne"] == "Actif"
    assert len(EMPLOYER_PAJE) == 14
    assert EMPLOYER_PAJE.endswith(EMPLOYER_NUMBER)


def test_an_inactive_account_is_not_authorised(software, world):
    User.objects.filter(pk=world.employer.user_id).update(is_active=False)
    response = software.call("GET", VERIFY, {"dtNaissanceEmployeur": EMPLOYER_BIRTH})
    assert response.json() == {"employeurAutoriseOk": False, "etatCompteEnLigne": "Inactif"}


@pytest.mark.parametrize(
    ("number", "birth"),
    [(EMPLOYER_PAJE, "1985-01-02"), ("0000E999999999", EMPLOYER_BIRTH)],
)
def test_an_unknown_employer_or_a_wrong_birth_date(software, world, number, birth):
    response = software.call(
        "GET", f"/employeurs/{number}/verifier", {"dtNaissanceEmployeur": birth}
    )
    assert response.status_code == 400
    assert _codes(response) == ["ER_API_020_B_0002"]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/employeurs/E123456789/verifier", {"dtNaissanceEmployeur": EMPLOYER_BIRTH}),
        (VERIFY, {"dtNaissanceEmployeur": "01/01/1985"}),
        (VERIFY, {}),
    ],
)
def test_parameters_off_the_swagger(software, world, path, query):
    response = software.call("GET", path, query, valid=False)
    assert response.status_code == 400
    assert _codes(response) == ["ER_API_020_B_0001"]


# ---- PAJE022 -----------------------------------------------------------------------------------


def test_children_need_the_mandate(software, world, today):
    body = {"inputEnfantPe": [CHILD_LEA]}
    response = software.call("POST", CHILDREN, software.employer_query(), body)
    assert response.status_code == 400
    assert _codes(response) == ["ER_API_022_B_0003"]


def test_children_found_partly_found_or_not(mandated, world, today):
    """Léa: name, first name and birth date (1); Lou under another family name (2); a child
    unknown (0); Lou again on a day she is 6 (0: no more right to the CMG)."""
    body = {
        "inputEnfantPe": [
            CHILD_LEA,
            {**CHILD_LOU, "nomEnfant": "MARTIN"},
            {"nomEnfant": "TEST", "prenomEnfant": "NOE", "dtNaissanceEnfant": "2024-02-01"},
        ]
    }
    response = mandated.call("POST", CHILDREN, mandated.employer_query(), body)
    assert response.status_code == 200
    answer = response.json()["verificationEnfantPe"]
    assert [a["reponseStatutEnfant"] for a in answer] == [1, 2, 0]
    assert [a["inputEnfantPe"] for a in answer] == body["inputEnfantPe"]
    today(dt.date(2029, 6, 15))
    again = mandated.call(
        "POST", CHILDREN, mandated.employer_query(), {"inputEnfantPe": [CHILD_LOU]}
    )
    assert again.json()["verificationEnfantPe"][0]["reponseStatutEnfant"] == 0


def test_children_body_off_the_swagger(mandated, world, today):
    response = mandated.call(
        "POST", CHILDREN, mandated.employer_query(), {"enfants": []}, valid=False
    )
    assert _codes(response) == ["ER_API_022_B_0001"]
    bad_child = {"inputEnfantPe": [{**CHILD_LEA, "nomEnfant": "X" * 31}]}
    response = mandated.call("POST", CHILDREN, mandated.employer_query(), bad_child, valid=False)
    assert _codes(response) == ["ER_API_022_B_0001"]


# ---- PAJE021 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ({"numeroPajeSalarie": AMA_NUMBER.zfill(14)}, None),
        ({"nirSalarie": AMA_NIR}, None),
        ({"nirSalarie": AMA_NIR, "dtNaissanceSalarie": "1985-01-01"}, None),
        ({}, {"nomNaissance": "TEST", "prenom": "T AMA", "dtNaissanceSalarie": "1985-01-01"}),
    ],
)
def test_an_employee_by_number_nir_or_civil_status(software, world, query, body):
    response = software.call("POST", "/salaries/verifier", query, body)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "numeroPajeSalarie": AMA_NUMBER.zfill(14),
        "indcAma": True,
        "indcGed": True,
        "etatCompteEnLigne": "Actif",
    }


def test_a_ged_is_not_an_ama(software, world):
    response = software.call(
        "POST", "/salaries/verifier", {"numeroPajeSalarie": GED_NUMBER.zfill(14)}
    )
    assert response.json()["indcAma"] is False


@pytest.mark.parametrize(
    ("query", "body", "code"),
    [
        ({}, None, "ER_API_021_B_0005"),
        ({"dtNaissanceSalarie": "1985-01-01"}, None, "ER_API_021_B_0005"),
        ({"numeroPajeSalarie": "0000S999999999"}, None, "ER_API_021_B_0004"),
        ({"numeroPajeSalarie": "0000S99999999\x00"}, None, "ER_API_021_B_0004"),
        ({"nirSalarie": "2850375123456\x007"}, None, "ER_API_021_B_0004"),
        ({"nirSalarie": AMA_NIR, "dtNaissanceSalarie": "1990-01-01"}, None, "ER_API_021_B_0004"),
        ({}, {"nomNaissance": "AUTRE", "dtNaissanceSalarie": "1985-01-01"}, "ER_API_021_B_0004"),
        # Both test employees were born on 1 January 1985 under the name TEST: ambiguous.
        ({}, {"nomNaissance": "TEST", "dtNaissanceSalarie": "1985-01-01"}, "ER_API_021_B_0004"),
    ],
)
def test_an_employee_not_found(software, world, query, body, code):
    response = software.call("POST", "/salaries/verifier", query, body)
    assert response.status_code == 400
    assert _codes(response) == [code]


# ---- PAJE023 -----------------------------------------------------------------------------------


def test_associating_needs_the_mandate(software, world):
    query = software.employer_query(
        numeroPajeSalarie=AMA_NUMBER.zfill(14), dtNaissanceSalarie="1985-01-01"
    )
    response = software.call("POST", LINK, query)
    assert _codes(response) == ["ER_API_023_B_0003"]
    assert not EmployeeLink.objects.exists()


def test_an_employee_with_a_contract_is_already_associated(mandated, world):
    query = mandated.employer_query(
        numeroPajeSalarie=AMA_NUMBER.zfill(14), dtNaissanceSalarie="1985-01-01"
    )
    answer = mandated.call("POST", LINK, query).json()
    assert answer["salarieAssocieOk"] is True
    assert answer["salarieDejaAssocieOK"] is True
    assert answer["salarieCreeOk"] is False
    assert answer["outputVerificationSp"]["numeroPajeSalarie"] == AMA_NUMBER.zfill(14)


def test_associating_a_new_employee_is_recorded_once_and_audited(mandated, world):
    newcomer = person("t-newcomer", False, "ged", "S000000777")
    query = mandated.employer_query(
        numeroPajeSalarie="0000S000000777", dtNaissanceSalarie="1985-01-01"
    )
    first = mandated.call("POST", LINK, query, {"typeActiviteSalarie": "G"}).json()
    assert (first["salarieAssocieOk"], first["salarieDejaAssocieOK"]) == (True, False)
    second = mandated.call("POST", LINK, query).json()
    assert second["salarieDejaAssocieOK"] is True
    link = EmployeeLink.objects.get()
    assert (link.employer, link.employee, link.partner) == (
        world.employer,
        newcomer,
        mandated.partner,
    )
    assert AuditEntry.objects.filter(action="tierce_declaration.associer_salarie").count() == 1


def test_unefois_creates_no_employee_for_a_third_party(mandated, world):
    query = mandated.employer_query(dtNaissanceSalarie="1990-05-05")
    body = {
        "nirSalarie": "290057512345688",
        "typeActiviteSalarie": "G",
        "inputIdentificationSalarie": {"nomNaissance": "NOUVEAU", "prenom": "ANNE"},
        "inputAdresseSalarie": {"codeCommune": "75056", "codePostal": "75001"},
    }
    response = mandated.call("POST", LINK, query, body)
    assert _codes(response) == ["ER_API_023_B_0021"]
    assert not EmployeeLink.objects.exists()


def test_an_ama_asked_for_must_be_one(mandated, world):
    query = mandated.employer_query(
        numeroPajeSalarie=GED_NUMBER.zfill(14), dtNaissanceSalarie="1985-01-01"
    )
    response = mandated.call("POST", LINK, query, {"typeActiviteSalarie": "A"})
    assert _codes(response) == ["ER_API_023_B_0022"]
    response = mandated.call("POST", LINK, query, {"typeActiviteSalarie": "Z"})
    assert _codes(response) == ["ER_API_023_B_0011"]
    assert not EmployeeLink.objects.exists()


def test_association_needs_the_employees_birth_date(mandated, world):
    query = mandated.employer_query(numeroPajeSalarie=AMA_NUMBER.zfill(14))
    response = mandated.call("POST", LINK, query, valid=False)
    assert _codes(response) == ["ER_API_023_B_0001"]


# ---- PAJE030, PAJE031 --------------------------------------------------------------------------


def test_registering_a_mandate_answers_200_without_a_body_and_is_audited(software, world):
    response = software.call("POST", "/mandats", MANDATE)
    assert (response.status_code, response.content) == (200, b"")
    mandate = Mandate.objects.get()
    assert (mandate.partner, mandate.employer, mandate.cancelled_at) == (
        software.partner,
        world.employer,
        None,
    )
    audit = AuditEntry.objects.get(action="tierce_declaration.mandat_enregistrer")
    assert audit.subject_id == mandate.pk
    assert audit.new == {"partner": "logiciel-paie", "employer": world.employer.pk}
    # Registering again keeps the mandate in force: still one, no new audit row.
    assert software.call("POST", "/mandats", MANDATE).status_code == 200
    assert Mandate.objects.count() == 1
    assert AuditEntry.objects.filter(action="tierce_declaration.mandat_enregistrer").count() == 1


def test_cancelling_keeps_the_row_with_its_date_and_a_new_mandate_is_a_new_row(software, world):
    software.call("POST", "/mandats", MANDATE)
    response = software.call("DELETE", "/mandats", MANDATE)
    assert (response.status_code, response.content) == (200, b"")
    mandate = Mandate.objects.get()
    assert mandate.cancelled_at is not None
    assert AuditEntry.objects.filter(action="tierce_declaration.mandat_annuler").count() == 1
    software.call("POST", "/mandats", MANDATE)
    assert Mandate.objects.filter(cancelled_at__isnull=True).count() == 1
    assert Mandate.objects.count() == 2


def test_cancelling_without_a_mandate_is_one_error_object(software, world):
    response = software.call("DELETE", "/mandats", MANDATE)
    assert response.status_code == 400
    error = response.json()
    assert isinstance(error, dict)
    assert error["code"] == "ER_API_031_B_0016"
    assert not AuditEntry.objects.filter(action__startswith="tierce_declaration.mandat").exists()


@pytest.mark.parametrize(
    ("query", "valid", "code"),
    [
        (
            {"numeroPaje": "0000E999999999", "dateNaissance": EMPLOYER_BIRTH},
            True,
            "ER_API_030_B_0002",
        ),
        # A NUL byte, which PostgreSQL refuses in a query (found by schemathesis): nobody.
        (
            {"numeroPaje": "0000E12345678\x00", "dateNaissance": EMPLOYER_BIRTH},
            True,
            "ER_API_030_B_0002",
        ),
        ({"numeroPaje": EMPLOYER_PAJE, "dateNaissance": "1985-13-01"}, False, "ER_API_030_B_0001"),
        ({"numeroPaje": EMPLOYER_PAJE}, False, "ER_API_030_B_0001"),
    ],
)
def test_mandate_refusals_are_one_error_object(software, world, query, valid, code):
    response = software.call("POST", "/mandats", query, valid=valid)
    assert response.status_code == 400
    assert isinstance(response.json(), dict)
    assert response.json()["code"] == code
    assert not Mandate.objects.exists()


def test_a_mandate_belongs_to_one_software(software, world, settings):
    from tests.api.conftest import software_for

    software.call("POST", "/mandats", MANDATE)
    other = software_for("autre-logiciel")
    response = other.call("POST", CHILDREN, other.employer_query(), {"inputEnfantPe": [CHILD_LEA]})
    assert _codes(response) == ["ER_API_022_B_0003"]
    response = other.call("DELETE", "/mandats", MANDATE)
    assert response.json()["code"] == "ER_API_031_B_0016"
    assert Mandate.objects.get().cancelled_at is None
