"""Forms in the real browser: a text with a length limit is counted as one types and never cut by the browser;
the server refuses a text that is too long with a message at the field and keeps what was typed; a form tells
every error in one round."""
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from app.demo import synthetic_national_id
from tests.browser.test_accessibility import assert_no_axe_violations

pytestmark = pytest.mark.browser

HSO = "hso@helsesak.test"


def _edit_first_case(page: Page) -> None:
    page.goto("/")
    page.get_by_role("region", name="Mine saker").get_by_role("link").first.click()
    page.get_by_role("link", name="Endre sak").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Endre sak")


def test_an_over_long_title_is_counted_kept_and_refused_with_a_message(page_as, screenshot):
    page: Page = page_as(HSO)
    _edit_first_case(page)
    title = page.get_by_label("Sakstittel")
    expect(title).not_to_have_attribute("maxlength", "300")
    counter = page.locator("#title-count")
    expect(title).to_have_attribute("aria-describedby", "title-count")

    title.fill("Søknad om behandling i utlandet")
    expect(counter).to_have_text("31 av 300 tegn")
    too_long = "x" * 310
    title.fill(too_long)                                   # pasted: the browser keeps all of it
    expect(title).to_have_value(too_long)
    expect(counter).to_have_text("10 tegn for mye (høyst 300)")
    expect(counter).to_have_class("hint char-count char-count-over")
    screenshot(page, "form-counter-over-limit")

    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("alert")).to_contain_text("Sakstittel: Feltet kan ikke være lenger enn 300 tegn.")
    expect(page.get_by_label("Sakstittel")).to_have_value(too_long)
    expect(page.locator("#title-error")).to_contain_text("Feltet kan ikke være lenger enn 300 tegn.")


def test_the_registration_form_tells_every_error_in_one_round(page_as, screenshot):
    """The form's own checks (a missing diagnosis) and the service's rules on what it accepted (a received date in
    the future, an unknown Nye Metoder ID, a missing treatment) are listed together; once they are fixed, the
    application is registered on the next submit, with nothing new to fix."""
    page: Page = page_as(HSO)
    page.goto("/utland/soknader/ny")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registrer søknad om behandling i utlandet")
    page.get_by_label("Fødselsnummer eller D-nummer").fill(synthetic_national_id(date(1989, 7, 14), 322))
    page.get_by_label("Pasientens navn").fill("Eira Ettrunde")
    page.get_by_label("Hjemregion").select_option(label="Helse Sør-Øst")
    page.get_by_label("Mottatt").fill(f"{date.today() + timedelta(days=5):%d.%m.%Y}")
    page.get_by_label("Metode i Nye Metoder").fill("ID1999_999")
    page.get_by_role("button", name="Registrer søknad").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Hoveddiagnose (ICD-10): Fyll inn ICD-10-kode.")
    expect(summary).to_contain_text("Mottatt: Mottatt-datoen kan ikke være fram i tid.")
    expect(summary).to_contain_text("Behandlingen det søkes om: Beskriv behandlingen det søkes om.")
    expect(summary).to_contain_text("Metode i Nye Metoder: Fant ingen metode i Nye Metoder med ID «ID1999_999».")
    expect(summary.get_by_role("listitem")).to_have_count(4)
    expect(page.get_by_label("Pasientens navn")).to_have_value("Eira Ettrunde")   # what was typed stays
    assert_no_axe_violations(page, "the registration form with every error")
    screenshot(page, "registration-one-round")

    page.get_by_label("Mottatt").fill(f"{date.today() - timedelta(days=2):%d.%m.%Y}")
    page.get_by_label("Hoveddiagnose (ICD-10)").fill("O43.0")
    page.get_by_label("Behandlingen det søkes om").fill("Fetoskopisk laserbehandling av TTTS")
    page.get_by_label("Metode i Nye Metoder").fill("")
    page.get_by_role("button", name="Registrer søknad").click()
    expect(page.get_by_role("status")).to_have_text("Søknaden er registrert.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Søknad om behandling i utlandet – Eira Ettrunde")
