"""Saved filters in the real browser: a caseworker filters the application list, saves the filter,
reopens it from the dashboard (two clicks from any page) with the identical rows, finds the link to
share, and deletes it."""
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

HSO = "hso@helsesak.test"
NAME = "Søknader fra Helse Nord"


def _shown_cases(page: Page) -> list[str]:
    """The case numbers in the application list, in its order."""
    table = page.get_by_role("table", name="Søknader og henvisninger, nyeste først")
    expect(table).to_be_visible()
    return table.locator("tbody tr td:first-child").all_inner_texts()


def test_a_saved_filter_reopens_the_same_applications_from_the_dashboard(page_as, base_url, screenshot):
    page = page_as(HSO)
    page.goto("/utland/soknader")
    filters = page.get_by_role("search", name="Filtrer søknader")
    filters.get_by_label("Hjemregion").select_option(label="Helse Nord")
    filters.get_by_role("button", name="Vis").click()
    expect(page).to_have_url(re.compile(r"region=helse-nord"))
    shown = _shown_cases(page)
    saved_url = f"{base_url}/utland/soknader?region=helse-nord"   # the filter's empty fields left out
    assert shown, "the demo data has Helse Nord applications at Helse Sør-Øst's office"

    saved = page.get_by_role("region", name="Lagrede filtre")
    saved.get_by_label("Navn på filteret").fill(NAME)
    saved.get_by_role("button", name="Lagre filter").click()
    expect(page.get_by_role("status")).to_have_text(f"Filteret «{NAME}» er lagret.")
    assert _shown_cases(page) == shown
    share = saved.get_by_label(f"Lenke for deling av «{NAME}»")
    expect(share).to_have_value(saved_url)
    screenshot(page, "saved-filter-on-the-list")

    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Oversikt").click()
    on_dashboard = page.get_by_role("region", name="Lagrede filtre").get_by_role("listitem").filter(has_text=NAME)
    expect(on_dashboard).to_contain_text("Søknader og henvisninger")
    on_dashboard.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(saved_url)
    expect(page.get_by_role("search", name="Filtrer søknader").get_by_label("Hjemregion")).to_have_value("helse-nord")
    assert _shown_cases(page) == shown

    saved = page.get_by_role("region", name="Lagrede filtre")
    saved.get_by_role("button", name=f"Slett filteret «{NAME}»").click()
    expect(page.get_by_role("status")).to_have_text(f"Filteret «{NAME}» er slettet.")
    expect(page).to_have_url(saved_url)
    expect(saved.get_by_role("link", name=NAME)).to_have_count(0)
