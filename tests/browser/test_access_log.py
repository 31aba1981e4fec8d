"""The patient's access log in the real browser: the admin registers a request (the patient found by national ID),
previews the letter with the log and files it; the filed PDF is the letter shown (pdftotext); axe on each step."""
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from app.demo import synthetic_national_id
from tests.browser.test_abroad import _flash, _h1
from tests.browser.test_accessibility import assert_no_axe_violations
from tests.pdf import pdf_text

pytestmark = pytest.mark.browser

ADMIN = "admin@helsesak.test"
PATIENT = synthetic_national_id(date(1992, 11, 2))   # a demo patient of Helse Sør-Øst's office


def test_the_admin_registers_a_request_and_files_the_answer(page_as):
    page = page_as(ADMIN)
    page.goto("/admin/innsyn-i-logg")
    page.get_by_role("link", name="Registrer forespørsel").click()
    page.get_by_label("Pasientens fødselsnummer eller D-nummer").fill(PATIENT)
    page.get_by_label("Mottatt").fill(f"{date.today():%d.%m.%Y}")
    page.get_by_label("Adresse", exact=True).fill("Storgata 1")
    page.get_by_label("Postnummer").fill("0155")
    page.get_by_label("Poststed").fill("Oslo")
    page.get_by_role("button", name="Registrer forespørselen").click()
    expect(_flash(page)).to_contain_text("Forespørselen er registrert som sak")
    expect(_h1(page)).to_have_text(re.compile(r"^Innsyn i logg: \d{4}/\d+$"))

    page.get_by_role("button", name="Forhåndsvis brevet").click()
    letter = page.get_by_role("article", name="Brevet slik det journalføres")
    expect(letter).to_contain_text("pasientjournalloven § 18")
    expect(letter.get_by_role("table", name="Tilgang til opplysningene, eldste først")).to_contain_text(
        "Saksbehandler, behandling i utlandet")
    expect(letter).not_to_contain_text("@helsesak.test")
    assert_no_axe_violations(page, "access-log letter preview")

    page.get_by_role("button", name="Journalfør brevet og avslutt saken").click()
    expect(_flash(page)).to_have_text("Svaret er journalført som utgående brev, og saken er avsluttet.")
    expect(page.get_by_text("Avsluttet", exact=True)).to_be_visible()
    link = page.get_by_role("link", name="Innsyn i logg (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.ok
    text = " ".join(pdf_text(response.body()).split())
    assert "Hvem som har sett eller endret opplysningene" in text and "Datatilsynet" in text
    assert "@helsesak.test" not in text
    assert_no_axe_violations(page, "access-log request answered")
