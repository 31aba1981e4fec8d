"""Hypothesis fuzzes every form the demo users can reach: whatever is typed, no answer is a 5xx, and a
refused submission (the form shown again, or a 4xx) changes nothing in the database."""
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db

# Forms that end the session or lock accounts out would stop the crawl; they have their own tests.
SKIP_ACTIONS = re.compile(r"/logout|/deaktiver|/nullstill-tofaktor|/trekk-tilbake|/konto/forleng|/konto/passord")
SKIP_LINKS = re.compile(r"^/(logout|konto/forleng)|^/static/|\.(pdf|xlsx|csv)$")
# A refused re-authentication is counted against the login limit on purpose (login_failures).
UNCOUNTED = {"audit_events", "audit_event_patients", "audit_seals", "user_sessions", "api_tokens", "login_failures"}
MAX_PAGES = 60
LINK = re.compile(r'href="([^"#]+)"')

TEXT = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "31.02.2026", "2026-13-01", "01.01.1800",
                     "NaN", "1e309", "<script>alert(1)</script>", "' OR 1=1 --", "ID2024_090", "C34.9", "15108695077",
                     "\x00", "ø" * 400]),
)


class _Forms(HTMLParser):
    """The POST forms on a page: their action and their fields (name → the choices of a select, or None)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "fixed": {}})
        elif not self.forms:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") == "hidden":
                self.forms[-1]["fixed"][attrs["name"]] = attrs.get("value") or ""
            elif attrs.get("type") in ("radio", "checkbox"):
                self.forms[-1]["fields"].setdefault(attrs["name"], []).append(attrs.get("value") or "y")
            elif attrs.get("type") != "file":
                self.forms[-1]["fields"][attrs["name"]] = None
        elif tag == "textarea" and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = None
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
            self.forms[-1]["fields"][self._select] = []
        elif tag == "option" and self._select:
            self.forms[-1]["fields"][self._select].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in UNCOUNTED}


def _forms_reachable(client) -> dict[str, dict]:
    """Every POST form on the pages reachable from the dashboard, by action URL (the first of each)."""
    queue, visited, forms = deque(["/"]), set(), {}
    while queue and len(visited) < MAX_PAGES:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        parser = _Forms()
        parser.feed(html)
        for form in parser.forms:
            action = urlsplit(urljoin(url, form["action"] or url)).path
            if not SKIP_ACTIONS.search(action) and form["fields"]:
                forms.setdefault(action, form)
        for link in LINK.findall(html):
            target = urlsplit(urljoin(url, link.replace("&amp;", "&")))
            if not target.netloc and not SKIP_LINKS.search(target.path):
                queue.append(target.path)
    return forms


def _values(fields: dict) -> st.SearchStrategy:
    return st.fixed_dictionaries({
        name: st.one_of(st.sampled_from(choices), TEXT) if choices else TEXT for name, choices in fields.items()})


def _fuzz_form(app, client, action: str, form: dict) -> None:
    """Posts generated values to one form (a function of its own, so the property binds this form, not the loop's)."""
    @given(values=_values(form["fields"]))
    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def submit(values: dict) -> None:
        with app.app_context():
            before = _counts()
        response = client.post(action, data={**form["fixed"], **values})
        assert response.status_code < 500, f"POST {action} {values!r} answered {response.status_code}"
        if response.status_code != 302:
            with app.app_context():
                assert _counts() == before, f"POST {action} {values!r} was refused but changed the database"
            if response.mimetype == "text/html" and response.status_code in (200, 409, 422):
                page = response.get_data(as_text=True)
                assert "field-error" in page or "error-summary" in page or "alert" in page, (
                    f"POST {action} {values!r} was refused without saying why")

    submit()


@pytest.mark.slow
@pytest.mark.parametrize("email", ["hso@helsesak.test", "panel@helsesak.test", "metoder@helsesak.test",
                                   "admin@helsesak.test"])
def test_no_form_answers_5xx_and_a_refused_one_changes_nothing(app, demo, login, email):
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    client = login(user_id)
    forms = _forms_reachable(client)
    assert len(forms) >= 3, f"{email}: only {sorted(forms)} found"

    for action, form in forms.items():
        _fuzz_form(app, client, action, form)
