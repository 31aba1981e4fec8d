"""Normen: every read of a patient's data is logged. A crawler follows every link the demo users can
reach, and posts every form it finds there as a refused post (hidden fields as given, every other field
left empty, so the view answers with the form again and its errors), while an SQLAlchemy hook records which
patients each request loaded, as a patient row or as a patient's case (whose title and registered facts
name the patient); each of them must have an audit row from that request. Forms that end the crawler's own
session or change accounts are left out (they show no patient data).

The same crawl checks the security headers of every response it gets (pages, PDFs, exports, errors):
a CSP with a fresh nonce and no 'unsafe-inline', framing refused, nosniff, the referrer policy, and
`Cache-Control: no-store`, since any of them may hold personal data."""
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import event, select

from app.auth.models import User
from app.cases.models import Case, Patient
from app.core.audit import AuditEvent, AuditEventPatient
from app.demo import DEMO_USERS
from app.extensions import db
from tests.test_lists import _declared_lists

# Links that change state or leave the crawl: logging out, and the idle-session keep-alive.
SKIP = re.compile(r"^/(logout|konto/forleng)|^/static/")
# Forms not posted: the login itself, the account pages (sessions, tokens, password, second factor) and the
# user administration (they would end or change the crawler's own login, and show no patient data), and the
# journal printout (a PDF job that takes a refused post as an order).
SKIP_FORMS = re.compile(r"^/(logout|login|konto/|admin/brukere/)|/journalutskrift$")
MAX_PAGES_PER_USER = 120
MAX_FORMS_PER_USER = 120
LINK = re.compile(r'href="([^"#]+)"')


# A list page's query reads one row more than the page shows (app.listing.engine); that row is not shown.
LOOK_AHEAD = {spec.per_page + 1 for spec in _declared_lists().values()}


def _reads_case_patients(statement) -> bool:
    """Whether a select reads a case's patient as a plain column (the audit log's `patient_id` is an internal id in
    the log, not the patient's data)."""
    return any(getattr(getattr(column, "table", None), "name", None) == "cases" and column.key == "patient_id"
               for column in getattr(statement, "selected_columns", ()))


def _patients_in_row(row) -> list[int]:
    """The patient ids a plain-column row carries: a `patient_id` column of its own or of one of its bundles
    (a list page reads its cases as plain columns, which no ORM load event reports)."""
    found = []
    for part in (row, *row):
        mapping = getattr(part, "_mapping", None)
        if mapping is not None and mapping.get("patient_id") is not None:
            found.append(mapping["patient_id"])
    return found


@pytest.fixture
def loaded_patients():
    """Ids of the patients loaded from the database since the list was last cleared: as ORM objects (a
    patient, or a case naming one) or as the plain columns of a list's page."""
    seen: list[int] = []

    def on_load(patient, _context) -> None:
        seen.append(patient.id)

    def on_case_load(case, _context) -> None:
        if case.patient_id is not None:
            seen.append(case.patient_id)

    def on_select(state):
        options = state.execution_options
        if not state.is_select or options.get("yield_per") or options.get("stream_results") \
                or not _reads_case_patients(state.statement):
            return None
        frozen = state.invoke_statement().freeze()
        rows = frozen().all()
        if getattr(state.statement, "_limit", None) in LOOK_AHEAD and len(rows) == state.statement._limit:
            rows = rows[:-1]   # the row a list reads past its page to know whether one follows: not shown
        for row in rows:
            seen.extend(_patients_in_row(row))
        return frozen()

    event.listen(Patient, "load", on_load)
    event.listen(Case, "load", on_case_load)
    event.listen(db.session, "do_orm_execute", on_select)
    yield seen
    event.remove(Patient, "load", on_load)
    event.remove(Case, "load", on_case_load)
    event.remove(db.session, "do_orm_execute", on_select)


