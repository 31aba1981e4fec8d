"""Deadlines on cases, on Norwegian working days, and the lists the dashboard shows."""
from datetime import date

from flask import url_for
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from app.cases.access import editable_cases, visible_cases
from app.cases.models import Case, CaseKind, Deadline
from app.cases.services import actor_id, ensure_open, ensure_version
from app.cases.workdays import holiday_name, next_working_day
from app.core import audit
from app.core.audit import AuditAction
from app.db import utcnow
from app.errors import InvalidInput
from app.extensions import db
from app.modules import DashboardRow

DEADLINE_KINDS = {
    "svarfrist": "Svarfrist",
    "saksbehandlingsfrist": "Saksbehandlingsfrist",
    "uttalelse": "Frist for uttalelse",
    "klagefrist": "Klagefrist",
    "oppfolging": "Oppfølging",
}


def set_deadline(case: Case, *, kind: str, due_date: date, responsible_id: int | None, description: str | None,
                 actor, today: date | None = None) -> Deadline:
    """Add a deadline; one that falls on a weekend or public holiday moves to the next working day."""
    ensure_open(case)
    if kind not in DEADLINE_KINDS:
        raise InvalidInput("Velg en gyldig fristtype.", field="kind")
    if due_date < (today or date.today()):
        raise InvalidInput("Fristen kan ikke være tilbake i tid.", field="due_date")
    deadline = Deadline(case=case, case_id=case.id, kind=kind, due_date=next_working_day(due_date),
                        responsible_id=responsible_id or actor_id(actor),
                        description=(description or "").strip() or None, created_by_id=actor_id(actor))
    db.session.add(deadline)
    db.session.flush()
    audit.record_change(AuditAction.CREATE, "deadline", deadline.id, case=case, user=actor,
                        changes={"kind": [None, kind], "due_date": [None, deadline.due_date]})
    return deadline


def describe_due_date(asked: date, due: date) -> str:
    """The confirmation shown after a deadline is set, saying why a date was moved."""
    if asked == due:
        return f"Fristen er lagt til med forfall {due:%d.%m.%Y}."
    reason = holiday_name(asked) or ("lørdag" if asked.weekday() == 5 else "søndag")
    return f"Fristen er lagt til. {asked:%d.%m.%Y} er {reason}, så fristen er flyttet til {due:%d.%m.%Y}."


def complete_deadline(deadline: Deadline, *, expected_version: int, actor) -> None:
    ensure_open(deadline.case)
    ensure_version(deadline, expected_version)
    if deadline.done_at is not None:
        raise InvalidInput("Fristen er allerede markert som utført.")
    deadline.done_at = utcnow()
    deadline.done_by_id = actor.id
    db.session.flush()
    audit.record_change(AuditAction.UPDATE, "deadline", deadline.id, case=deadline.case, user=actor,
                        changes={"done_at": [None, deadline.done_at]})


def close_deadline(deadline_id: int, *, actor) -> None:
    """Mark a module's deadline done when the thing it tracks is finished (no-op when already done)."""
    deadline = db.session.get(Deadline, deadline_id)
    if deadline is not None and deadline.done_at is None:
        complete_deadline(deadline, expected_version=deadline.version, actor=actor)


def open_deadlines(user, *, responsible_only: bool, overdue_on: date | None = None,
                   kinds: tuple[CaseKind, ...] = (), limit: int = 50, own_work: bool = False) -> list[Deadline]:
    """Open deadlines on cases `user` may see, earliest first; only overdue ones when `overdue_on` is given,
    only on cases of `kinds` when given, only on the cases `user` may change when `own_work` (the user's role's
    own deadlines: a method's follow-up is the methods secretariat's, not every role's that may read it)."""
    query = (select(Deadline).join(Deadline.case)
             .where(Deadline.done_at.is_(None), editable_cases(user) if own_work else visible_cases(user))
             .options(selectinload(Deadline.case), selectinload(Deadline.responsible))
             .order_by(Deadline.due_date, Deadline.id).limit(limit))
    if responsible_only:
        query = query.where(Deadline.responsible_id == user.id)
    if overdue_on is not None:
        query = query.where(Deadline.due_date < overdue_on)
    if kinds:
        query = query.where(Case.kind.in_(kinds))
    return list(db.session.scalars(query))


def deadline_rows(deadlines: list[Deadline]) -> list[DashboardRow]:
    """Deadlines as dashboard rows, the case named by its public title (names masked)."""
    return [DashboardRow(case_id=deadline.case_id, patient_id=deadline.case.patient_id,
                         case_number=deadline.case.number, title=deadline.case.public_title,
                         what=DEADLINE_KINDS.get(deadline.kind, deadline.kind)
                         + (f": {deadline.description}" if deadline.description else ""),
                         url=url_for("cases.detail", case_id=deadline.case_id), due_on=deadline.due_date,
                         responsible=deadline.responsible.name if deadline.responsible else None)
            for deadline in deadlines]


def has_overdue_deadline(case_id, today: date):
    """A clause for a module's list: the case whose id is in `case_id` (a column) has an open deadline due
    before `today`."""
    return exists(select(Deadline.id).where(
        Deadline.case_id == case_id, Deadline.done_at.is_(None), Deadline.due_date < today))
