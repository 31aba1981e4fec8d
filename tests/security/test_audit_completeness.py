"""Normen: every read of a patient's data is logged. A crawler follows every link the demo users can
reach (GET only) while an SQLAlchemy hook records which patients each request loaded; each of them
must have an audit row from that request.

The same crawl checks the security headers of every response it gets (pages, PDFs, exports, errors):
a CSP with a fresh nonce and no 'unsafe-inline', framing refused, nosniff, the referrer policy, and
`Cache-Control: no-store`, since any of them may hold personal data."""
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import event, select

from app.auth.models import User
from app.cases.models import AuditEvent, Case, Patient
from app.demo import DEMO_USERS
from app.extensions import db

# Links that change state or leave the crawl: logging out, and the idle-session keep-alive.
SKIP = re.compile(r"^/(logout|konto/forleng)|^/static/")
MAX_PAGES_PER_USER = 120
LINK = re.compile(r'href="([^"#]+)"')


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def loaded_patients():
    """Ids of the patients loaded from the database since the list was last cleared."""
    seen: list[int] = []

    def on_load(patient, _context) -> None:
        seen.append(patient.id)

    event.listen(Patient, "load", on_load)
    yield seen
    event.remove(Patient, "load", on_load)


def _audited_patients(app, after_id: int) -> set[int]:
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.patient_id, AuditEvent.case_id).where(AuditEvent.id > after_id))
        patients = set()
        for patient_id, case_id in rows:
            if patient_id is not None:
                patients.add(patient_id)
            elif case_id is not None:
                patients.add(db.session.scalar(select(Case.patient_id).where(Case.id == case_id)))
        return patients


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


@pytest.mark.parametrize("email", [email for email, *_ in DEMO_USERS])
def test_every_page_that_loads_a_patient_logs_it(app, demo, login, loaded_patients, email):
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    client = login(user_id)
    queue, visited, checked, nonces, mimetypes = deque(["/"]), set(), 0, set(), set()
    while queue and len(visited) < MAX_PAGES_PER_USER:
        url = queue.popleft()
        if url in visited:
            continue
        visited.add(url)
        before = _last_audit_id(app)
        loaded_patients.clear()
        response = client.get(url)
        unlogged = set(loaded_patients) - _audited_patients(app, before)
        assert not unlogged, f"{email}: GET {url} loaded patients {sorted(unlogged)} without an audit row"
        checked += bool(loaded_patients)
        assert_security_headers(url, response, nonces)
        mimetypes.add(response.mimetype)
        if response.status_code == 200 and response.mimetype == "text/html":
            for link in LINK.findall(response.get_data(as_text=True)):
                target = urlsplit(urljoin(url, link.replace("&amp;", "&")))
                if not target.netloc and not SKIP.match(target.path):
                    queue.append(target.path + (f"?{target.query}" if target.query else ""))
    patient_roles = {"hso@helsesak.test", "vest@helsesak.test", "midt@helsesak.test", "panel@helsesak.test",
                     "panelmedlem@helsesak.test"}
    if email in patient_roles:
        assert checked >= 2, f"{email}: the crawl reached no page with patient data ({len(visited)} pages)"
    if email == "hso@helsesak.test":   # the office's letters and list exports were crawled too
        assert {"text/html", "application/pdf", "text/csv"} <= mimetypes, mimetypes