class _Forms(HTMLParser):
    """The POST forms of a page: (action, fields) with hidden fields as given and every other field empty."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._current: tuple[str, dict[str, str]] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = (attrs.get("action") or "", {})
        elif self._current is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind == "hidden":
                self._current[1][attrs["name"]] = attrs.get("value") or ""
            elif kind not in ("checkbox", "radio", "file", "submit", "button"):
                self._current[1].setdefault(attrs["name"], "")

    def handle_endtag(self, tag) -> None:
        if tag == "form" and self._current is not None:
            self.forms.append(self._current)
            self._current = None


def _forms(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def _audited_patients(app, after_id: int) -> set[int]:
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.patient_id, AuditEvent.case_id).where(AuditEvent.id > after_id))
        # a list request names its patients in audit_event_patients
        patients = set(db.session.scalars(select(AuditEventPatient.patient_id).where(
            AuditEventPatient.event_id > after_id)))
        for patient_id, case_id in rows:
            if patient_id is not None:
                patients.add(patient_id)
            elif case_id is not None:
                patients.add(db.session.scalar(select(Case.patient_id).where(Case.id == case_id)))
        return patients


def _unlogged(app, response, loaded: list[int], before: int) -> set[int]:
    """The patients a response showed without an audit row. A redirect shows nothing (its target is a request
    of its own: a letter's download, the case page after a save)."""
    if 300 <= response.status_code < 400:
        return set()
    return set(loaded) - _audited_patients(app, before)


def _last_audit_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0


CSP_DIRECTIVES = ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'")


def assert_security_headers(url: str, response, nonces: set[str]) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    assert all(directive in csp for directive in CSP_DIRECTIVES), f"GET {url}: CSP {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"GET {url}: CSP {csp!r}"
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and nonce.group(1) not in nonces, f"GET {url}: the CSP nonce is missing or reused"
    nonces.add(nonce.group(1))
    assert response.headers.get("X-Content-Type-Options") == "nosniff", f"GET {url}"
    assert response.headers.get("Referrer-Policy") == "same-origin", f"GET {url}"
    assert response.headers.get("Cache-Control") == "no-store", f"GET {url} ({response.mimetype})"


PAGES_PER_KIND = 3


def _seen_enough(kinds: Counter, url: str) -> bool:
    """A few pages of each kind (a case's page, its journal, …): the demo's history must not use up the crawl."""
    kind = re.sub(r"/\d+", "/<id>", urlsplit(url).path)
    kinds[kind] += 1
    return kinds[kind] > PAGES_PER_KIND


def _add_form(forms: dict, kinds: set, target, fields: dict) -> None:
    """Each kind of form once (the first case's), however many cases the demo holds."""
    kind = re.sub(r"/\d+", "/<id>", target.path)
    if kind not in kinds:
        kinds.add(kind)
        forms[target.path + (f"?{target.query}" if target.query else "")] = fields


@pytest.mark.slow
@pytest.mark.parametrize("email", [email for email, *_ in DEMO_USERS])
def test_every_page_that_loads_a_patient_logs_it(app, demo, login, loaded_patients, email):
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    client = login(user_id)
    queue, visited, checked, nonces, mimetypes = deque(["/"]), set(), 0, set(), set()
    forms: dict[str, dict[str, str]] = {}   # action -> fields, the first form found for each kind of action
    form_kinds: set[str] = set()
    page_kinds: Counter = Counter()
    while queue and len(visited) < MAX_PAGES_PER_USER:
        url = queue.popleft()
        if url in visited or _seen_enough(page_kinds, url):
            continue
        visited.add(url)
        before = _last_audit_id(app)
        loaded_patients.clear()
        response = client.get(url)
        unlogged = _unlogged(app, response, loaded_patients, before)
        assert not unlogged, f"{email}: GET {url} loaded patients {sorted(unlogged)} without an audit row"
        checked += bool(loaded_patients)
        assert_security_headers(url, response, nonces)
        mimetypes.add(response.mimetype)
        if response.status_code == 200 and response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            for link in LINK.findall(html):
                target = urlsplit(urljoin(url, link.replace("&amp;", "&")))
                if not target.netloc and not SKIP.match(target.path):
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))
            for action, fields in _forms(html):
                target = urlsplit(urljoin(url, action.replace("&amp;", "&") or url))
                if not target.netloc and not SKIP_FORMS.search(target.path):
                    _add_form(forms, form_kinds, target, fields)
    posted = refused = 0
    for url, fields in list(forms.items())[:MAX_FORMS_PER_USER]:
        before = _last_audit_id(app)
        loaded_patients.clear()
        response = client.post(url, data=fields)
        posted += 1
        unlogged = _unlogged(app, response, loaded_patients, before)
        assert not unlogged, f"{email}: POST {url} (refused) loaded patients {sorted(unlogged)} without an audit row"
        assert response.status_code < 500, f"{email}: POST {url} answered {response.status_code}"
        refused += response.status_code != 302
        checked += bool(loaded_patients)
    patient_roles = {"hso@helsesak.test", "vest@helsesak.test", "midt@helsesak.test", "panel@helsesak.test",
                     "panelmedlem@helsesak.test"}
    if email in patient_roles:
        assert checked >= 2, f"{email}: the crawl reached no page with patient data ({len(visited)} pages)"
    if email == "hso@helsesak.test":   # the office's letters and list exports were crawled too
        assert {"text/html", "application/pdf", "text/csv"} <= mimetypes, mimetypes
    if email in ("hso@helsesak.test", "panel@helsesak.test"):   # their case forms were posted and refused
        assert posted >= 8 and refused >= 5, (posted, refused, sorted(forms))


@pytest.mark.slow
def test_every_list_showing_patients_logs_them_in_every_order(app, demo, login, loaded_patients):
    """Each sortable column, both ways, of every list that shows patients (page, API list, export), as each
    principal the access matrix lets in: the patients the request read are logged by it."""
    from tests.security.test_access_matrix import LIST_ROUTES, MATRIX, _routes, _url, principals_and_urls
    with app.app_context():
        fixtures = principals_and_urls(app)
    specs = {spec.name: spec for spec in _declared_lists().values() if spec.audited is not None}
    rules = {rule.endpoint: rule for _name, _method, rule in _routes(app)}
    unlogged, checked = [], set()
    for name, spec in specs.items():
        sorts = [prefix + column.key for column in spec.columns if column.sort is not None for prefix in ("", "-")]
        for endpoint in LIST_ROUTES[name]:
            rule = rules[endpoint]
            url = _url(endpoint, rule, fixtures) if "fmt" not in rule.arguments else rule.build(
                {"fmt": "csv"}, append_unknown=False)[1]
            for principal in sorted(MATRIX[(endpoint, "GET")] - {"anonymous"}):
                if endpoint.startswith("api."):
                    client, kwargs = app.test_client(), {
                        "headers": {"Authorization": f"Bearer {fixtures.tokens[principal]}"}}
                else:
                    client, kwargs = login(fixtures.users[principal]), {}
                for sort in sorts:
                    before = _last_audit_id(app)
                    loaded_patients.clear()
                    response = client.get(url, query_string={"sort": sort}, **kwargs)
                    assert response.status_code == 200, f"{endpoint}?sort={sort} as {principal}"
                    if missing := _unlogged(app, response, loaded_patients, before):
                        unlogged.append(f"{endpoint}?sort={sort} as {principal}: {sorted(missing)}")
                    if loaded_patients:
                        checked.add(name)
    assert not unlogged, "\n".join(unlogged)
    assert checked == set(specs), f"lists that showed no patient to anyone: {sorted(set(specs) - checked)}"
