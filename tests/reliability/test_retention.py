"""Retention (quality goal A10): case records are never hard-deleted by the app; discarding, closing and
screening are dated and audited.

1. A walk through the UI's flows that register, screen, change, close, reopen and discard cases (treatment
   abroad and the expert panel; journal posts, documents and versions, deadlines, access) with a
   `before_cursor_execute` listener on every engine: no DELETE or TRUNCATE reaches a case record table.
2. The UI's «Utgår» (the only way to remove a case) needs a reason, keeps the case and its history, and writes
   a dated status change and an audit row naming the reason; a discarded case cannot be changed again.
3. Closing («Avsluttet») is dated and audited the same way, and reopening keeps the earlier steps.
4. Screening (offl. § 13) happens when a patient case is registered: the case carries the access code and the
   legal basis from its creation time, and the case's audit row records both.
"""
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select

from app.cases.models import Case, CaseStatus, CaseStatusChange, JournalEntry
from app.cases.services import SCREENED_WORD, SCREENING_BASIS_PERSONAL, SCREENING_CODE
from app.core.audit import AuditAction, AuditEvent
from app.db import utcnow
from app.demo import synthetic_national_id
from app.extensions import db

TODAY = date.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The tables that hold case records and their history: patients, cases, status history, journal, documents and
# file contents, deadlines, access given, the modules' applications, appeals and referrals, and the audit log.
CASE_RECORD_TABLES = {
    "cases", "case_patients", "case_status_changes", "case_journal_entries", "case_documents",
    "case_document_versions", "case_stored_files", "case_deadlines", "case_assignments",
    "abroad_applications", "abroad_appeals", "abroad_medical_opinions", "abroad_cost_entries",
    "panel_referrals", "panel_statements", "panel_answers", "panel_treatment_items",
    "audit_events", "audit_event_patients", "audit_seals",
}
REMOVAL = re.compile(r'^\s*(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)"?', re.IGNORECASE)
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


@pytest.fixture
def statements():
    """Every SQL statement any engine executes while the test runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    yield seen
    event.remove(Engine, "before_cursor_execute", record)


def _utc(moment: datetime) -> datetime:
    """A stored timestamp as naive UTC (SQLite gives it back naive, PostgreSQL in the session's zone)."""
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _now() -> datetime:
    return _utc(utcnow())


def _day(days_ago: int) -> str:
    return f"{TODAY - timedelta(days=days_ago):%d.%m.%Y}"


def _application_form() -> dict:
    return {"national_id": synthetic_national_id(date(1994, 3, 8)), "patient_name": "Nora Nordlys", "birth_date": "",
            "municipality": "", "home_region": "helse-nord", "stream": "application",
            "received_on": _day(10), "reference": "", "applicant": "Sykehuslege", "referring_doctor": "Lege Line Lie",
            "referring_hospital": "UNN Tromsø", "requested_treatment": "Fetoskopisk laserbehandling av TTTS",
            "requested_where": "Rigshospitalet", "treatment_class": "established", "icd10": "o43.0",
            "method_reference": ""}


def _referral_form() -> dict:
    return {"national_id": synthetic_national_id(date(1971, 5, 5)), "patient_name": "Hanne Hagen", "birth_date": "",
            "municipality": "", "home_region": "helse-midt-norge",
            "referring_trust": "Helse Møre og Romsdal HF", "referring_department": "Kreftavdelingen",
            "referring_doctor": "Lege Lise Lund", "referred_on": _day(2), "from_regional_hospital": "nei",
            "regional_review_by": "Kreftklinikken, St. Olavs hospital", "regional_review_on": _day(5),
            "icd10": "c56", "condition": "Residiverende eggstokkreft med spredning",
            "treatments_tried": "Tre linjer kjemoterapi uten varig effekt",
            "question": "Finnes det aktuelle kliniske studier eller off-label behandling?", "complete_on": ""}


def _created(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _ok(response) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]


def _version(app, case_id: int) -> int:
    with app.app_context():
        return db.session.get(Case, case_id).version


def _set_status(app, client, case_id: int, status: CaseStatus, comment: str = ""):
    return client.post(f"/saker/{case_id}/status", data={"status": status.value, "comment": comment,
                                                          "version": _version(app, case_id)})


def _changes(app, case_id: int) -> list[CaseStatusChange]:
    with app.app_context():
        changes = db.session.scalars(select(CaseStatusChange).where(CaseStatusChange.case_id == case_id)
                                     .order_by(CaseStatusChange.id)).all()
        db.session.expunge_all()
        return changes


def _case_audit(app, case_id: int, action: AuditAction) -> list[AuditEvent]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_type == "case", AuditEvent.object_id == str(case_id), AuditEvent.action == action)
            .order_by(AuditEvent.id)).all()
        db.session.expunge_all()
        return events


