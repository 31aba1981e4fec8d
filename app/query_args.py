"""Whole numbers from a URL's query string (an id), checked before they reach the database (ASVS 2.2.1: a number
outside what the column holds is a 400 in bokmål, never an overflow in the driver). The lists read theirs
through the list engine (app.listing), which shows a message instead."""
import re

from flask import request

from app.db import MAX_INTEGER
from app.errors import InvalidQuery

_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,40}")


def whole_number(value: str | None, *, minimum: int, maximum: int, what: str) -> int | None:
    """`value` as a whole number from `minimum` to `maximum`. No value, or one that is no whole number in
    plain digits («abc», «1e9», a NUL byte), is None: the argument is ignored, as an unknown filter value is.
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
