"""One page of a list: the rows shown, how many there are in all, and the page number; and the whole numbers
a list's URL carries (page, ids), checked before they reach the database (ASVS 2.2.1: a number outside
what the column holds is a 400 in bokmål, never an overflow in the driver)."""
import re
from dataclasses import dataclass

from flask import request
from sqlalchemy import Integer, Select, func, select, tuple_

from app.db import MAX_INTEGER
from app.errors import InvalidQuery
from app.extensions import db

MAX_PAGE = 100_000
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,40}")
BAD_CURSOR = ("Lenken til neste eller forrige side er ugyldig eller utløpt. Gå til første side av listen og bla "
              "derfra.")


def whole_number(value: str | None, *, minimum: int, maximum: int, what: str) -> int | None:
    """`value` as a whole number from `minimum` to `maximum`. No value, or one that is no whole number in
    plain digits («abc», «1e9», a NUL byte), is None: the filter is ignored, as an unknown filter value is.
    A whole number outside the range is refused (InvalidQuery, 400)."""
    text = (value or "").strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    if not minimum <= number <= maximum:
        raise InvalidQuery(f"{what} må være et helt tall fra {minimum} til {maximum}.")
    return number


def int_arg(name: str, *, what: str, minimum: int = 1, maximum: int = MAX_INTEGER, default: int | None = None
            ) -> int | None:
    """A whole number from the query string (an id by default), checked as whole_number() does."""
    number = whole_number(request.args.get(name), minimum=minimum, maximum=maximum, what=what)
    return default if number is None else number


def page_arg(name: str = "page") -> int:
    """The page number of a paged list: 1 when missing or no number, 400 above MAX_PAGE or below 1."""
    return int_arg(name, what="Sidetallet", maximum=MAX_PAGE, default=1)


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
    """Run `query` for one page (1-based, at most MAX_PAGE) in the given order, with the total row count."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidQuery(f"Sidetallet må være et helt tall fra 1 til {MAX_PAGE}.")
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
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


def _key_value(column, part: str):
    if isinstance(column.type, Integer):
        if not _WHOLE_NUMBER.fullmatch(part):
            raise ValueError(part)
        if not -MAX_INTEGER - 1 <= int(part) <= MAX_INTEGER:
            raise InvalidQuery(BAD_CURSOR)
        return int(part)
    python_type = column.type.python_type
    return python_type.fromisoformat(part) if hasattr(python_type, "fromisoformat") else python_type(part)


def _decode(cursor: str | None, columns) -> tuple | None:
    """The key values in a cursor, or None when it is missing or malformed (then the list starts over, as an
    unknown filter value is ignored). A well-formed cursor whose id no integer column holds is refused (400)."""
    parts = (cursor or "").split("~")
    if not cursor or len(parts) != len(columns):
        return None
    try:
        return tuple(_key_value(column, part) for column, part in zip(columns, parts, strict=True))
    except (ValueError, NotImplementedError):
        return None


def keyset_paginate(query: Select, *key_columns, after: str | None, before: str | None, per_page: int,
                    key_of) -> KeysetPage:
    """Run `query` newest first by `key_columns` (descending, the last one unique), starting after or
    before a cursor. `key_of(item)` returns an item's key values in the same order."""
    after_key, before_key = _decode(after, key_columns), _decode(before, key_columns)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    key = tuple_(*key_columns)
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