def test_the_case_record_tables_exist(app):
    """The list below is checked against the schema, so a renamed table cannot slip out of the walk's guard."""
    assert set(db.metadata.tables) >= CASE_RECORD_TABLES


def test_no_flow_deletes_a_case_record(app, login, make_user, statements):
    worker_id = make_user("abroad_caseworker", office="helse-sor-ost")
    secretary_id = make_user("panel_secretariat")
    member_id = make_user("panel_member")
    worker, secretary = login(worker_id), login(secretary_id)
    statements.clear()

    # Register (and so screen) an application and a referral; work on the application's case.
    case_id = _created(worker.post("/utland/soknader/ny", data=_application_form()))
    referral_id = _created(secretary.post("/ekspertpanelet/henvisninger/ny", data=_referral_form()))
    _ok(secretary.post(f"/saker/{referral_id}/tilgang", data={"user_id": member_id}))
    _ok(worker.post(f"/saker/{case_id}/journal/ny", content_type="multipart/form-data", data={
        "entry_type": "I", "title": "Søknad fra pasient", "party_name": "Nora Nordlys", "journal_date": _day(1),
        "document_date": _day(2), "file": (io.BytesIO(PDF), "søknad.pdf")}))
    with app.app_context():
        entry = db.session.scalars(select(JournalEntry).where(JournalEntry.case_id == case_id,
                                                              JournalEntry.title == "Søknad fra pasient")).one()
        document_id, entry_id, entry_version = entry.documents[0].id, entry.id, entry.version
    _ok(worker.post(f"/saker/{case_id}/dokumenter/{document_id}/ny-versjon", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(PDF + b"\n% v2\n"), "søknad-v2.pdf")}))
    _ok(worker.post(f"/saker/{case_id}/journal/{entry_id}/avskriv", data={"method": "TE", "version": entry_version}))
    _ok(worker.post(f"/saker/{case_id}/frister/ny", data={
        "kind": "svarfrist", "due_date": f"{TODAY + timedelta(days=30):%d.%m.%Y}", "responsible_id": worker_id,
        "description": "Svar fra OUS"}))
    with app.app_context():
        deadline = db.session.get(Case, case_id).deadlines[-1]
        deadline_id, deadline_version = deadline.id, deadline.version
    _ok(worker.post(f"/saker/{case_id}/frister/{deadline_id}/utfort", data={"version": deadline_version}))

    # Close once the office has finished the application (a withdrawal), reopen and discard (a refusal without a
    # reason first); discard a second case straight away.
    _ok(worker.post(f"/utland/soknader/{case_id}/vedtak", data={"decision": "withdrawn", "decided_on": _day(3)}))
    for status in (CaseStatus.CLOSED, CaseStatus.FINISHED_BY_CASEWORKER):
        _ok(_set_status(app, worker, case_id, status))
    assert _set_status(app, worker, case_id, CaseStatus.DISCARDED).status_code == 200
    _ok(_set_status(app, worker, case_id, CaseStatus.DISCARDED, "Søknaden er trukket"))
    second_id = _created(worker.post("/utland/soknader/ny", data={**_application_form(), "icd10": "c50"}))
    _ok(_set_status(app, worker, second_id, CaseStatus.DISCARDED, "Registrert to ganger"))
    for client, page in ((worker, f"/saker/{case_id}"), (worker, f"/utland/soknader/{case_id}"),
                         (secretary, f"/saker/{referral_id}"), (worker, "/saker?status=U")):
        assert client.get(page).status_code == 200

    removals = [(match.group(1), statement) for statement in statements if (match := REMOVAL.match(statement))]
    assert [removal for removal in removals if removal[0].lower() in CASE_RECORD_TABLES] == []
    written = {(match.group(1).split()[0].upper(), match.group(2)) for statement in statements
               if (match := WRITE.match(statement))}
    assert {("INSERT", "cases"), ("UPDATE", "cases"), ("INSERT", "case_status_changes"),
            ("INSERT", "case_document_versions"), ("UPDATE", "case_deadlines"),
            ("INSERT", "audit_events")} <= written    # the listener did see the walk
    with app.app_context():
        statuses = {case.id: case.status for case in db.session.scalars(select(Case))}
    assert statuses[case_id] is statuses[second_id] is CaseStatus.DISCARDED
    assert referral_id in statuses


