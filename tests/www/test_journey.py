"""The parent's and the employee's journey through the pages, with the Django test client."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from unefois.contracts.models import Contract, Status
from unefois.declarations.models import Declaration, DeclarationVersion
from unefois.facts.models import Fact
from unefois.people.actions import do_sign_in
from unefois.procedures.models import ProcedureRun

pytestmark = pytest.mark.django_db

PARENT = {
    "sub": "parent-1",
    "given_name": "Camille",
    "family_name": "Martin",
    "birthdate": "1990-04-12",
    "gender": "female",
    "email": "camille@example.org",
    "acr": "eidas1",
}
AMA = {
    "sub": "ama-1",
    "given_name": "Nadia",
    "family_name": "Benali",
    "birthdate": "1978-02-03",
    "gender": "female",
    "acr": "eidas1",
}


def _client_for(client, claims):
    user = do_sign_in(claims)
    client.force_login(user)
    return user


def _run_procedure(client, slug, answers, query=""):
    url = reverse("www:procedure", args=[slug]) + query
    response = client.post(url, answers)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(response["Location"])
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


@pytest.fixture
def parties(client, django_user_model):
    from django.test import Client

    ama_client = Client()
    _client_for(ama_client, AMA)
    _run_procedure(
        ama_client,
        "inscription-salarie",
        {
            "street": "3 rue des Lilas",
            "postcode": "67000",
            "city": "Strasbourg",
            "employee_kind": "ama",
            "nir": "278027512345627",
            "iban": "FR7630006000011234567890189",
            "rate_hourly_gross": "4,50",
            "rate_entretien_per_day": "4",
        },
    )
    parent_client = client
    _client_for(parent_client, PARENT)
    _run_procedure(
        parent_client,
        "inscription-employeur",
        {
            "street": "10 avenue de la Paix",
            "postcode": "67000",
            "city": "Strasbourg",
            "dependent_children": "1",
            "single_parent": "non",
            "monthly_resources": "3200",
            "cmg": "oui",
            "child_given_name": "Léa",
            "child_birthdate": "2024-03-12",
        },
    )
    return parent_client, ama_client


def test_identity_from_franceconnect_is_never_asked(client):
    _client_for(client, PARENT)
    page = client.get(reverse("www:procedure", args=["inscription-employeur"])).content.decode()
    assert "Camille" in page  # shown as already known, with its source
    assert 'name="given_name"' not in page
    assert 'name="family_name"' not in page
    assert "FranceConnect" in page


def test_full_journey(parties):
    parent, ama = parties
    employee_number = Fact.objects.get(key="pajemploi_number").value
    # The derived facts: département and Alsace-Moselle from the postcode.
    assert Fact.objects.filter(key="alsace_moselle", value=True).count() == 2

    # Hire: find the AMA by her number; her usual rate pre-fills the contract.
    response = parent.post(reverse("www:hire"), {"numero": employee_number})
    assert response.status_code == 302
    questions = parent.get(response["Location"]).content.decode()
    assert 'name="hourly_gross"' not in questions  # derived from the AMA's profile
    start = dt.date(2025, 9, 1)
    response = _run_procedure(
        parent,
        "embauche",
        {
            "start_date": start.isoformat(),
            "weeks_per_year": "52",
            "schedule_monday": "9",
            "schedule_tuesday": "9",
            "schedule_thursday": "9",
            "schedule_friday": "9",
        },
        "?" + response["Location"].split("?")[1],
    )
    contract = Contract.objects.get()
    assert contract.status == Status.AWAITING_EMPLOYEE

    # She confirms from her own account.
    page = ama.get(reverse("www:employee")).content.decode()
    assert "Confirmer ce contrat" in page
    ama.post(
        reverse("www:answer_hire", args=[contract.pk]),
        {"reponse": "accepter", "version": contract.version},
    )
    contract.refresh_from_db()
    assert contract.status == Status.ACTIVE

    period = 2025 * 12 + 9  # October 2025
    # A month with no event: one confirmation, zero typed fields.
    response = parent.post(
        reverse("www:declare", args=[contract.pk, period]), {"action": "confirmer"}
    )
    assert response.status_code == 302
    assert Declaration.objects.filter(period=period).exists()
    run = ProcedureRun.objects.filter(procedure="declaration-mensuelle").get()
    assert run.typed == 0
    # Submitting twice creates one declaration.
    parent.post(reverse("www:declare", args=[contract.pk, period]), {"action": "confirmer"})
    assert Declaration.objects.filter(period=period).count() == 1

    # A month with an absence: one group of ticked days.
    november = period + 1
    response = parent.post(
        reverse("www:declare", args=[contract.pk, november]),
        {
            "action": "confirmer",
            "absence_employee_sick": ["2025-11-13", "2025-11-14"],
        },
    )
    assert response.status_code == 302
    nov = Declaration.objects.get(period=november)
    assert nov.current_version.events["absences"] == [
        {"start": "2025-11-13", "end": "2025-11-14", "reason": "employee_sick"}
    ]
    # A month with extra hours.
    december = period + 2
    parent.post(
        reverse("www:declare", args=[contract.pk, december]),
        {"action": "confirmer", "extra_2025-12-03": "2"},
    )
    dec = Declaration.objects.get(period=december)
    assert dec.current_version.events["extra_hours"] == [{"date": "2025-12-03", "hours": 2.0}]

    # She contests November; the parent corrects it: a new version with its reason.
    page = ama.get(reverse("www:declaration", args=[nov.pk])).content.decode()
    assert "Contester la déclaration" in page
    ama.post(
        reverse("www:declaration", args=[nov.pk]),
        {"motif": "J'étais présente le 14 novembre.", "version": nov.version},
    )
    nov.refresh_from_db()
    assert nov.status == "contested"
    response = parent.post(
        reverse("www:correct", args=[nov.pk]),
        {
            "absence_employee_sick": ["2025-11-13"],
            "motif": "Absence d'un seul jour",
            "version": nov.version,
        },
    )
    assert response.status_code == 302
    nov.refresh_from_db()
    assert nov.current_version.number == 2
    assert DeclarationVersion.objects.filter(declaration=nov).count() == 2
    first_net = _net(DeclarationVersion.objects.get(declaration=nov, number=1))
    assert _net(nov.current_version) > first_net  # one day less deducted

    # End of contract: only the end date and the reason are typed.
    response = parent.post(
        reverse("www:procedure", args=["fin-de-contrat"]) + f"?contrat={contract.pk}",
        {"end_date": "2026-01-30", "end_reason": "employer_withdrawal"},
    )
    check = parent.get(response["Location"]).content.decode()
    assert "Estimation de la fin de contrat" in check
    parent.post(response["Location"])
    contract.refresh_from_db()
    assert contract.status == Status.ENDED
    end_run = ProcedureRun.objects.get(procedure="fin-de-contrat")
    assert end_run.typed == 2
    response = parent.post(
        reverse("www:declare", args=[contract.pk, period + 3]), {"action": "confirmer"}
    )
    assert response.status_code == 302
    final = Declaration.objects.get(period=period + 3)
    codes = {line["code"] for line in final.current_version.results["lignes"]}
    assert "leave_compensation" in codes

    # The payslip as a PDF, and the end-of-contract documents, pre-filled.
    pdf = ama.get(reverse("www:payslip_pdf", args=[final.current_version.pk]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    compensation = next(
        line["montant"]
        for line in final.current_version.results["lignes"]
        if line["code"] == "leave_compensation"
    )
    for kind in ("attestation-employeur", "certificat-de-travail", "solde-de-tout-compte"):
        page = parent.get(reverse("www:end_document", args=[contract.pk, kind]))
        assert page.status_code == 200, kind
        text = page.content.decode()
        assert "Nadia Benali" in text
        assert "30/01/2026" in text
    attestation = parent.get(
        reverse("www:end_document", args=[contract.pk, "attestation-employeur"])
    )
    assert compensation.replace(".", ",") in attestation.content.decode()


def _net(version) -> float:
    for line in version.results["lignes"]:
        if line["code"] == "net_pay":
            return float(line["montant"])
    raise AssertionError


def test_bad_input_changes_nothing_and_says_why_in_french(parties):
    parent, _ = parties
    before = Fact.objects.count()
    response = parent.post(
        reverse("www:procedure", args=["changement-adresse"]),
        {"street": "1 rue X", "postcode": "6700", "city": "Strasbourg"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le code postal a 5 chiffres" in page
    assert re.search(r'href="#champ-postcode"', page)  # the error summary links to the field
    assert Fact.objects.count() == before
