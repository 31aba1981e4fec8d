"""The audit log's hash chain: sealing, verification, and tampering found (a changed row, a removed
row, a stopped sealer). Tampering needs the append-only trigger out of the way, as a database
superuser could do; each test's outer transaction restores it."""
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from app.cases import audit_chain
from app.cases.models import AuditSeal
from app.core.audit import AuditAction, AuditEvent, record_access
from app.db import utcnow
from app.extensions import db


def _log(count: int) -> None:
    for number in range(count):
        record_access(AuditAction.EXPORT, "report", str(number), details={"format": "pdf", "rad": number})


def _without_append_only_triggers(table: str) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        for event in ("update", "delete"):
            db.session.execute(text(f"DROP TRIGGER {table}_no_{event}"))


def test_sealing_chains_every_event_once_and_verification_passes(app_ctx):
    _log(7)
    assert audit_chain.seal(batch=5) == 5
    assert audit_chain.seal_all() == 2
    assert audit_chain.seal_all() == 0
    _log(2)
    assert audit_chain.seal_all() == 2
    report = audit_chain.verify()
    assert (report.intact, report.sealed, report.unsealed) == (True, 9, 0)
    positions = db.session.scalars(select(AuditSeal.position).order_by(AuditSeal.position)).all()
    assert positions == list(range(1, 10))


def test_a_changed_row_breaks_the_chain_at_that_row(app_ctx):
    _log(5)
    audit_chain.seal_all()
    victim = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id).offset(2).limit(1)).one()
    _without_append_only_triggers("audit_events")
    db.session.execute(update(AuditEvent).where(AuditEvent.id == victim).values(user_email="noen-andre@test.example"))
    report = audit_chain.verify()
    assert not report.intact
    assert report.problems == [f"Loggrad {victim} (posisjon 3) er endret etter at den ble forseglet."]


def test_a_removed_seal_and_a_stalled_sealer_are_reported(app_ctx):
    _log(4)
    audit_chain.seal_all()
    _without_append_only_triggers("audit_seals")
    db.session.execute(delete(AuditSeal).where(AuditSeal.position == 2))
    _log(1)
    report = audit_chain.verify(now=utcnow() + timedelta(hours=2))
    assert "Posisjon 2 mangler i kjeden (neste er 3)." in report.problems
    assert any("er endret" in problem for problem in report.problems)   # seal 3 no longer follows seal 1
    assert any("ikke forseglet" in problem for problem in report.problems)
    assert report.unsealed == 2


@pytest.mark.parametrize("statement", [update(AuditSeal).values(row_hash="0" * 64), delete(AuditSeal)])
def test_the_database_refuses_to_change_or_delete_seals(app_ctx, statement):
    _log(1)
    audit_chain.seal_all()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(statement)
    db.session.rollback()


def test_the_cli_seals_and_verifies(app):
    runner = app.test_cli_runner()
    with app.app_context():
        _log(3)
    assert "3 loggrader forseglet." in runner.invoke(args=["audit", "seal"]).output
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Kjeden er hel." in result.output


def test_the_admin_seals_and_verifies_from_the_log_page(app, login, make_user):
    admin = login(make_user("admin"))
    page = admin.get("/admin/logg").get_data(as_text=True)
    assert "rader venter på forsegling" in page
    response = admin.post("/admin/logg/kjede", follow_redirects=True)
    assert "Kjeden er hel" in response.get_data(as_text=True)
    assert login(make_user("abroad_caseworker", "helse-vest")).post("/admin/logg/kjede").status_code == 403
