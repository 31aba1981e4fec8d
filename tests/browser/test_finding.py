"""Finding things and knowing what to do, in the real browser: the header search by national ID (with the
keyboard) and the look-up in the patient's access log; assigning a case from the office's work queue; the
confirmation a possible duplicate needs. axe on each new page and state."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from app.auth import services as account_services
from app.demo import synthetic_national_id
from app.extensions import db
from tests.browser.test_abroad import register_application
from tests.browser.test_accessibility import assert_no_axe_violations

pytestmark = pytest.mark.browser

HSO = "hso@helsesak.test"
ADMIN = "admin@helsesak.test"
NILS = synthetic_national_id(date(1992, 11, 2))   # Nils Nordlending, a demo patient of Helse Sør-Øst's office
COLLEAGUE = "Håkon Hovedstad"


def test_search_by_national_id_and_see_the_look_up_in_the_access_log(page_as, screenshot):
    page = page_as(HSO)
    page.goto("/")
    box = page.get_by_role("search", name="Søk i Helsesak").get_by_role("searchbox")
    box.focus()
    page.keyboard.type(NILS[:6] + " " + NILS[6:])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Søk")
    group = page.get_by_role("region", name=re.compile(r"^Fødselsnummer"))
    expect(group.get_by_role("link").first).to_be_visible()
    expect(group).to_contain_text("Nils Nordlending")
    assert_no_axe_violations(page, "search results")
    screenshot(page, "search-by-national-id")

    admin = page_as(ADMIN)
    admin.goto("/admin/logg/pasient")
    admin.get_by_label("Pasientens fødselsnummer eller D-nummer").fill(NILS)
    admin.get_by_role("button", name="Vis innsynslogg").click()
    looked_up = admin.get_by_role("row").filter(has_text=HSO).filter(has_text="Oppslag")
    expect(looked_up.first).to_be_visible()


def test_search_page_without_hits_and_with_a_bad_national_id(page_as):
    page = page_as(HSO)
    page.goto("/sok?q=Ingen+slik+pasient")
    expect(page.get_by_role("status")).to_contain_text("Ingen treff")
    assert_no_axe_violations(page, "search without hits")
    page.get_by_role("search", name="Nytt søk").get_by_role("searchbox").fill("12345678901")
    page.get_by_role("search", name="Nytt søk").get_by_role("button", name="Søk").click()
    expect(page.get_by_role("alert")).to_contain_text("ikke et gyldig fødselsnummer")
    assert_no_axe_violations(page, "search with a bad national ID")


@pytest.fixture
def colleague(browser_app):
    """A second caseworker at Helse Sør-Øst's office, to assign to."""
    from sqlalchemy import select

    from app.auth.models import User
    from app.core.roles import Role

    with browser_app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.name == COLLEAGUE))
        if user_id is None:
            user_id = account_services.create_user(email="hovedstad@helsesak.test", name=COLLEAGUE,
                                                   role=Role.ABROAD_CASEWORKER, office="helse-sor-ost",
                                                   password="hovedstad-passord-2026").id
            db.session.commit()
        return user_id


def _workload(page: Page, name: str):
    return page.get_by_role("table", name="Arbeidsmengde per saksbehandler").get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=name))


def test_assign_a_case_from_the_queue_and_see_the_workload(page_as, colleague, screenshot):
    page = page_as(HSO)
    page.goto("/utland/")
    page.get_by_role("link", name="Arbeidskø").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Arbeidskø for Utenlandskontoret i Helse Sør-Øst")
    filters = page.get_by_role("search", name="Velg kø")
    filters.get_by_label("Kø").select_option(label="Tildelt meg")
    filters.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"ko=mine"))
    assert_no_axe_violations(page, "work queue")
    expect(_workload(page, COLLEAGUE)).to_contain_text("0")

    first_row = page.get_by_role("table", name=re.compile(r"^Arbeidskø")).get_by_role("row").nth(1)
    number = first_row.get_by_role("link").first.inner_text()
    first_row.get_by_label(f"Saksbehandler for sak {number}").select_option(label=COLLEAGUE)
    first_row.get_by_role("button", name=f"Tildel sak {number}").click()
    expect(page.get_by_role("status").first).to_have_text(f"Sak {number} er tildelt {COLLEAGUE}.")
    expect(page).to_have_url(re.compile(r"ko=mine"))
    expect(page.get_by_role("link", name=number, exact=True)).to_have_count(0)   # no longer in «Tildelt meg»
    expect(_workload(page, COLLEAGUE).get_by_role("cell").first).to_have_text("1")
    screenshot(page, "work-queue-after-assigning")

    # Back to the demo caseworker, so the other tests find the demo data as it was.
    queues = page.get_by_role("search", name="Velg kø")
    queues.get_by_label("Kø").select_option(label="Alle åpne")
    queues.get_by_label("Saksbehandler", exact=True).select_option(label=COLLEAGUE)   # the demo has years of cases
    queues.get_by_role("button", name="Vis").click()
    page.get_by_label(f"Saksbehandler for sak {number}").select_option(label="Siri Sør-Øst")
    page.get_by_role("button", name=f"Tildel sak {number}").click()
    expect(page.get_by_role("status").first).to_have_text(f"Sak {number} er tildelt Siri Sør-Øst.")


def test_a_possible_duplicate_needs_a_confirmation(page_as, screenshot):
    page = page_as(HSO)
    national_id = synthetic_national_id(date(1983, 8, 9), 320)
    register_application(page, "Dina Dobbel", birth_date=date(1983, 8, 9), national_id=national_id, days_ago=20)

    page.goto("/utland/soknader/ny")
    page.get_by_label("Fødselsnummer eller D-nummer").fill(national_id)
    page.get_by_label("Pasientens navn").fill("Dina Dobbel")
    page.get_by_label("Hjemregion").select_option(label="Helse Sør-Øst")
    page.get_by_label("Mottatt").fill(f"{date.today() - timedelta(days=5):%d.%m.%Y}")
    page.get_by_label("Hoveddiagnose (ICD-10)").fill("O43.9")
    page.get_by_label("Behandlingen det søkes om").fill("Fetoskopisk laserbehandling av TTTS")
    page.get_by_role("button", name="Registrer søknad").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Mulig dobbeltregistrering")
    confirm = page.get_by_role("checkbox", name=re.compile(r"^Registrer likevel"))
    expect(confirm).not_to_be_checked()
    assert_no_axe_violations(page, "registering a possible duplicate")
    screenshot(page, "possible-duplicate")

    confirm.check()
    page.get_by_role("button", name="Registrer søknad").click()
    expect(page.get_by_role("status").first).to_have_text("Søknaden er registrert.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Søknad om behandling i utlandet – Dina Dobbel")
