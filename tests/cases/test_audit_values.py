"""What the audit log's writer stores: times in UTC with their zone (ASVS 16.2.2), and logged values as data, so
a line break or markup in them cannot forge a second entry or inject into the admin's log page (16.4.1)."""
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy import func, select

from app.core.audit import AuditAction, AuditEvent
from app.db import utcnow
from app.extensions import db

FORGED = "\n2026-01-01 00:00:00 login admin@helsesak.test OK <script>alert(1)</script>"


@pytest.fixture
def oslo_local_time(monkeypatch):
    """The process's local time is Oslo's, so a writer using local time instead of UTC would show."""
    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_audit_times_are_stored_in_utc_with_their_zone(app, client, make_user, oslo_local_time):
    make_user("analyst", email="kari@test.example")
    before = utcnow()
    client.post("/login", data={"email": "kari@test.example", "password": "feil-passord-123"})
    after = utcnow()
    assert before.utcoffset() == after.utcoffset() == UTC.utcoffset(None)
    with app.app_context():
        assert isinstance(AuditEvent.__table__.c.at.type, sa.DateTime) and AuditEvent.__table__.c.at.type.timezone
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED)).one()
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            column_type = db.session.scalar(sa.text(
                "SELECT data_type FROM information_schema.columns WHERE table_name = 'audit_events' "
                "AND column_name = 'at'"))
            assert column_type == "timestamp with time zone"
            assert event.at.utcoffset() is not None   # an instant, whatever the session's zone
            assert before <= event.at <= after
        else:
            # SQLite keeps the text as written: it must be the UTC wall-clock time, not Oslo's.
            raw = db.session.scalar(sa.text("SELECT at FROM audit_events WHERE id = :id"), {"id": event.id})
            stored = datetime.fromisoformat(str(raw))
            stored = stored if stored.tzinfo else stored.replace(tzinfo=UTC)
            assert before <= stored <= after, (raw, before, after)
            assert datetime.now().astimezone().utcoffset() != UTC.utcoffset(None)   # Oslo is not UTC


def test_a_line_break_or_markup_in_a_logged_value_stays_one_escaped_entry(app, login, make_user):
    make_user("analyst", email="kari@test.example")
    typed = "kari@test.example" + FORGED
    address = "10.0.0.7\n<img src=x onerror=alert(1)>"
    with app.app_context():
        rows_before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    anonymous = app.test_client()
    anonymous.post("/login", data={"email": typed, "password": "feil-passord-123"},
                   environ_base={"REMOTE_ADDR": address})
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()[rows_before:]
        assert [event.action for event in events] == [AuditAction.LOGIN_FAILED]   # one row, nothing forged
        assert events[0].changes == {"email": typed}                              # the value kept as data
        assert events[0].remote_addr == address
    page = login(make_user("admin")).get("/admin/logg?handling=login_failed")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 hendelser." in html
    assert "<img src=x" not in html and str(escape(address)) in html
