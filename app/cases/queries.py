"""Read helpers of the case core that are not a list page (the lists are in lists.py)."""
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.cases.access import visible_cases
from app.cases.models import Case, CaseStatus
from app.extensions import db


def my_cases(user, limit: int) -> list[Case]:
    """The dashboard's box: the newest cases `user` is responsible for (not discarded), at most `limit`."""
    return list(db.session.scalars(
        select(Case).where(visible_cases(user), Case.responsible_id == user.id, Case.status != CaseStatus.DISCARDED)
        .order_by(Case.year.desc(), Case.sequence.desc(), Case.id.desc()).limit(limit)))


def cases_by_id(case_ids: Iterable[int]) -> dict[int, Case]:
    """The cases of a module's list rows, with their patients, in one query: for showing, not for writing."""
    ids = list(case_ids)
    if not ids:
        return {}
    return {case.id: case for case in db.session.scalars(
        select(Case).where(Case.id.in_(ids)).options(selectinload(Case.person)))}
