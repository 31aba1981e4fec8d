"""One page of a list: the rows shown, how many there are in all, and the page number."""
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from app.extensions import db


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate(query: Select, *order_by, page: int, per_page: int) -> Page:
    """Run `query` for one page (1-based) in the given order, with the total row count."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(1, page)
    items = db.session.scalars(query.order_by(*order_by).limit(per_page).offset((page - 1) * per_page))
    return Page(items=list(items), total=total, page=page, per_page=per_page)
