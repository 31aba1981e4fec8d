"""One page of a list: the rows shown, how many there are in all, and the page number; and the whole numbers
a list's URL carries (page, ids), checked before they reach the database (ASVS 2.2.1: a number outside
what the column holds is a 400 in bokmål, never an overflow in the driver)."""
import re
from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, select

from app.db import MAX_INTEGER
from app.errors import InvalidQuery
from app.extensions import db

MAX_PAGE = 100_000
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,40}")


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
