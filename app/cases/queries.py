"""Read helpers of the case core that are not a list page (the lists are in lists.py)."""
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.cases.access import OWN_OFFICE, POLICY, caseworkers, visible_cases
from app.cases.models import Case, CaseKind, CaseStatus, Deadline
from app.core.regions import METHODS_UNIT, PANEL_UNIT, PRIVACY_UNIT
from app.extensions import db


def my_cases(user, limit: int) -> tuple[list[Case], bool]:
    """The dashboard's box: the newest cases `user` is responsible for (not discarded), at most `limit`, and
    whether there are more. Only the cases shown are loaded (a patient read is logged, so none is read unseen)."""
    ids = list(db.session.scalars(
        select(Case.id).where(visible_cases(user), Case.responsible_id == user.id,
                              Case.status != CaseStatus.DISCARDED)
        .order_by(Case.year.desc(), Case.sequence.desc(), Case.id.desc()).limit(limit + 1)))
    shown = ids[:limit]
    cases = {case.id: case for case in db.session.scalars(select(Case).where(Case.id.in_(shown)))} if shown else {}
    return [cases[case_id] for case_id in shown], len(ids) > limit


def cases_by_id(case_ids: Iterable[int]) -> dict[int, Case]:
    """The cases of a module's list rows, with their patients, in one query: for showing, not for writing."""
    ids = list(case_ids)
    if not ids:
        return {}
    return {case.id: case for case in db.session.scalars(
        select(Case).where(Case.id.in_(ids)).options(selectinload(Case.person)))}


FINISHED = (CaseStatus.CLOSED, CaseStatus.DISCARDED)
# The unit a kind's cases are at when it is not the office of the patient's region.
KIND_UNITS = {CaseKind.METHOD: METHODS_UNIT, CaseKind.PANEL_REFERRAL: PANEL_UNIT,
              CaseKind.ACCESS_LOG_REQUEST: PRIVACY_UNIT}


@dataclass(frozen=True)
class Workload:
    """One caseworker's load at a unit: open cases they are responsible for, and their overdue deadlines."""

    user_id: int
    name: str
    open_cases: int
    overdue_deadlines: int


def workload(kinds: Iterable[CaseKind], unit: str, today: date) -> list[Workload]:
    """Per caseworker of `unit` (who may change cases of the first kind there), by name: their open cases of
    `kinds` at the unit, and their open deadlines past due on those cases. Two grouped counts."""
    kinds = list(kinds)
    people = caseworkers(kinds[0], unit)
    ids = [user.id for user in people]
    at_unit = (Case.unit == unit, Case.kind.in_(kinds), Case.status.not_in(FINISHED))
    cases = dict(db.session.execute(select(Case.responsible_id, func.count()).where(
        Case.responsible_id.in_(ids), *at_unit).group_by(Case.responsible_id)).all()) if ids else {}
    overdue = dict(db.session.execute(select(Deadline.responsible_id, func.count()).join(
        Case, Case.id == Deadline.case_id).where(
        Deadline.responsible_id.in_(ids), Deadline.done_at.is_(None), Deadline.due_date < today, *at_unit)
        .group_by(Deadline.responsible_id)).all()) if ids else {}
    return [Workload(user.id, user.name, cases.get(user.id, 0), overdue.get(user.id, 0)) for user in people]


def work_units(user) -> list[tuple[tuple[CaseKind, ...], str]]:
    """The units whose cases `user` works on (may change), each with the kinds of case there: a kind granted by
    office at the user's office, another at its own unit."""
    by_unit: dict[str, list[CaseKind]] = {}
    for kind, reach in POLICY[user.role].edit.items():
        unit = user.office if reach == OWN_OFFICE else KIND_UNITS.get(kind)
        if unit:
            by_unit.setdefault(unit, []).append(kind)
    return [(tuple(kinds), unit) for unit, kinds in by_unit.items()]


def queue_caseworkers(user) -> list:
    """Who the cases of `user`'s work queue may be assigned to: the caseworkers of their units, by name."""
    people = {person.id: person for kinds, unit in work_units(user) for person in caseworkers(kinds[0], unit)}
    return sorted(people.values(), key=lambda person: (person.name, person.id))


def queue_workload(user, today: date) -> list[Workload]:
    """The workload per caseworker of `user`'s units (app.cases.lists.CASE_QUEUE's page)."""
    return [load for kinds, unit in work_units(user) for load in workload(kinds, unit, today)]
