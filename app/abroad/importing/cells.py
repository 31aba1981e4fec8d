"""Checking one cell: required text, dates, codes, national IDs, ICD-10 codes and countries. Each check
records its error on the row («linje N, kolonne C: melding») and answers None."""
import re
from contextlib import suppress
from datetime import date
from functools import cache

from app.abroad.importing.results import RowError
from app.abroad.services import validate_country
from app.cases.interface import icd10_chapter, validate_icd10, validate_national_id
from app.errors import InvalidInput

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
DATE_FORMS = "ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ"


class Row:
    """One data row: cells by column name, and the errors found in it."""

    __slots__ = ("cells", "errors", "line")

    def __init__(self, line: int, cells: dict[str, str], errors: list[RowError]) -> None:
        self.line = line
        self.cells = cells
        self.errors = errors

    def error(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.line, column, message))

    def text(self, column: str) -> str:
        return self.cells.get(column, "")

    def required(self, column: str) -> str | None:
        value = self.cells.get(column, "")
        if not value:
            self.error(column, "Feltet må fylles ut.")
            return None
        return value

    def date(self, column: str, today: date, *, required: bool = True, personal: bool = False) -> date | None:
        """The cell as a date (ÅÅÅÅ-MM-DD or DD.MM.ÅÅÅÅ), not after `today`. The bad value is quoted, except a
        `personal` date (a birth date), which an import's result never repeats."""
        value = self.cells.get(column, "")
        if not value:
            if required:
                self.error(column, f"Fyll inn en dato ({DATE_FORMS}).")
            return None
        day = parse_date(value)
        if day is None:
            shown = "Datoen" if personal else f"«{value}»"
            self.error(column, f"{shown} er ikke en gyldig dato. Bruk {DATE_FORMS}, f.eks. 2024-03-15 eller "
                               "15.03.2024.")
        elif day > today:
            self.error(column, "Datoen er fram i tid." if personal else f"Datoen {day:%d.%m.%Y} er fram i tid.")
            return None
        return day

    def code(self, column: str, enum_class, *, required: bool = True):
        value = self.cells.get(column, "")
        if not value:
            if required:
                self.error(column, f"Feltet må fylles ut. Bruk {allowed(enum_class)}.")
            return None
        member = _members(enum_class).get(value.lower())
        if member is None:
            self.error(column, f"«{value}» er ikke en gyldig verdi. Bruk {allowed(enum_class, empty=not required)}.")
        return member

    def either(self, first: str, second: str) -> str:
        """The first of two columns that is filled in (where an error about both is reported)."""
        return first if self.text(first) else second


def parse_date(value: str) -> date | None:
    """A date written ÅÅÅÅ-MM-DD or DD.MM.ÅÅÅÅ (as the office's own pages take it), or None."""
    if match := ISO_DATE.match(value):
        year, month, day = match.groups()
    elif match := NORWEGIAN_DATE.match(value):
        day, month, year = match.groups()
    else:
        return None
    with suppress(ValueError):
        return date(int(year), int(month), int(day))
    return None


@cache
def _members(enum_class) -> dict:
    return {member.value: member for member in enum_class}


def allowed(values, empty: bool = False) -> str:
    """«a, b eller c»: the values a column takes (an enum's values, or the given strings)."""
    values = [getattr(value, "value", value) for value in values]
    text = ", ".join(values[:-1]) + f" eller {values[-1]}" if len(values) > 1 else values[0]
    return text + (", eller la feltet stå tomt" if empty else "")


def label(day: date) -> str:
    return f"{day:%d.%m.%Y}"


def _fodselsnummer_birth_date(value: str, today: date) -> date | None:
    """The birth date of an ordinary fødselsnummer with valid check digits (modulus 11, weights as in
    python-stdnum's calc_check_digit1/2), not after today; None for anything else."""
    d0, d1, d2, d3, d4, d5, d6, d7, d8, d9, d10 = (c - 48 for c in value.encode())
    if ((11 - (3 * d0 + 7 * d1 + 6 * d2 + d3 + 8 * d4 + 9 * d5 + 4 * d6 + 5 * d7 + 2 * d8)) % 11 != d9
            or (11 - (5 * d0 + 4 * d1 + 3 * d2 + 2 * d3 + 7 * d4 + 6 * d5 + 5 * d6 + 4 * d7 + 3 * d8
                      + 2 * d9)) % 11 != d10):
        return None
    day, month, year, individual = int(value[0:2]), int(value[2:4]), int(value[4:6]), int(value[6:9])
    if individual < 500:
        year += 1900
    elif individual < 750 and year >= 54:
        year += 1800
    elif year < 40:
        year += 2000
    elif individual >= 900:
        year += 1900
    if not (1 <= day <= 31 and 1 <= month <= 12 and year >= 1800):
        return None
    try:
        birth_date = date(year, month, day)
    except ValueError:
        return None
    return birth_date if birth_date <= today else None


def national_id(value: str, today: date) -> tuple[str, date]:
    """validate_national_id() (the number and its birth date, or InvalidInput), with a fast path.

    The core's check (python-stdnum) takes tens of microseconds, a good part of a 100,000-row import. An
    ordinary fødselsnummer (11 digits, valid check digits, a real birth date not after today) is accepted here
    by the same arithmetic; anything else (D- and H-numbers, spaces, every error) goes to the core for its
    verdict and its message. tests/abroad/test_import.py compares the two on many numbers."""
    if len(value) == 11 and value.isascii() and value.isdigit():
        birth_date = _fodselsnummer_birth_date(value, today)
        if birth_date is not None:
            return value, birth_date
    return validate_national_id(value)


@cache
def icd10(value: str) -> tuple[str, str] | str:
    """(code, chapter), or the error message."""
    try:
        code = validate_icd10(value)
    except InvalidInput as error:
        return str(error)
    return code, icd10_chapter(code)


@cache
def country(value: str) -> str | InvalidInput:
    try:
        return validate_country(value)
    except InvalidInput as error:
        return error