def test_discarding_in_the_ui_is_a_soft_delete_with_a_reason_and_a_dated_audit_row(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)

    refused = _set_status(app, client, case_id, CaseStatus.DISCARDED, "   ")
    assert refused.status_code == 200 and 'id="comment-error"' in refused.get_data(as_text=True)
    assert "Oppgi begrunnelse" in refused.get_data(as_text=True)
    assert [change.to_status for change in _changes(app, case_id)] == [CaseStatus.CREATED]
    assert _case_audit(app, case_id, AuditAction.UPDATE) == []

    before = _now()
    _ok(_set_status(app, client, case_id, CaseStatus.DISCARDED, "Dobbeltregistrert"))
    after = _now()

    with app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None and case.status is CaseStatus.DISCARDED   # the row stays
        assert case.patient is not None and case.title == "Søknad om behandling i utlandet – Kari Nordmann"
    created, discarded = _changes(app, case_id)
    assert (created.to_status, discarded.from_status, discarded.to_status) == (
        CaseStatus.CREATED, CaseStatus.CREATED, CaseStatus.DISCARDED)
    assert (discarded.comment, discarded.by_id) == ("Dobbeltregistrert", user)
    assert before <= _utc(discarded.at) <= after
    [event] = _case_audit(app, case_id, AuditAction.UPDATE)
    assert event.changes == {"status": [CaseStatus.CREATED.value, CaseStatus.DISCARDED.value],
                             "comment": [None, "Dobbeltregistrert"]}
    assert event.user_id == user and event.patient_id is not None
    assert before <= _utc(event.at) <= after

    page = client.get(f"/saker/{case_id}").get_data(as_text=True)   # still there, with its history and reason
    assert "Utgår" in page and "Begrunnelse: Dobbeltregistrert" in page
    assert f"/saker/{case_id}" in client.get("/saker?status=U").get_data(as_text=True)
    # «Utgår» is final: no way back, and nothing more is registered on the case.
    assert _set_status(app, client, case_id, CaseStatus.IN_PROGRESS).status_code == 200
    journal = client.post(f"/saker/{case_id}/journal/ny", data={"entry_type": "X", "title": "Notat"})
    assert "kan ikke endres" in journal.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Case, case_id).status is CaseStatus.DISCARDED
        assert db.session.scalars(select(JournalEntry).where(JournalEntry.case_id == case_id)).all() == []


def test_closing_and_reopening_are_dated_and_audited(app, login, make_user, make_case):
    user = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(user)
    client = login(user)
    _ok(_set_status(app, client, case_id, CaseStatus.IN_PROGRESS))

    before = _now()
    _ok(_set_status(app, client, case_id, CaseStatus.CLOSED))
    after = _now()
    closed = _changes(app, case_id)[-1]
    assert (closed.from_status, closed.to_status, closed.by_id) == (CaseStatus.IN_PROGRESS, CaseStatus.CLOSED, user)
    assert before <= _utc(closed.at) <= after
    audit = _case_audit(app, case_id, AuditAction.UPDATE)[-1]
    assert audit.changes["status"] == [CaseStatus.IN_PROGRESS.value, CaseStatus.CLOSED.value]
    assert before <= _utc(audit.at) <= after
    refused = client.post(f"/saker/{case_id}/journal/ny", data={"entry_type": "X", "title": "Notat"})
    assert "kan ikke endres" in refused.get_data(as_text=True)

    _ok(_set_status(app, client, case_id, CaseStatus.IN_PROGRESS, "Ny opplysning fra pasienten"))
    assert [(change.from_status, change.to_status) for change in _changes(app, case_id)] == [
        (None, CaseStatus.CREATED), (CaseStatus.CREATED, CaseStatus.IN_PROGRESS),
        (CaseStatus.IN_PROGRESS, CaseStatus.CLOSED), (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS)]
    assert [event.changes["status"] for event in _case_audit(app, case_id, AuditAction.UPDATE)] == [
        ["R", "B"], ["B", "A"], ["A", "B"]]


def test_screening_at_registration_is_dated_and_audited(app, login, make_user):
    worker = login(make_user("abroad_caseworker", office="helse-sor-ost"))
    before = _now()
    case_id = _created(worker.post("/utland/soknader/ny", data=_application_form()))
    after = _now()

    with app.app_context():
        case = db.session.get(Case, case_id)
        assert (case.access_code, case.legal_basis) == (SCREENING_CODE, SCREENING_BASIS_PERSONAL)
        assert "Nora" not in case.public_title and SCREENED_WORD in case.public_title
        assert case.case_date == TODAY - timedelta(days=10)   # saksdato: the day the application came in
        assert before <= _utc(case.created_at) <= after
    [created] = _case_audit(app, case_id, AuditAction.CREATE)
    assert created.changes["access_code"] == [None, SCREENING_CODE]
    assert created.changes["legal_basis"] == [None, SCREENING_BASIS_PERSONAL]
    assert created.patient_id is not None and before <= _utc(created.at) <= after
