"""GET is safe (ASVS 3.5.3) and logout is within reach (7.4.4): every GET route of the access matrix, as every
demo principal (anonymous, each role, own and other office), on the demo data, leaves the database's content as
it was, apart from the bookkeeping listed in BOOKKEEPING; and every HTML page a logged-in user gets carries the
header's logout button. The walk is the access matrix's (tests/security/test_access_matrix.py)."""
import hashlib
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests.security.test_access_matrix import observe, principals_and_urls

BOOKKEEPING = {   # tables a read may write to, and why
    "audit_events": "every read, export and refused attempt is logged (Normen)",
    "audit_event_patients": "a list request's event names the patients it showed",
    "user_sessions": "each principal logs in (a new session) and a request moves the session's last_seen_at",
    "api_tokens": "an API request records the token's last_used_at",
}
LOGOUT = re.compile(r'<form method="post" action="/logout"[^>]*>.*?<button type="submit"[^>]*>Logg ut</button>',
                    re.DOTALL)


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row, per table (bookkeeping tables left out)."""
    result = {}
    connection = db.session.connection()
    for name, table in sorted(db.metadata.tables.items()):
        if name in BOOKKEEPING:
            continue
        rows = connection.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        result[name] = (len(rows), hashlib.sha256(repr([tuple(row) for row in rows]).encode()).hexdigest())
    return result


@pytest.mark.slow
def test_no_get_route_changes_the_database_and_every_page_offers_logout(app, demo, login):
    with app.app_context():
        fixtures = principals_and_urls(app)
        before = fingerprint()
        assert set(BOOKKEEPING) <= set(db.metadata.tables)
    pages, without_logout = 0, []

    def inspect(principal, endpoint, _method, response) -> None:
        nonlocal pages
        if principal == "anonymous" or response.status_code != 200 or response.mimetype != "text/html":
            return
        pages += 1
        if not LOGOUT.search(response.get_data(as_text=True)):
            without_logout.append(f"{endpoint} as {principal}")

    observed = observe(app, fixtures, login, methods=("GET",), inspect=inspect)
    with app.app_context():
        after = fingerprint()
    changed = sorted(name for name in before if before[name] != after[name])
    assert changed == [], f"a GET changed {changed}: {[(before[name], after[name]) for name in changed]}"
    assert without_logout == []
    # The walk reached the pages: every role read some, and dozens of pages were checked.
    assert pages > 100 and sum(bool(principals) for principals in observed.values()) > 50
    assert {principal for principals in observed.values() for principal in principals} >= set(fixtures.users)
