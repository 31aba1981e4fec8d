"""Logging in and out through the real form in Chromium: mouse, keyboard and a wrong password."""
import re

import pytest
from playwright.sync_api import Page, expect

from app.demo import DEMO_PASSWORD
from tests.browser.test_accessibility import NARROW, assert_no_axe_violations, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

LOGIN_FAILED = "Feil e-postadresse eller passord."


def test_demo_user_logs_in_sees_the_dashboard_and_logs_out(page: Page, base_url, log_in, screenshot):
    log_in(page, "hso@helsesak.test")

    expect(page).to_have_url(f"{base_url}/")
    expect(page.get_by_role("heading", level=1, name="Oversikt")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Mine saker")).to_be_visible()
    expect(page.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Oversikt")).to_have_attribute(
        "aria-current", "page")
    expect(page.get_by_role("banner")).to_contain_text("Siri Sør-Øst")
    screenshot(page, "dashboard-hso")

    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_have_text("Du er logget ut.")

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    expect(page.get_by_role("heading", level=1, name="Logg inn i Helsesak")).to_be_visible()
    expect(page.get_by_role("button", name="Logg ut")).to_have_count(0)


def test_wrong_password_shows_the_message_and_keeps_the_email(page: Page, log_in, screenshot):
    log_in(page, "vest@helsesak.test", password="ikke-riktig-passord")

    expect(page.get_by_role("alert")).to_have_text(LOGIN_FAILED)
    expect(page.get_by_label("E-postadresse")).to_have_value("vest@helsesak.test")
    expect(page.get_by_label("Passord", exact=True)).to_have_value("")
    expect(page.get_by_role("heading", level=1, name="Logg inn i Helsesak")).to_be_visible()
    screenshot(page, "login-wrong-password")


def test_keyboard_only_login_with_visible_focus(page: Page, keyboard, screenshot):
    page.goto("/login")
    keys = keyboard(page)

    # Tab order: the skip link, the header's "Helsesak" link, then the form's fields.
    keys.next_is(page.get_by_role("link", name="Hopp til hovedinnhold"))
    keys.next_is(page.get_by_role("link", name="Helsesak", exact=True))
    keys.next_is(page.get_by_label("E-postadresse"))
    keys.type("midt@helsesak.test")
    keys.next_is(page.get_by_label("Passord", exact=True))
    keys.type(DEMO_PASSWORD)
    screenshot(page, "login-keyboard-focus")
    keys.press("Enter")

    expect(page.get_by_role("heading", level=1, name="Oversikt")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("Marit Midt")
    keys.report("Log in")


def test_idle_warning_offers_to_stay_logged_in(page: Page, log_in, screenshot):
    """WCAG 2.2.1: five minutes before an idle session ends, the user is warned and can extend it."""
    page.clock.install()
    log_in(page, "analytiker@helsesak.test")
    warning = page.get_by_role("alertdialog", name="Du blir snart logget ut")
    expect(warning).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-idle-timer", "running")

    page.clock.fast_forward("25:01")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("button", name="Forbli innlogget")).to_be_focused()
    assert_no_axe_violations(page, "idle warning")
    page.set_viewport_size(NARROW)
    assert_no_horizontal_scroll(page, "idle warning at 320 px")
    screenshot(page, "idle-warning")

    with page.expect_response(re.compile(r"/konto/forleng$")) as extended:
        page.keyboard.press("Enter")
    assert extended.value.status == 204
    expect(warning).to_be_hidden()
    expect(page.get_by_role("heading", level=1, name="Oversikt")).to_be_visible()
