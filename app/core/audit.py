"""The audit log (Normen): its table and its writer, for who saw or changed what, when, for which patient.

It lives in the kernel because every part writes it: the case core, sign-in (app.auth) and the modules.

Reads and denials are committed at once, so they are logged even when the request fails
afterwards; changes are added to the caller's transaction and commit (or vanish) with it.
"""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Protocol

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, Integer, String, bindparam, event, func, or_, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import LabelledEnum, utcnow
from app.extensions import db


class AuditAction(LabelledEnum):
    VIEW = "view", "Visning"
    LIST = "list", "Liste"
    CREATE = "create", "Oppretting"
    UPDATE = "update", "Endring"
    EXPORT = "export", "Eksport"
    DOWNLOAD = "download", "Nedlasting"
    DENIED = "denied", "Avvist"
    LOGIN = "login", "Innlogging"
    LOGIN_FAILED = "login_failed", "Mislykket innlogging"
    LOGOUT = "logout", "Utlogging"
    LOOKUP = "lookup", "Oppslag"   # a patient looked up by national ID (or birth date and name)


class AuditEvent(db.Model):
    """Append-only access and change log (Normen fact sheet 15; Noark endringslogg fields in
    `changes`). The database refuses UPDATE and DELETE on this table (see the migration)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(index=True)
    user_email: Mapped[str | None] = mapped_column(String(254))
    role: Mapped[str | None] = mapped_column(String(32))
    office: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[AuditAction] = mapped_column(index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(index=True)
    patient_id: Mapped[int | None]
    changes: Mapped[dict | None] = mapped_column(JSON)
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    session_id: Mapped[int | None]


class AuditEventPatient(db.Model):
    """A patient a list event showed, and the case that showed them: the index that finds a list request in a
    patient's log. The event's own `changes["patients"]` holds the same pairs and is what the hash chain seals
    (app.cases.audit_chain checks that these rows agree with it). Like `audit_events`, the ids are plain facts
    without foreign keys to the case core: the kernel does not know its tables, and the log outlives them.
    Append-only like the log (see the migration)."""

    __tablename__ = "audit_event_patients"

    event_id: Mapped[int] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(primary_key=True, index=True)
    patient_id: Mapped[int] = mapped_column(index=True)


# The object type of a list event: one row per list request, its patients in audit_event_patients.
LIST_OBJECT = "list"


class AuditedCase(Protocol):
    """What the log reads of a case (app.cases' Case): the kernel cannot import the case core."""

    id: int
    patient_id: int | None


def actor_fields(user) -> dict:
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    fields = {"remote_addr": request.remote_addr if has_request_context() else None}
    if user is not None:
        session = getattr(user, "current_session", None)
        fields.update(user_id=user.id, user_email=user.email, role=user.role.value, office=user.office,
                      session_id=session.id if session is not None else None)
    return fields


def _event(action: AuditAction, object_type: str, object_id, *, case: AuditedCase | None, patient_id: int | None,
           changes: dict | None, user) -> AuditEvent:
    return AuditEvent(
        action=action, object_type=object_type, object_id=None if object_id is None else str(object_id),
        case_id=case.id if case is not None else None,
        patient_id=patient_id if patient_id is not None else (case.patient_id if case is not None else None),
        changes=changes, **actor_fields(user))


def record_access(action: AuditAction, object_type: str, object_id=None, *, case: AuditedCase | None = None,
                  patient_id: int | None = None, details: dict | None = None, user=None) -> None:
    """Log a read, export, download, denial or failed login and commit it immediately. Refuses to run
    with unsaved changes in the session: committing them here could save half of someone's work."""
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("record_access() called with pending changes; use record_change() inside a unit of work")
    db.session.add(_event(action, object_type, object_id, case=case, patient_id=patient_id,
                          changes=details, user=user))
    db.session.commit()


# Core inserts on the tables, built once: the rows are plain values, and building the statements (or the ORM's
# bulk path) would cost more than sending them, on every list request.
_LIST_EVENT = AuditEvent.__table__.insert().returning(AuditEvent.__table__.c.id)
_LIST_PATIENTS = AuditEventPatient.__table__.insert()
# On PostgreSQL the page's pairs go as two arrays in one statement: an executemany of 50 rows is 50 statements
# in the driver's pipeline (≈ 1.7 ms against ≈ 0.5 ms at 1M), a cost every list request pays.
_SHOWN = (func.unnest(bindparam("case_ids", type_=postgresql.ARRAY(Integer)),
                      bindparam("patient_ids", type_=postgresql.ARRAY(Integer)))
          .table_valued("case_id", "patient_id").render_derived("shown"))
_LIST_PATIENTS_AT_ONCE = AuditEventPatient.__table__.insert().from_select(
    ["event_id", "case_id", "patient_id"],
    select(bindparam("event_id", type_=Integer), _SHOWN.c.case_id, _SHOWN.c.patient_id))


def record_list(cases: Iterable[AuditedCase], *, context: str) -> None:
    """Log that a list request showed these cases: one `list` event, and its patients in
    audit_event_patients (one executemany), committed at once. A list that showed no patient is not logged.

    The event's `changes` names the patients itself, as sorted [patient_id, case_id] pairs, so that sealing the
    event (app.cases.audit_chain) protects which patients were shown; the child rows are the index that finds
    the event per patient, and verification checks that they agree with the sealed pairs."""
    cases = list(cases)
    shown = sorted({(case.patient_id, case.id) for case in cases if case.patient_id is not None})
    if not shown:
        return
    event_id = db.session.execute(_LIST_EVENT, {
        "at": utcnow(), "action": AuditAction.LIST, "object_type": LIST_OBJECT,
        "changes": {"context": context, "rows": len(cases), "patients": [list(pair) for pair in shown]},
        **actor_fields(None)}).scalar_one()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_LIST_PATIENTS_AT_ONCE, {"event_id": event_id, "case_ids": [case for _, case in shown],
                                                    "patient_ids": [patient for patient, _ in shown]})
    else:   # SQLite runs an executemany in-process, as fast as one statement
        db.session.execute(_LIST_PATIENTS, [
            {"event_id": event_id, "patient_id": patient_id, "case_id": case_id} for patient_id, case_id in shown])
    db.session.commit()


