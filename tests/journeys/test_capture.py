"""The web app's journey capture: what a person's steps write to the log, and what they never
write (no name, nothing typed, nothing at all when the browser or the person says no)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from unefois.journeys.capture import services
from unefois.journeys.capture.export import event_table
from unefois.journeys.capture.models import CaseStatus, JourneyCase, JourneyEvent, SupportRequest
from unefois.journeys.events import pseudonym
from unefois.people.actions import do_sign_in

pytestmark = pytest.mark.django_db

PARENT = {
    "sub": "capture-parent",
    "given_name": "Camille",
    "family_name": "Martin",
    "birthdate": "1990-04-12",
    "acr": "eidas1",
}
SIGNUP = reverse("www:procedure", args=["inscription-employeur"])
CHECK = reverse("www:procedure_check", args=["inscription-employeur"])
ANSWERS = {
    "street": "10 avenue de la Paix",
    "postcode": "67000",
    "city": "Strasbourg",
    "dependent_children": "1",
    "single_parent": "non",
    "monthly_resources": "3200",
    "cmg": "oui",
    "child_given_name": "Léa",
    "child_birthdate": "2024-03-12",
}


def _signed_in(claims=PARENT, **headers) -> tuple[Client, object]:
    client = Client(**headers)
    user = do_sign_in(claims)
    client.force_login(user)
    return client, user


def _trail(**filters) -> list[tuple]:
    return list(
        JourneyEvent.objects.filter(**filters)
        .order_by("case_id", "seq")
        .values_list("activity", "step", "field", "error_code")
    )


def test_a_procedure_leaves_an_ordered_pseudonymous_trail():
    client, user = _signed_in()
    assert client.get(SIGNUP).status_code == 200
    refused = client.post(SIGNUP, dict(ANSWERS, postcode="6700", monthly_resources="trois"))
    assert refused.status_code == 400
    assert client.post(SIGNUP, ANSWERS).status_code == 302
    assert client.get(CHECK).status_code == 200
    assert client.post(CHECK).status_code == 302

    assert _trail() == [
        ("procedure_started", "questions", "", ""),
        ("step_viewed", "questions", "", ""),
        ("submitted", "questions", "", ""),
        ("validation_error", "questions", "postcode", "format"),
        ("validation_error", "questions", "monthly_resources", "number_invalid"),
        ("submitted", "questions", "", ""),
        ("step_viewed", "verification", "", ""),
        ("submitted", "verification", "", ""),
        ("confirmed", "verification", "", ""),
    ]
    events = list(JourneyEvent.objects.order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert len({e.case_id for e in events}) == 1
    times = [e.timestamp for e in events]
    assert times == sorted(times)
    # The account appears only as its keyed hash; nothing typed, no name.
    key = services._secret()
    assert {e.user_id for e in events} == {pseudonym(user.pk, key)}
    assert str(user.pk) not in {e.user_id for e in events}
    dump = " ".join(str(v) for row in event_table().to_pylist() for v in row.values())
    for typed in ("Paix", "67000", "6700", "Strasbourg", "Léa", "3200", "trois", "Camille"):
        assert typed not in dump
    assert JourneyCase.objects.get().status == CaseStatus.CONFIRMED


def test_coming_back_continues_the_case_and_a_new_run_starts_another():
    client, _ = _signed_in()
    client.get(SIGNUP)
    client.get(SIGNUP)  # the next day, say: same open case
    assert JourneyCase.objects.count() == 1
    client.post(SIGNUP, ANSWERS)
    client.post(CHECK)
    # A change of address is another procedure, another case.
    client.get(reverse("www:procedure", args=["changement-adresse"]))
    assert JourneyCase.objects.count() == 2


@pytest.mark.parametrize("header", [{"HTTP_DNT": "1"}, {"HTTP_SEC_GPC": "1"}])
def test_do_not_track_and_global_privacy_control_are_honoured(header):
    client, _ = _signed_in(**header)
    page = client.get(SIGNUP).content.decode()
    client.post(SIGNUP, ANSWERS)
    client.post(CHECK)
    assert JourneyEvent.objects.count() == 0
    assert JourneyCase.objects.count() == 0
    assert "journeys/journey.js" not in page
    assert "data-journey=" not in page


def test_saying_no_stops_the_measurement_and_saying_yes_resumes_it():
    client, _ = _signed_in()
    page = client.get(reverse("www:measurement")).content.decode()
    assert "Ne pas mesurer mes parcours" in page
    client.post(reverse("www:measurement"), {"choix": "non"})
    assert client.get(SIGNUP).status_code == 200
    assert JourneyEvent.objects.count() == 0
    assert "pas mesurés" in client.get(reverse("www:measurement")).content.decode()
    client.post(reverse("www:measurement"), {"choix": "oui"})
    client.get(SIGNUP)
    assert JourneyEvent.objects.count() == 2  # started, step viewed


def _token(page: str) -> str:
    start = page.index('data-journey="') + len('data-journey="')
    return page[start : page.index('"', start)]


def _batch(*events) -> str:
    return json.dumps([list(e) for e in events])


def test_field_events_from_the_page_script():
    client, _ = _signed_in()
    page = client.get(SIGNUP).content.decode()
    assert "journeys/journey.js" in page
    token = _token(page)
    url = reverse("journeys:event")
    # The page was shown twenty seconds ago.
    earlier = timezone.now() - dt.timedelta(seconds=20)
    JourneyEvent.objects.update(timestamp=earlier)
    JourneyCase.objects.update(last_at=earlier)
    batch = _batch(
        ("field_focused", "postcode", "", 30000),  # before the page was shown: impossible
        ("field_changed", "postcode", "", 4000),
        ("field_error", "postcode", "format", 4000),
        ("field_error", "postcode", "made-up-code", 0),
    )
    response = client.post(url, {"jeton": token, "evenements": batch})
    assert response.status_code == 204
    assert _trail()[-4:] == [
        ("field_focused", "questions", "postcode", ""),
        ("field_changed", "questions", "postcode", ""),
        ("field_error", "questions", "postcode", "format"),
        ("field_error", "questions", "postcode", "other"),
    ]
    # Stamped with the server's clock minus the delay the script measured, never before the
    # previous event of the case.
    events = list(JourneyEvent.objects.order_by("seq"))
    viewed, focused, changed = events[1], events[2], events[3]
    assert focused.timestamp == viewed.timestamp
    assert dt.timedelta(seconds=15.5) < changed.timestamp - focused.timestamp
    assert changed.timestamp - focused.timestamp < dt.timedelta(seconds=16.5)
    # The script may not write what only the server knows, nor a malformed event: the whole
    # batch is refused and nothing of it is kept.
    count = JourneyEvent.objects.count()
    for bad in (
        _batch(("field_changed", "postcode", "", 0), ("confirmed", "", "", 0)),
        _batch(("field_changed", "<script>", "", 0)),
        _batch(("field_changed", "", "", 0)),
        _batch(("field_changed", "postcode", "", -5)),
        _batch(("field_changed", "postcode", "", 10**9)),
        _batch(("field_changed", "postcode")),
        "[]",
        "pas du json",
        _batch(*[("field_changed", "postcode", "", 0)] * 201),
    ):
        response = client.post(url, {"jeton": token, "evenements": bad})
        assert response.status_code == 400, bad
    assert client.get(url).status_code == 405
    assert JourneyEvent.objects.count() == count


def test_events_still_waiting_travel_with_the_form_before_its_submission():
    client, _ = _signed_in()
    client.get(SIGNUP)
    carried = _batch(("field_focused", "city", "", 3000), ("field_changed", "city", "", 1000))
    client.post(SIGNUP, dict(ANSWERS, _parcours=carried))
    assert _trail()[2:5] == [
        ("field_focused", "questions", "city", ""),
        ("field_changed", "questions", "city", ""),
        ("submitted", "questions", "", ""),
    ]


def test_a_token_cannot_write_into_someone_elses_case():
    client, _ = _signed_in()
    token = _token(client.get(SIGNUP).content.decode())
    intruder, _ = _signed_in(dict(PARENT, sub="capture-other", given_name="Autre"))
    count = JourneyEvent.objects.count()
    batch = _batch(("field_changed", "postcode", "", 0))
    response = intruder.post(reverse("journeys:event"), {"jeton": token, "evenements": batch})
    assert response.status_code == 204
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    client.post(reverse("journeys:event"), {"jeton": forged, "evenements": batch})
    anonymous = Client().post(reverse("journeys:event"), {"jeton": token, "evenements": batch})
    assert anonymous.status_code == 204
    assert JourneyEvent.objects.count() == count


def test_a_late_declaration_and_its_correction_belong_to_one_case():
    from tests.www.factories import contract_with_months, person

    parent = person("capture-p", True)
    employee = person("capture-e", False)
    contract = contract_with_months(parent, employee, 0, start=dt.date(2025, 3, 1))
    client = Client()
    client.force_login(parent.user)
    period = 2025 * 12 + 2  # March 2025: long past its deadline
    url = reverse("www:declare", args=[contract.pk, period])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"action": "confirmer", "extra_2025-03-04": "1h30"})
    assert refused.status_code == 400
    assert client.post(url, {"action": "confirmer"}).status_code == 302
    declaration = contract.declarations.get(period=period)
    correction = reverse("www:correct", args=[declaration.pk])
    assert client.get(correction).status_code == 200
    response = client.post(
        correction,
        {
            "extra_2025-03-04": "2",
            "motif": "J'avais oublié les heures du 4 mars",
            "version": declaration.version,
        },
    )
    assert response.status_code == 302
    assert _trail() == [
        ("procedure_started", "declaration", "", ""),
        ("step_viewed", "declaration", "", ""),
        ("submitted", "declaration", "", ""),
        ("validation_error", "declaration", "extra_hours", "number_invalid"),
        ("submitted", "declaration", "", ""),
        ("confirmed", "declaration", "", ""),
        ("late_declaration", "declaration", "", ""),
        ("step_viewed", "correction", "", ""),
        ("submitted", "correction", "", ""),
        ("corrected", "correction", "extra_hours", ""),
    ]
    corrected = JourneyEvent.objects.get(activity="corrected")
    assert corrected.reason == "J'avais oublié les heures du 4 mars"
    assert JourneyCase.objects.get().procedure == "declaration-mensuelle"


def test_a_support_contact_joins_the_case_it_is_about():
    client, _ = _signed_in()
    client.get(SIGNUP)
    url = reverse("www:support") + "?demarche=inscription-employeur"
    form = client.get(url).content.decode()
    assert 'value="inscription-employeur" selected' in form
    empty = client.post(url, {"demarche": "inscription-employeur", "message": "  "})
    assert empty.status_code == 400
    assert "Écrivez votre question" in empty.content.decode()
    assert SupportRequest.objects.count() == 0
    message = "Je ne trouve pas où indiquer la garde alternée"
    response = client.post(url, {"demarche": "inscription-employeur", "message": message})
    assert response.status_code == 302
    assert SupportRequest.objects.get().message == message
    contact = JourneyEvent.objects.get(activity="support_contact")
    assert contact.reason == message
    assert contact.case_id == JourneyCase.objects.get().case_id


def test_support_without_an_account_needs_an_address_to_answer():
    client = Client()
    url = reverse("www:support")
    response = client.post(url, {"demarche": "autre", "message": "Bonjour", "email": "x"})
    assert response.status_code == 400
    assert SupportRequest.objects.count() == 0
    client.post(url, {"demarche": "autre", "message": "Bonjour", "email": "a@example.fr"})
    assert SupportRequest.objects.get().email == "a@example.fr"
    assert JourneyEvent.objects.count() == 0


def test_housekeeping_records_abandons_and_forgets_past_retention(settings):
    settings.JOURNEYS_ABANDON_AFTER_HOURS = 168
    settings.JOURNEYS_RETENTION_DAYS = 395
    client, _ = _signed_in()
    client.get(SIGNUP)
    case = JourneyCase.objects.get()
    last = case.last_at
    # Six days later nothing happens; eight days later the case is abandoned, stamped at its
    # last sign of life.
    assert services.mark_abandoned(last + dt.timedelta(days=6)) == 0
    assert services.mark_abandoned(last + dt.timedelta(days=8)) == 1
    abandoned = JourneyEvent.objects.get(activity="abandoned")
    assert abandoned.timestamp == last
    assert abandoned.seq == 3
    assert JourneyCase.objects.get().status == CaseStatus.ABANDONED
    # Coming back afterwards opens a new case.
    client.get(SIGNUP)
    assert JourneyCase.objects.count() == 2
    assert services.purge() == (0, 0)
    # Thirteen months and a bit later, the abandoned case is forgotten, the new one is kept.
    old = timezone.now() - dt.timedelta(days=400)
    JourneyEvent.objects.filter(case_id=case.case_id).update(timestamp=old)
    JourneyCase.objects.filter(pk=case.case_id).update(last_at=old)
    assert services.purge() == (3, 1)
    assert JourneyCase.objects.get().case_id != case.case_id
    assert JourneyEvent.objects.count() == 2


def test_captured_events_feed_the_analyses():
    """Three people start the signup, two finish it: the analyses read the captured table."""
    from unefois.journeys.analysis import analyse, load

    for number in range(3):
        client, _ = _signed_in(dict(PARENT, sub=f"capture-{number}"))
        client.get(SIGNUP)
        if number < 2:
            client.post(SIGNUP, ANSWERS)
            client.get(CHECK)
            client.post(CHECK)
    services.mark_abandoned(timezone.now() + dt.timedelta(days=30))
    results = analyse(load(event_table()))
    assert results["summary"]["cases"] == 3
    funnel = [
        (row["stage"], row["cases"])
        for row in sorted(results["funnels"].to_pylist(), key=lambda r: r["rank"])
        if row["segment"] == "tous" and row["procedure"] == "inscription-employeur"
    ]
    assert funnel == [("__start", 3), ("questions", 3), ("verification", 2), ("__confirmed", 2)]


def test_back_office_report_is_for_staff_only():
    client, user = _signed_in()
    client.get(SIGNUP)
    client.post(SIGNUP, ANSWERS)
    client.post(CHECK)
    assert client.get(reverse("www:backoffice_journeys")).status_code == 403
    user.is_staff = True
    user.save()
    assert client.get(reverse("www:backoffice")).status_code == 200
    page = client.get(reverse("www:backoffice_journeys") + "?jours=7")
    assert page.status_code == 200
    assert "<html" in page.content.decode()


def test_export_and_housekeeping_commands(tmp_path):
    from django.core.management import CommandError, call_command

    from unefois.journeys import io

    client, _ = _signed_in()
    client.get(SIGNUP)
    client.post(SIGNUP, dict(ANSWERS, postcode="x"))
    target = tmp_path / "parcours.parquet"
    call_command("journeys_export", str(target))
    back = io.read(target)
    assert back.column("activity").to_pylist() == [a for a, *_ in _trail()]
    assert back.column("error_code").to_pylist()[-1] == "format"
    with pytest.raises(CommandError, match="Format de sortie non reconnu"):
        call_command("journeys_export", str(tmp_path / "parcours.txt"))
    assert not (tmp_path / "parcours.txt").exists()
    with pytest.raises(CommandError, match="positif"):
        call_command("journeys_export", str(target), "--jours", "0")
    call_command("journeys_housekeeping")
    assert JourneyCase.objects.get().status == CaseStatus.OPEN  # active today: not abandoned
