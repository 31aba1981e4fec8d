"""Case lists: filters, sorting and paging, always limited to what the user may see."""
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from app.cases.access import visible_cases
from app.cases.models import Case, CaseKind, CaseStatus
from app.extensions import db
from app.pagination import Page, paginate

SORTS = {
    "nyeste": (Case.year.desc(), Case.sequence.desc()),
    "eldste": (Case.year, Case.sequence),
    "tittel": (Case.title, Case.id),
    "status": (Case.status, Case.year.desc(), Case.sequence.desc()),
}


@dataclass(frozen=True)
class CaseFilter:
    kinds: tuple[CaseKind, ...] = ()
    status: CaseStatus | None = None
    text: str = ""
    responsible_id: int | None = None
    include_discarded: bool = False
    sort: str = "nyeste"


def case_query(user, case_filter: CaseFilter) -> Select:
    """The cases the filter selects among those the user may see (unordered, unpaged)."""
    query = select(Case).where(visible_cases(user))
    if case_filter.kinds:
        query = query.where(Case.kind.in_(case_filter.kinds))
    if case_filter.status is not None:
        query = query.where(Case.status == case_filter.status)
    elif not case_filter.include_discarded:
        query = query.where(Case.status != CaseStatus.DISCARDED)
    if case_filter.responsible_id is not None:
        query = query.where(Case.responsible_id == case_filter.responsible_id)
    if case_filter.text:
        pattern = f"%{case_filter.text.strip()}%"
        query = query.where(or_(Case.number.ilike(pattern), Case.title.ilike(pattern)))
    return query


def list_cases(user, case_filter: CaseFilter, page: int = 1, per_page: int = 50) -> Page:
    return paginate(case_query(user, case_filter), *SORTS.get(case_filter.sort, SORTS["nyeste"]), page=page,
                    per_page=per_page)


def cases_by_id(case_ids: Iterable[int]) -> dict[int, Case]:
    """The cases of a module's list rows, with their patients, in one query: for showing, not for writing."""
    ids = list(case_ids)
    if not ids:
        return {}
    return {case.id: case for case in db.session.scalars(
        select(Case).where(Case.id.in_(ids)).options(selectinload(Case.person)))}
