"""The audit log's hash chain: sealing, verification, and tampering found (a changed row, a removed
row, a stopped sealer). Tampering needs the append-only trigger out of the way, as a database
superuser could do; each test's outer transaction restores it."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from app.cases import audit_chain
from app.cases.models import AuditSeal
from app.core.audit import AuditAction, AuditEvent, AuditEventPatient, record_access, record_list
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
    assert "rader er skrevet etter den sist forseglede og venter på forsegling" in page
    response = admin.post("/admin/logg/kjede", follow_redirects=True)
    assert "Kjeden er hel" in response.get_data(as_text=True)
    assert login(make_user("abroad_caseworker", "helse-vest")).post("/admin/logg/kjede").status_code == 403


def _event_with_id(event_id: int, *, at=None) -> None:
    """An event with a chosen id: a gap below it stands for a transaction still open (PostgreSQL takes the id at
    INSERT and shows the row at COMMIT), filled later by a late event."""
    db.session.execute(insert(AuditEvent).values(id=event_id, at=at or utcnow(), action=AuditAction.EXPORT,
                                                 object_type="report", object_id=str(event_id)))
    if db.session.get_bind().dialect.name == "postgresql":   # SQLite's next id is the highest plus one by itself
        db.session.execute(text("SELECT setval(pg_get_serial_sequence('audit_events', 'id'), max(id)) "
                                "FROM audit_events"))
    db.session.commit()


def test_the_status_counts_the_events_after_the_highest_sealed_one(app_ctx):
    _log(3)
    audit_chain.seal_all()
    _log(2)
    status = audit_chain.status()
    assert (status.sealed, status.waiting, status.lagging) == (3, 2, False)
    assert status.last_sealed_at is not None


def test_a_late_event_is_left_to_the_next_run_and_the_full_check(app_ctx):
    """A late event (a lower id committed after a run sealed a higher one) is not in the page's count, which
    says so; the full check counts it and the next run seals it. After that, the count starts above the
    highest sealed id, not above the late event the newest seal sealed."""
    _log(1)
    first = db.session.scalar(select(func.max(AuditEvent.id)))
    _event_with_id(first + 2)
    audit_chain.seal_all()
    _event_with_id(first + 1)   # the late one
    assert audit_chain.status().waiting == 0
    assert audit_chain.verify().unsealed == 1
    assert audit_chain.seal_all() == 1
    _log(1)
    status = audit_chain.status()
    assert (status.sealed, status.waiting) == (3, 1)
    assert audit_chain.verify().unsealed == 1


def test_the_status_caps_its_count_and_says_when_sealing_has_stopped(app_ctx, monkeypatch):
    monkeypatch.setattr(audit_chain, "STATUS_COUNT_CAP", 2)
    _log(1)
    audit_chain.seal_all()
    _event_with_id(db.session.scalar(select(func.max(AuditEvent.id))) + 1, at=utcnow() - timedelta(hours=2))
    _log(2)
    status = audit_chain.status()
    assert (status.waiting_text, status.lagging) == ("over 2", True)


def test_the_log_page_warns_when_sealing_has_stopped(app, login, make_user):
    admin = login(make_user("admin"))
    assert "Kjører forseglingen?" not in admin.get("/admin/logg").get_data(as_text=True)
    with app.app_context():
        audit_chain.seal_all()
        _event_with_id(db.session.scalar(select(func.max(AuditEvent.id))) + 1, at=utcnow() - timedelta(hours=2))
    assert "Kjører forseglingen?" in admin.get("/admin/logg").get_data(as_text=True)


def _listed(pairs: list[tuple[int, int]]) -> int:
    """Log a list that showed these (patient id, case id) pairs; its event id."""
    record_list([SimpleNamespace(id=case_id, patient_id=patient_id) for patient_id, case_id in pairs],
                context="case_list")
    return db.session.scalar(select(func.max(AuditEvent.id)))


def _drop_a_listed_patient(event_id: int) -> None:
    _without_append_only_triggers("audit_event_patients")
    db.session.execute(delete(AuditEventPatient).where(AuditEventPatient.event_id == event_id,
                                                       AuditEventPatient.patient_id == 11))


def _add_a_listed_patient(event_id: int) -> None:
    """Appending needs no trigger out of the way: the child table, like the log, accepts inserts."""
    db.session.execute(insert(AuditEventPatient).values(event_id=event_id, patient_id=99, case_id=990))


def _name_a_patient_on_another_event(event_id: int) -> None:
    db.session.execute(insert(AuditEventPatient).values(event_id=event_id - 1, patient_id=99, case_id=990))


def _rewrite_the_sealed_patients(event_id: int) -> None:
    _without_append_only_triggers("audit_events")
    db.session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(
        changes={"context": "case_list", "rows": 2, "patients": [[12, 120]]}))


def test_the_seal_covers_the_patients_a_list_named(app_ctx, monkeypatch):
    monkeypatch.setattr(audit_chain, "SEAL_BATCH", 2)   # verification reads the child rows chunk by chunk
    _log(1)
    event_id = _listed([(12, 120), (11, 110), (11, 111)])
    _log(1)
    audit_chain.seal_all()
    report = audit_chain.verify()
    assert (report.intact, report.sealed) == (True, 3)
    assert db.session.scalar(select(AuditEvent.changes).where(AuditEvent.id == event_id))["patients"] == [
        [11, 110], [11, 111], [12, 120]]


@pytest.mark.parametrize(("tamper", "victim", "problem"), [
    (_drop_a_listed_patient, 0, "pasientene i registeret over viste pasienter stemmer ikke"),
    (_add_a_listed_patient, 0, "pasientene i registeret over viste pasienter stemmer ikke"),
    (_name_a_patient_on_another_event, -1, "pasientene i registeret over viste pasienter stemmer ikke"),
    (_rewrite_the_sealed_patients, 0, "er endret etter at den ble forseglet"),
])
def test_changing_which_patients_a_sealed_list_named_is_found(app_ctx, monkeypatch, tamper, victim, problem):
    """The patients are in the sealed content (changes), and the child table the patient's log reads must
    agree with it: a pair removed there would hide the list from a patient's log, one added would put it
    into another's."""
    monkeypatch.setattr(audit_chain, "SEAL_BATCH", 1)
    _log(1)
    event_id = _listed([(11, 110), (12, 120)])
    audit_chain.seal_all()
    tamper(event_id)
    report = audit_chain.verify()
    assert len(report.problems) == 1 and problem in report.problems[0]
    assert report.problems[0].startswith(f"Loggrad {event_id + victim} ")
