"""« Qui a reçu mes données ? » : the person sees each partner's access and objects to the
non-mandatory exchanges from the page; partners' next calls honour it."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.exchange.conftest import partners, world  # noqa: F401 — fixtures
from tests.exchange.test_calls import _call
from unefois.exchange.models import Objection

pytestmark = pytest.mark.django_db


def test_the_employee_sees_who_received_what_and_objects(world, partners):  # noqa: F811
    assert _call(partners, world, "cpam-salaires")[0].status_code == 200
    ama = Client()
    ama.force_login(world.ama.user)
    page = ama.get(reverse("www:sharing")).content.decode()
    assert "Assurance maladie" in page or "CPAM" in page
    assert "Données transmises" in page
    assert "journal n°" in page
    # She objects to the CPAM's non-mandatory exchange from the page.
    cpam = partners["cpam"].partner
    response = ama.post(reverse("www:sharing"), {"action": "opposer", "partenaire": cpam.pk})
    assert response.status_code == 302
    assert _call(partners, world, "cpam-salaires")[0].status_code == 403
    assert _call(partners, world, "dgfip-pas")[0].status_code == 200  # mandatory
    page = ama.get(reverse("www:sharing")).content.decode()
    assert "Refusé : opposition de la personne" in page
    assert "Opposition depuis le" in page
    # A made-up partner is refused with a message; nothing recorded.
    ama.post(reverse("www:sharing"), {"action": "opposer", "partenaire": "999999"})
    assert Objection.objects.filter(withdrawn_at__isnull=True).count() == 1
    # Withdrawing it lets the CPAM read again.
    objection = Objection.objects.get()
    ama.post(reverse("www:sharing"), {"action": "retirer", "opposition": objection.pk})
    assert _call(partners, world, "cpam-salaires")[0].status_code == 200


def test_someone_else_cannot_withdraw_an_objection(world, partners):  # noqa: F811
    from unefois.exchange.actions import do_object

    objection = do_object(world.ama.user, world.ama)
    other = Client()
    other.force_login(world.parent1.user)
    other.post(reverse("www:sharing"), {"action": "retirer", "opposition": objection.pk})
    objection.refresh_from_db()
    assert objection.withdrawn_at is None
