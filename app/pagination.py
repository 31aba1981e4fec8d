"""One page of a list: the rows shown, how many there are in all, and the page number."""
from dataclasses import dataclass

from sqlalchemy import Select, func, select, tuple_

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


@dataclass(frozen=True)
class KeysetPage:
    """One page of a list paged by its sort key: as fast on page 1,000 as on page 1."""

    items: list
    total: int
    next_cursor: str | None      # pass as ?etter= for the next page
    previous_cursor: str | None  # pass as ?foer= for the previous page


def _encode(values) -> str:
    return "~".join(value.isoformat() if hasattr(value, "isoformat") else str(value) for value in values)


def _decode(cursor: str | None, columns) -> tuple | None:
    """The key values in a cursor, or None when it is missing or malformed (then the list starts over)."""
    parts = (cursor or "").split("~")
    if not cursor or len(parts) != len(columns):
        return None
    try:
        return tuple(column.type.python_type.fromisoformat(part) if hasattr(column.type.python_type, "fromisoformat")
                     else column.type.python_type(part) for column, part in zip(columns, parts))
    except (ValueError, NotImplementedError):
        return None


def keyset_paginate(query: Select, *key_columns, after: str | None, before: str | None, per_page: int,
                    key_of) -> KeysetPage:
    """Run `query` newest first by `key_columns` (descending, the last one unique), starting after or
    before a cursor. `key_of(item)` returns an item's key values in the same order."""
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    key = tuple_(*key_columns)
    after_key, before_key = _decode(after, key_columns), _decode(before, key_columns)
    if before_key is not None:
        rows = list(db.session.scalars(query.where(key > tuple_(*before_key))
                                       .order_by(*(column.asc() for column in key_columns)).limit(per_page + 1)))
        has_more_before, rows = len(rows) > per_page, rows[:per_page][::-1]
        has_more_after = True
    else:
        if after_key is not None:
            query = query.where(key < tuple_(*after_key))
        rows = list(db.session.scalars(query.order_by(*(column.desc() for column in key_columns))
                                       .limit(per_page + 1)))
        has_more_after, rows = len(rows) > per_page, rows[:per_page]
        has_more_before = after_key is not None
    return KeysetPage(items=rows, total=total,
                      next_cursor=_encode(key_of(rows[-1])) if rows and has_more_after else None,
                      previous_cursor=_encode(key_of(rows[0])) if rows and has_more_before else None)
