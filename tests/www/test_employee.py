"""The employee's side: yearly summary (page and PDF), a change of bank details."""

import pytest
from django.urls import reverse

from unefois.facts.actions import do_record_fact
from unefois.facts.models import Fact, Source, SubjectType

from .factories import contract_with_months, person

pytestmark = pytest.mark.django_db


def test_yearly_summary_adds_up_the_declarations(client):
    employee = person("ama-y", False)
    contract = contract_with_months(person("parent-y", True), employee, 3)
    client.force_login(employee.user)
    page = client.get(reverse("www:yearly", args=[2025])).content.decode()
    taxable = sum(
        float(
            next(
                line["montant"]
                for line in d.current_version.results["lignes"]
                if line["code"] == "taxable_net"
            )
        )
        for d in contract.declarations.all()
    )
    assert f"{taxable:,.2f}".replace(",", " ").replace(".", ",") in page
    pdf = client.get(reverse("www:yearly", args=[2025]) + "?format=pdf")
    assert pdf.content.startswith(b"%PDF")


def test_a_change_of_bank_details_adds_a_version_and_keeps_the_old_one(client):
    employee = person("ama-b", False)
    do_record_fact(
        employee.user,
        SubjectType.PERSON,
        employee.pk,
        "iban",
        "FR7630006000011234567890189",
        Source.PERSON,
    )
    client.force_login(employee.user)
    url = reverse("www:procedure", args=["changement-rib"])
    page = client.get(url).content.decode()
    assert 'name="iban"' in page  # the person came to change it: it is asked
    response = client.post(url, {"iban": "FR46 3000 3012 3400 0123 4567 812"})
    assert response.status_code == 302
    client.post(response["Location"])
    versions = Fact.objects.filter(subject_id=employee.pk, key="iban").order_by("version")
    assert [f.version for f in versions] == [1, 2]
    assert versions[0].superseded_at is not None
    assert versions[1].value == "FR4630003012340001234567812"
    assert versions[1].source == Source.PROCEDURE
