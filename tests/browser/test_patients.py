"""One patient over time in the real browser: an application for a patient who has moved (a known national ID
with a new address and region) while the old case keeps the old region; an imported «Ukjent navn» patient
completed by a correction with its reason, shown in the history; axe on the patient page in each state."""
import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from app.demo import synthetic_national_id
from tests.browser.test_abroad import _fact, _flash, _h1, open_abroad
from tests.browser.test_accessibility import assert_no_axe_violations

pytestmark = pytest.mark.browser

HSO = "hso@helsesak.test"
TODAY = date.today()


def _day(days_ago: int) -> str:
    return f"{TODAY - timedelta(days=days_ago):%d.%m.%Y}"


def _register(page: Page, *, national_id: str, region: str, municipality: str, street: str, postal_code: str,
              postal_place: str, days_ago: int) -> str:
    open_abroad(page)
    page.get_by_role("link", name="Registrer søknad").click()
    page.get_by_label("Fødselsnummer eller D-nummer").fill(national_id)
    page.get_by_label("Pasientens navn").fill("Frida Flytter")
    page.get_by_label("Adresse", exact=True).fill(street)
    page.get_by_label("Postnummer").fill(postal_code)
    page.get_by_label("Poststed").fill(postal_place)
    page.get_by_label("Hjemkommune (kommunenummer)").fill(municipality)
    page.get_by_label("Hjemregion").select_option(label=region)
    page.get_by_label("Mottatt").fill(_day(days_ago))
    page.get_by_label("Henvisende lege").fill("Overlege Line Lie")
    page.get_by_label("Hoveddiagnose (ICD-10)").fill("C34.9")
    page.get_by_label("Behandlingen det søkes om").fill("Protonbestråling")
    page.get_by_role("button", name="Registrer søknad").click()
    expect(_flash(page)).to_have_text("Søknaden er registrert.")
    return page.url


def test_a_moved_patient_gets_a_new_application_and_the_old_case_keeps_its_region(page_as):
    page = page_as(HSO)
    number = synthetic_national_id(date(1977, 4, 5), 321)
    old = _register(page, national_id=number, region="Helse Nord", municipality="5501 Tromsø", street="Storgata 1",
                    postal_code="9008", postal_place="Tromsø", days_ago=400)
    new = _register(page, national_id=number, region="Helse Sør-Øst", municipality="0301 Oslo",
                    street="Parkveien 5", postal_code="0350", postal_place="Oslo", days_ago=3)
    expect(_fact(page, "Hjemregion")).to_have_text("Helse Sør-Øst")
    expect(_fact(page, "Adresse")).to_have_text("Parkveien 5, 0350 Oslo")

    page.goto(old)
    expect(_fact(page, "Hjemregion")).to_have_text("Helse Nord")
    expect(_fact(page, "Adresse")).to_have_text("Storgata 1, 9008 Tromsø")

    page.goto(new)
    page.get_by_role("link", name="Pasientens opplysninger over tid og verger").click()
    expect(_h1(page)).to_have_text("Pasientens opplysninger over tid")
    expect(_fact(page, "Hjemregion")).to_have_text("Helse Sør-Øst")
    history = page.get_by_role("table", name=re.compile("^Registreringer, endringer og rettinger"))
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history.locator("tbody tr").nth(1)).to_contain_text("Storgata 1, 9008 Tromsø")
    assert_no_axe_violations(page, "the patient page of a moved patient")


def test_an_imported_patient_is_named_by_a_correction_with_its_reason(page_as):
    page = page_as(HSO)
    open_abroad(page)
    page.get_by_role("link", name="Importer").click()
    page.get_by_label("Hva skal importeres?").select_option(label="Søknader og henvisninger")
    header = "reference;patient_region;patient_birth_date;stream;received_date;icd10"
    page.get_by_label("Fil (CSV eller XLSX)").set_input_files(files=[{
        "name": "historikk.csv", "mimeType": "text/csv",
        "buffer": f"{header}\nHSO-PAS-1;helse-sor-ost;1968-06-07;application;03.02.2020;C34.9".encode("utf-8-sig")}])
    page.get_by_role("button", name="Importer").click()
    done = page.get_by_role("status").filter(has_text="Importerte 1")
    expect(done).to_be_visible()
    number = re.search(r"saksnummer (2020/\d+)", done.inner_text()).group(1)

    page.goto("/saker?q=HSO-PAS-1")
    page.get_by_role("link", name=number, exact=True).click()
    expect(_fact(page, "Navn")).to_have_text("Ukjent navn (importert, ref. HSO-PAS-1)")
    page.get_by_role("link", name="Pasientens opplysninger over tid og verger").click()
    page.get_by_role("link", name="Endre eller rett opplysninger").click()
    expect(_h1(page)).to_have_text("Endre eller rett pasientopplysninger")
    page.get_by_role("radio", name=re.compile("^Retting")).check()
    page.get_by_label("Pasientens navn").fill("Ingrid Importert")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Skriv hvorfor opplysningene endres eller rettes.")
    assert_no_axe_violations(page, "the refused correction")
    expect(page.get_by_label("Pasientens navn")).to_have_value("Ingrid Importert")
    page.get_by_label("Begrunnelse").fill("Navnet står i søknadsbrevet fra 2020")
    page.get_by_role("button", name="Lagre").click()

    expect(_flash(page)).to_have_text("Pasientopplysningene er lagret.")
    expect(_fact(page, "Navn")).to_have_text("Ingrid Importert")
    correction = page.locator("tr[data-history='correction']")
    expect(correction).to_contain_text("Ukjent navn (importert, ref. HSO-PAS-1) → Ingrid Importert")
    expect(correction).to_contain_text("Navnet står i søknadsbrevet fra 2020")
    assert_no_axe_violations(page, "the patient page after a correction")
    page.get_by_role("link", name=f"Sak {number}", exact=True).click()
    expect(_fact(page, "Navn")).to_have_text("Ingrid Importert")
