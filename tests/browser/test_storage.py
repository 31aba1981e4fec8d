"""Nothing sensitive is kept in the browser's storage (ASVS 14.3.3): through a caseworker's workflow in Chromium
(log in, register an application with a national ID, open it, filter the list, log out), the
site's localStorage, sessionStorage and IndexedDB stay empty, and the session cookie is out of the scripts' reach."""
import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from app.demo import synthetic_national_id
from tests.browser.test_abroad import HSO, register_application

pytestmark = pytest.mark.browser

STORAGE = """async () => ({
    local: Object.keys(localStorage), session: Object.keys(sessionStorage),
    indexed: (await indexedDB.databases()).map(database => database.name),
    cookies: document.cookie,
})"""


def _assert_empty(page: Page, step: str) -> None:
    found = page.evaluate(STORAGE)
    assert found == {"local": [], "session": [], "indexed": [], "cookies": ""}, f"{step}: {found}"


def test_a_caseworker_workflow_leaves_no_data_in_browser_storage(page: Page, log_in):
    national_id = synthetic_national_id(date(1987, 6, 5), 310)
    log_in(page, HSO)
    expect(page.get_by_role("heading", level=1, name="Oversikt")).to_be_visible()
    _assert_empty(page, "after login")

    url = register_application(page, "Stina Storage", birth_date=date(1987, 6, 5), national_id=national_id)
    _assert_empty(page, "after registering")
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stina Storage")
    _assert_empty(page, "on the application")

    page.goto("/utland/soknader?q=Stina")
    expect(page.get_by_role("main")).to_contain_text("Stina Storage")
    _assert_empty(page, "on the filtered list")
    page.goto("/saker")
    _assert_empty(page, "on the case list")

    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    _assert_empty(page, "after logout")
