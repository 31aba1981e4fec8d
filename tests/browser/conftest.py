"""Real-browser fixtures: headless Debian Chromium against a live Helsesak server with demo data.

The server is its own app (CSRF on, as in production) on its own database: BROWSER_DATABASE_URL,
or an SQLite file in a temporary directory. Its schema is built by the migrations and filled by
`flask demo load`, so the tests log in as the demo users through the real login form.
"""
import os
import threading
from pathlib import Path

import pytest
from flask import template_rendered
from flask_migrate import upgrade
from playwright.sync_api import Locator, Page, expect
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from app.demo import DEMO_PASSWORD
from app.extensions import db
from config import BASE_DIR, TestConfig
from tests.conftest import reset_schema

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"]
SCREENSHOT_DIR = BASE_DIR / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig) -> dict:
    """The distribution's Chromium (`playwright install` cannot download browsers here). A missing
    browser fails the run: a browser check that does not run is a defect, not a skip."""
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not (Path(executable).is_file() and os.access(executable, os.X_OK)):
        pytest.fail(f"Chromium not found at {executable}: install the Debian package `chromium` "
                    "(scripts/setup.sh --services does) or point CHROMIUM_PATH at a Chromium binary.",
                    pytrace=False)
    if pytestconfig.getoption("--headed"):  # for watching a test locally
        return {"executable_path": executable, "headless": False,
                "args": [arg for arg in CHROMIUM_ARGS if arg != "--headless"],
                "slow_mo": pytestconfig.getoption("--slowmo")}
    return {"executable_path": executable, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_app(tmp_path_factory):
    """The app the live server serves: migrated schema and demo data, real CSRF."""
    url = (os.environ.get("BROWSER_DATABASE_URL")
           or f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'helsesak.db'}")
    reset_schema(url)

    class BrowserConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        WTF_CSRF_ENABLED = True
        ARCHIVE_DIR = str(tmp_path_factory.mktemp("arkivuttrekk"))

    app = create_app(BrowserConfig)
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, f"flask demo load failed: {result.output}{result.exception!r}"
    yield app
    with app.app_context():
        db.engine.dispose()


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (errors are still logged)."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@pytest.fixture(scope="session")
def live_server(browser_app):
    server = make_server("127.0.0.1", 0, browser_app, threaded=True, request_handler=_QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="helsesak-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """page.goto("/login") and friends resolve against the live server."""
    return live_server


@pytest.fixture(scope="session")
def rendered_templates(browser_app) -> list[str]:
    """Names of the templates the live server has rendered, in order (a test may clear it)."""
    names: list[str] = []

    def record(sender, template, context, **extra) -> None:
        names.append(template.name)

    template_rendered.connect(record, browser_app, weak=False)
    yield names
    template_rendered.disconnect(record, browser_app)


def _log_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord", exact=True).fill(password)
    page.get_by_role("button", name="Logg inn").click()


@pytest.fixture(scope="session")
def log_in():
    """log_in(page, email, password=DEMO_PASSWORD): fill in and submit the real login form."""
    return _log_in


@pytest.fixture(scope="session")
def login_state(browser, browser_context_args, log_in):
    """storage_state of a session logged in through the form, once per demo user and run."""
    states: dict[str, dict] = {}

    def state_for(email: str) -> dict:
        if email not in states:
            context = browser.new_context(**browser_context_args)
            try:
                page = context.new_page()
                log_in(page, email)
                expect(page.get_by_role("heading", level=1, name="Oversikt")).to_be_visible()
                states[email] = context.storage_state()
            finally:
                context.close()
        return states[email]
    return state_for


@pytest.fixture
def page_as(new_context, login_state):
    """A page in a fresh browser context, logged in as `email` (the run's shared login for that
    user), or not logged in for None."""
    def open_page(email: str | None) -> Page:
        return new_context(storage_state=login_state(email) if email else None).new_page()
    return open_page


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """test-artifacts/screenshots/, emptied of the previous run's pictures."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOT_DIR.glob("*.png"):
        old.unlink()
    return SCREENSHOT_DIR


@pytest.fixture
def screenshot(screenshot_dir):
    """screenshot(page, "name") saves the whole page as test-artifacts/screenshots/name.png."""
    def take(page: Page, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return take


# ---------- keyboard-only workflows ----------

_FOCUS_STATE = """() => {
    const element = document.activeElement;
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    const moved = element !== window.__keyboardLastFocus;
    window.__keyboardLastFocus = element;
    return {moved, onBody: element === document.body || element === document.documentElement,
            outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
            shadow: style.boxShadow !== "none", shown: box.width > 0 && box.height > 0,
            what: element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
                  + " «" + (element.innerText || element.value || element.name || "").trim().slice(0, 40) + "»"};
}"""


def assert_visible_focus(page: Page) -> None:
    """The focused element shows a focus indicator (a computed outline or box-shadow) and is on screen."""
    state = page.evaluate(_FOCUS_STATE)
    assert not state["onBody"], "nothing has focus"
    assert state["outline"] or state["shadow"], f"no visible focus indicator on {state['what']}"
    assert state["shown"], f"the focused {state['what']} takes no space on the page"


class KeyboardOnly:
    """Drives a page with Tab, Shift+Tab, Enter, Space and the arrow keys only (typing text into a
    field is allowed). After every Tab and Shift+Tab the focus must have moved to another element (no
    keyboard trap) that shows a visible focus indicator. Counts the keystrokes (typed text apart)."""

    KEYS = {"Tab", "Shift+Tab", "Enter", "Space", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"}

    def __init__(self, page: Page) -> None:
        self.page = page
        self.keystrokes = 0
        self.typed = 0

    def press(self, key: str) -> None:
        assert key in self.KEYS, f"{key} is not a keyboard-only key"
        self.page.keyboard.press(key)
        self.keystrokes += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.typed += len(text)

    def tab(self, backwards: bool = False) -> None:
        """One focus stop forwards (or backwards), checked."""
        self.press("Shift+Tab" if backwards else "Tab")
        state = self.page.evaluate(_FOCUS_STATE)
        assert not state["onBody"], "Tab left the page's controls: focus is on the body"
        assert state["moved"], f"keyboard trap: focus stayed on {state['what']}"
        assert state["outline"] or state["shadow"], f"no visible focus indicator on {state['what']}"
        assert state["shown"], f"the focused {state['what']} takes no space on the page"

    def tab_to(self, target: Locator, *, backwards: bool = False, limit: int = 60) -> int:
        """Tab (or Shift+Tab) until `target` has focus, checking every stop on the way; the stops taken."""
        for stops in range(1, limit + 1):
            self.tab(backwards)
            if target.evaluate("element => element === document.activeElement"):
                return stops
        raise AssertionError(f"{target} not reached in {limit} focus stops")

    def next_is(self, target: Locator) -> None:
        """Tab once: the next focus stop is `target` (the tab order is the reading order)."""
        self.tab()
        expect(target).to_be_focused()

    def skip_to_main(self) -> None:
        """On a freshly loaded page: the skip link is the first stop, and Enter on it moves to the content."""
        self.tab()
        expect(self.page.get_by_role("link", name="Hopp til hovedinnhold")).to_be_focused()
        self.press("Enter")
        expect(self.page.locator("main")).to_be_focused()

    def report(self, workflow: str) -> str:
        """The keystroke count of the workflow, printed as a UX metric to keep from growing."""
        line = (f"{workflow}: {self.keystrokes} keystrokes (Tab, Shift+Tab, Enter, Space, arrows), "
                f"{self.typed} characters typed")
        print(line)
        return line


@pytest.fixture
def keyboard():
    """keyboard(page) -> KeyboardOnly: keyboard-only driving with a focus check at every stop."""
    return KeyboardOnly