def named_patients(event: AuditEvent) -> list[tuple[int, int]]:
    """The (patient_id, case_id) pairs a list event's sealed content names; none for any other event."""
    if event.object_type != LIST_OBJECT or not event.changes:
        return []
    return [(patient_id, case_id) for patient_id, case_id in event.changes.get("patients", ())]


def concerning(*, patient_id: int | None = None, case_id: int | None = None) -> ColumnElement[bool]:
    """The events about this patient (or case): their own row names it (a view, a change, a list row of the
    old shape, one per case), or a list event showed it (audit_event_patients)."""
    column, listed = ((AuditEvent.patient_id, AuditEventPatient.patient_id) if patient_id is not None
                      else (AuditEvent.case_id, AuditEventPatient.case_id))
    value = patient_id if patient_id is not None else case_id
    return or_(column == value, AuditEvent.id.in_(select(AuditEventPatient.event_id).where(listed == value)))


def listed_in(event_ids: Iterable[int], *, patient_id: int | None = None,
              case_id: int | None = None) -> dict[int, list[tuple[int, int]]]:
    """The (patient_id, case_id) pairs in audit_event_patients of these events, sorted, by event id; only
    this patient's (or case's) when one is given."""
    event_ids = list(event_ids)
    if not event_ids:
        return {}
    query = select(AuditEventPatient.event_id, AuditEventPatient.patient_id, AuditEventPatient.case_id).where(
        AuditEventPatient.event_id.in_(event_ids))
    if patient_id is not None:
        query = query.where(AuditEventPatient.patient_id == patient_id)
    if case_id is not None:
        query = query.where(AuditEventPatient.case_id == case_id)
    pairs: dict[int, list[tuple[int, int]]] = {}
    for row in db.session.execute(query.order_by(AuditEventPatient.patient_id, AuditEventPatient.case_id)):
        pairs.setdefault(row.event_id, []).append((row.patient_id, row.case_id))
    return pairs


# A list event on a log page shows this many of the cases it named, and links to its own page for the rest.
LISTED_SHOWN = 3


@dataclass(frozen=True)
class ListedSummary:
    """The first LISTED_SHOWN (patient_id, case_id) pairs a list event named, and how many more cases and
    patients it named besides them."""

    pairs: list[tuple[int, int]]
    more_cases: int
    more_patients: int


