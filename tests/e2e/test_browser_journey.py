"""The whole journey in a real headless browser (Debian's Chromium driven by Playwright), with
axe-core run on every page visited: no serious or critical accessibility violation allowed.

Sign-up through the development OpenID provider → hire an AMA → she confirms → three months
declared (one with no event and zero typed fields, one with an absence, one with extra hours)
→ she contests one → the parent corrects it → end of contract with its documents.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Chromium absent : .ci/run l'installe (apt-get install chromium)",
    ),
]

# As the machine notes advise: no GPU, no background network calls out of a closed network.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


class Accessibility:
    """axe-core on each page; collects serious and critical violations with their page."""

    def __init__(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.problems: list[str] = []
        self.pages = 0

    def check(self, page) -> None:
        page.wait_for_load_state("load")
        results = self.axe.run(page)
        self.pages += 1
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in violation["nodes"]][:3]
                self.problems.append(
                    f"{page.url} : {violation['id']} ({violation['impact']}) {targets}"
                )


@pytest.fixture(scope="module")
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = (
        "true"  # the test talks to the database between clicks
    )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        yield chromium
        chromium.close()


def sign_in(page, base: str, name: str, a11y: Accessibility) -> None:
    page.goto(base + "/")
    a11y.check(page)
    page.get_by_role("link", name="Se connecter").first.click()
    a11y.check(page)  # the provider's identity picker
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state("load")


def test_browser_journey(browser, live_server):
    base = live_server.url
    a11y = Accessibility()
    today = dt.date.today()
    first_period = today.year * 12 + today.month - 1 - 3  # the contract starts three months ago
    start = dt.date(first_period // 12, first_period % 12 + 1, 1)

    # --- The childminder signs up (her identity comes from the provider) ---------------------
    ama = browser.new_context(locale="fr-FR").new_page()
    sign_in(ama, base, "Nadia Benali", a11y)
    a11y.check(ama)
    ama.get_by_role("link", name=re.compile("M'inscrire comme assistant")).click()
    a11y.check(ama)
    ama.get_by_label("Adresse (numéro et rue)").fill("3 rue des Lilas")
    ama.get_by_label("Code postal").fill("670")
    ama.get_by_label("Commune").fill("Strasbourg")  # leaving the postcode: changed, in error
    ama.get_by_label("Code postal").fill("67000")
    ama.get_by_label("Assistant(e) maternel(le) agréé(e)").check()
    ama.get_by_label("Numéro de sécurité sociale").fill("278027512345627")
    ama.get_by_label("IBAN du compte").fill("FR76 3000 6000 0112 3456 7890 189")
    ama.get_by_label("Votre tarif horaire brut habituel (€)").fill("4,80")
    ama.get_by_role("button", name="Continuer").click()
    a11y.check(ama)  # « Vérifiez vos réponses »
    assert "Strasbourg" in ama.content()
    ama.get_by_role("button", name="Confirmer").click()
    a11y.check(ama)
    ama.get_by_role("link", name="Mes données").click()
    a11y.check(ama)
    number = re.search(r"S\d{9}", ama.content()).group(0)
    ama.get_by_role("link", name="Qui a reçu mes données ?").click()
    a11y.check(ama)
    assert "Aucun organisme n'a encore reçu vos données" in ama.content()

    # --- The parent signs up and hires her -------------------------------------------------
    parent = browser.new_context(locale="fr-FR").new_page()
    sign_in(parent, base, "Camille Martin", a11y)
    parent.get_by_role("link", name=re.compile("M'inscrire comme parent")).click()
    a11y.check(parent)
    assert "Camille" in parent.content()  # known from FranceConnect, never asked
    parent.get_by_label("Adresse (numéro et rue)").fill("10 avenue de la Paix")
    parent.get_by_label("Code postal").fill("67000")
    parent.get_by_label("Commune").fill("Strasbourg")
    parent.get_by_label("Nombre d'enfants à charge").fill("1")
    parent.locator("#champ-single_parent").get_by_label("Non").check()
    parent.get_by_label("Ressources mensuelles du foyer (€)").fill("3200")
    parent.locator("#champ-cmg").get_by_label("Oui").check()
    parent.get_by_label("Prénom de l'enfant gardé").fill("Léa")
    parent.get_by_label("Date de naissance de l'enfant").fill("2024-03-12")
    parent.get_by_role("button", name="Continuer").click()
    a11y.check(parent)
    parent.get_by_role("button", name="Confirmer").click()
    a11y.check(parent)  # parent dashboard
    parent.get_by_role("link", name=re.compile("Embaucher")).click()
    a11y.check(parent)
    parent.get_by_label("Numéro de salarié").fill(number)
    parent.get_by_role("button", name="Continuer").click()
    a11y.check(parent)
    assert 'name="hourly_gross"' not in parent.content()  # her usual rate, told once
    parent.get_by_label("Date de début du contrat").fill(start.isoformat())
    parent.get_by_label("Semaines d'accueil par an").fill("52")
    for day in ("Lundi", "Mardi", "Jeudi", "Vendredi"):
        parent.get_by_label(f"{day} (heures)").fill("9")
    parent.get_by_role("button", name="Continuer").click()
    a11y.check(parent)
    parent.get_by_role("button", name="Confirmer").click()
    a11y.check(parent)  # contract page: waiting for her

    # --- She confirms from her account -----------------------------------------------------
    ama.goto(base + "/salarie/")
    a11y.check(ama)
    ama.get_by_role("button", name="Confirmer ce contrat").click()
    a11y.check(ama)

    # --- Three months: nothing to report; an absence; extra hours --------------------------
    labels = [f"{MONTHS[p % 12]} {p // 12}" for p in range(first_period, first_period + 3)]
    parent.goto(base + "/parent/")
    a11y.check(parent)
    parent.get_by_role("link", name=f"Déclarer {labels[0]}").click()
    a11y.check(parent)
    parent.get_by_role("button", name=f"Confirmer la déclaration de {labels[0]}").click()
    a11y.check(parent)  # declaration page; nothing was typed

    parent.goto(base + "/parent/")
    parent.get_by_role("link", name=f"Déclarer {labels[1]}").click()
    parent.get_by_text("Maladie du salarié").click()
    group = parent.get_by_role("group", name="Maladie du salarié")
    group.get_by_role("checkbox").nth(1).check()
    parent.get_by_role("button", name="Recalculer avec ces événements").click()
    a11y.check(parent)
    parent.get_by_role("button", name=f"Confirmer la déclaration de {labels[1]}").click()
    a11y.check(parent)
    absence_url = parent.url

    parent.goto(base + "/parent/")
    parent.get_by_role("link", name=f"Déclarer {labels[2]}").click()
    parent.get_by_text("Des heures en plus ce mois-ci ?").click()
    parent.locator("input[name^=extra_]").nth(3).fill("2")
    parent.get_by_role("button", name=f"Confirmer la déclaration de {labels[2]}").click()
    a11y.check(parent)
    assert "Heures complémentaires" in parent.content()

    # --- She contests the month with the absence; the parent corrects it -------------------
    ama.goto(absence_url)
    a11y.check(ama)
    ama.get_by_label("Motif de la contestation").fill("J'étais présente ce jour-là.")
    ama.get_by_role("button", name="Contester la déclaration").click()
    a11y.check(ama)
    parent.goto(absence_url)
    assert "Contestée" in parent.content()
    parent.get_by_role("link", name="Corriger cette déclaration").click()
    a11y.check(parent)
    # The reported absence is already ticked (its section opens by itself): untick it.
    parent.get_by_role("group", name="Maladie du salarié").get_by_role("checkbox").nth(1).uncheck()
    parent.get_by_label("Motif de la correction").fill("Absence déclarée par erreur")
    parent.get_by_role("button", name="Enregistrer la correction").click()
    a11y.check(parent)
    assert "Version 2" in parent.content()

    # --- End of contract: the end date and the reason, then the documents ------------------
    parent.goto(base + "/parent/")
    parent.get_by_role("link", name=re.compile("Nadia Benali")).first.click()
    a11y.check(parent)
    parent.get_by_role("link", name="Mettre fin au contrat").click()
    a11y.check(parent)
    end_period = first_period + 3
    end = dt.date(end_period // 12, end_period % 12 + 1, 1) + dt.timedelta(days=14)
    parent.get_by_label("Dernier jour du contrat").fill(end.isoformat())
    parent.get_by_label("Retrait de l'enfant (je mets fin au contrat)").check()
    parent.get_by_role("button", name="Continuer").click()
    a11y.check(parent)
    assert "Estimation de la fin de contrat" in parent.content()
    parent.get_by_role("button", name="Confirmer").click()
    a11y.check(parent)
    contract_url = parent.url
    parent.goto(base + "/parent/")
    parent.get_by_role(
        "link", name=f"Déclarer {MONTHS[end_period % 12]} {end_period // 12}"
    ).click()
    a11y.check(parent)
    parent.get_by_role("button", name=re.compile("Confirmer la déclaration")).click()
    a11y.check(parent)
    assert "Indemnité compensatrice de congés payés" in parent.content()
    parent.goto(contract_url)
    for name in (
        "attestation employeur (France Travail)",
        "certificat de travail",
        "reçu pour solde de tout compte",
    ):
        parent.goto(contract_url)
        parent.get_by_role("link", name=name).click()
        a11y.check(parent)
        assert "Nadia Benali" in parent.content()

    # --- Help and the measurement of journeys ----------------------------------------------
    parent.goto(base + "/")
    parent.get_by_role("link", name="Contacter l'assistance").click()
    a11y.check(parent)
    parent.get_by_label("La démarche concernée").select_option("declaration-mensuelle")
    parent.get_by_label("Votre question").fill("Comment déclarer une semaine de congés ?")
    parent.get_by_role("button", name="Envoyer").click()
    a11y.check(parent)
    assert "Votre message est envoyé" in parent.content()
    parent.get_by_role("link", name="Mesure des parcours").click()
    a11y.check(parent)

    # The page script sent the childminder's field events, names only, in order.
    from unefois.journeys.capture.models import JourneyEvent

    postcode = list(
        JourneyEvent.objects.filter(procedure="inscription-salarie", field="postcode")
        .order_by("seq")
        .values_list("activity", "error_code")
    )
    assert postcode[:3] == [
        ("field_focused", ""),
        ("field_changed", ""),
        ("field_error", "format"),
    ], postcode
    assert JourneyEvent.objects.filter(activity="support_contact").count() == 1

    assert a11y.pages > 30
    assert not a11y.problems, "\n".join(a11y.problems)
