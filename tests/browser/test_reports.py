"""An analyst produces the treatment-abroad annual report in the real browser: orders it, sees the
tables and the server-rendered charts, and downloads the JSON."""
import json
import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ANALYST = "analytiker@helsesak.test"


def order_abroad_report(page: Page, year: int) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Rapporter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporter")
    page.get_by_role("region", name="Rapporter du kan lage").get_by_role("link", name="Behandling i utlandet").click()
    page.get_by_label("År").select_option(str(year))
    page.get_by_role("button", name="Lag rapporten").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Behandling i utlandet – årsrapport {year}",
                                                              timeout=60_000)
    expect(page.get_by_role("link", name=re.compile("^Last ned"))).to_have_count(3, timeout=60_000)


def test_analyst_orders_the_abroad_report_and_downloads_it(page_as, screenshot):
    page = page_as(ANALYST)
    year = date.today().year
    order_abroad_report(page, year)
    expect(page.locator(".report svg").first).to_be_visible()
    expect(page.get_by_role("table").first).to_be_visible()
    screenshot(page, "report-abroad")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Last ned JSON")).click()
    with open(download.value.path(), encoding="utf-8") as downloaded:
        data = json.load(downloaded)
    assert data["year"] == year
    assert sum(data["received_by_region"].values()) >= 5   # the demo applications received this year
    assert set(data["received_by_region"]) == {"helse-sor-ost", "helse-vest", "helse-midt-norge", "helse-nord"}


def test_an_analyst_sees_no_case(page_as):
    page = page_as(ANALYST)
    response = page.goto("/utland/soknader")
    assert response is not None and response.status == 403
