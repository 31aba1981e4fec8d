"""Forms in the real browser: a text with a length limit is counted as one types and never cut by the browser;
the server refuses a text that is too long with a message at the field and keeps what was typed."""
import pytest
from playwright.sync_api import Page, expect

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