def listed_first(event_ids: Iterable[int], *, patient_id: int | None = None,
                 case_id: int | None = None) -> dict[int, ListedSummary]:
    """What a log page shows of each list event's patients, by event id: a page of 100 list events that named
    50 patients each would otherwise draw 10,000 links. One statement, returning at most LISTED_SHOWN rows an
    event; only this patient's (or case's) pairs when one is given, as in `listed_in`."""
    event_ids = list(event_ids)
    if not event_ids:
        return {}
    pair_order = (AuditEventPatient.patient_id, AuditEventPatient.case_id)
    numbered = select(
        AuditEventPatient.event_id, AuditEventPatient.patient_id, AuditEventPatient.case_id,
        func.row_number().over(partition_by=AuditEventPatient.event_id, order_by=pair_order).label("place"),
        func.dense_rank().over(partition_by=AuditEventPatient.event_id,
                               order_by=AuditEventPatient.patient_id).label("patient_place"),
    ).where(AuditEventPatient.event_id.in_(event_ids))
    if patient_id is not None:
        numbered = numbered.where(AuditEventPatient.patient_id == patient_id)
    if case_id is not None:
        numbered = numbered.where(AuditEventPatient.case_id == case_id)
    numbered = numbered.subquery()
    counted = select(
        numbered, func.count().over(partition_by=numbered.c.event_id).label("cases"),
        func.max(numbered.c.patient_place).over(partition_by=numbered.c.event_id).label("patients"),
    ).subquery()
    rows = db.session.execute(select(counted).where(counted.c.place <= LISTED_SHOWN)
                              .order_by(counted.c.event_id, counted.c.place)).all()
    by_event: dict[int, list] = {}
    for row in rows:
        by_event.setdefault(row.event_id, []).append(row)
    return {event_id: ListedSummary(pairs=[(row.patient_id, row.case_id) for row in shown],
                                    more_cases=shown[0].cases - len(shown),
                                    more_patients=shown[0].patients - len({row.patient_id for row in shown}))
            for event_id, shown in by_event.items()}


def record_lookups(details_by_patient: dict[int, dict], *, user=None) -> None:
    """Log that these patients were looked up (by national ID, or birth date and name), one `lookup` row each.

    A look-up is a read: it is committed at once, so it stays logged when the registration it serves is then
    refused. A look-up made inside a unit of work that already holds unsaved changes (several registrations
    in one transaction, the demo data) joins that unit of work instead, and commits or vanishes with it."""
    if not details_by_patient:
        return
    actor = actor_fields(user)
    rows = [dict(action=AuditAction.LOOKUP, object_type="patient", object_id=str(patient_id), case_id=None,
                 patient_id=patient_id, changes=details, **actor)
            for patient_id, details in details_by_patient.items()]
    in_unit_of_work = bool(db.session.new or db.session.dirty or db.session.deleted
                           or db.session.info.get(_WROTE))
    db.session.execute(db.insert(AuditEvent), rows)
    if not in_unit_of_work:
        db.session.commit()


# Whether the session's transaction has written anything yet (a flush, or an INSERT, UPDATE or DELETE sent
# through it): record_lookups() commits at once only when it would commit nothing but its own rows.
_WROTE = "helsesak_wrote"


def note_raw_write() -> None:
    """Tell record_lookups() that the transaction has written, when a caller wrote on the driver's cursor
    (the bulk writer), past the ORM events that would have said so."""
    db.session.info[_WROTE] = True


@event.listens_for(Session, "after_flush")
def _wrote_by_flush(session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _wrote_by_statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def record_change(action: AuditAction, object_type: str, object_id=None, *, case: AuditedCase | None = None,
                  patient_id: int | None = None, changes: dict | None = None, user=None) -> None:
    """Log a creation or update inside the caller's transaction; `changes` maps field to [old, new]."""
    db.session.add(_event(action, object_type, object_id, case=case, patient_id=patient_id,
                          changes=_jsonable(changes) if changes else None, user=user))


def logged_change(object_type: str, object_id, *, since: datetime) -> dict | None:
    """The changes of the newest row logged for this object at or after `since` (the `at` index bounds the
    search), or None. A background job finds its receipt with it: what an earlier run of the same job had
    committed before its worker died (app.background)."""
    return db.session.scalar(select(AuditEvent.changes).where(
        AuditEvent.at >= since, AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
        .order_by(AuditEvent.id.desc()).limit(1))


def apply_changes(obj, values: dict) -> dict:
    """Set attributes on `obj` and return {field: [old, new]} for those that changed."""
    changes = {}
    for field, new in values.items():
        old = getattr(obj, field)
        if old != new:
            changes[field] = [old, new]
            setattr(obj, field, new)
    return changes


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
