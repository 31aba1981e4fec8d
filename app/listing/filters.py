"""The filters a list declares: each kept in the URL under its key, parsed from the query string, and applied to
the list's query. A value a filter cannot use raises _Ignored with the bokmål message the page shows."""
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select

from app.db import MAX_INTEGER

SEARCH_MAX_LENGTH = 100
_TRUE = {"1", "y", "ja", "on", "true"}


class _Ignored(Exception):
    """A query-string value the list cannot use: its message is shown and the list runs without it (or with
    `kept`, the part of it that can be used)."""

    def __init__(self, message: str, kept=None):
        super().__init__(message)
        self.kept = kept


@dataclass(frozen=True)
class Filter:
    """One filter of a list, kept in the URL under `key`. `apply(query, value)` narrows the query; `roles`,
    when given, are the roles that may use it; `otherwise(query)`, when given, narrows the query while the
    filter is not used (e.g. the case list hides discarded cases until their status is chosen)."""

    key: str
    label: str
    apply: Callable[[Select, Any], Select]
    roles: frozenset | None = None
    otherwise: Callable[[Select], Select] | None = None
    widget = "select"
    multiple = False   # several values under the key (parse() gets the list)

    def parse(self, raw: str) -> Any:
        return raw

    def options(self) -> Sequence[tuple[str, str]]:
        return ()


@dataclass(frozen=True)
class Choice(Filter):
    """A filter with a fixed set of values, shown as a select with `all_label` («Alle») first."""

    values: Callable[[], Sequence[tuple[str, str]]] = tuple
    all_label: str = "Alle"

    def parse(self, raw: str) -> str:
        if raw not in {value for value, _label in self.values()}:
            raise _Ignored(f"«{raw[:40]}» er ikke en gyldig verdi for {self.label.lower()}. Listen vises uten "
                           "dette filteret.")
        return raw

    def options(self) -> Sequence[tuple[str, str]]:
        return [("", self.all_label), *self.values()]


@dataclass(frozen=True)
class AnyOf(Choice):
    """Several of a fixed set of values (the key repeated in the URL), shown as checkboxes; `apply(query,
    values)` gets the tuple of the valid ones. An unknown value is left out with a message."""

    widget = "checkboxes"
    multiple = True

    def parse(self, raw: list[str]) -> tuple[str, ...]:
        known = {value for value, _label in self.values()}
        unknown = [value for value in raw if value not in known]
        if unknown:
            raise _Ignored(f"«{unknown[0][:40]}» er ikke en gyldig verdi for {self.label.lower()}. Listen vises "
                           "uten denne verdien.", tuple(value for value in raw if value in known))
        return tuple(raw)


@dataclass(frozen=True)
class Flag(Filter):
    """A yes/no filter, shown as a checkbox; `apply(query, True)` narrows."""

    widget = "checkbox"

    def parse(self, raw: str) -> bool:
        if raw.lower() not in _TRUE:
            raise _Ignored(f"«{raw[:40]}» er ikke en gyldig verdi for «{self.label}». Listen vises uten dette "
                           "filteret.")
        return True


@dataclass(frozen=True)
class Search(Filter):
    """Free text, shown as a search field; `hint` says what it searches."""

    hint: str = ""
    widget = "search"

    def parse(self, raw: str) -> str:
        text = raw.strip()
        if len(text) > SEARCH_MAX_LENGTH:
            raise _Ignored(f"Søket kan være høyst {SEARCH_MAX_LENGTH} tegn. Listen vises uten søket.")
        return text


@dataclass(frozen=True)
class Code(Search):
    """A code typed in (an ATC code), spaces dropped and in capitals, that must match `pattern` whole;
    `example` shows a valid one in the message."""

    pattern: re.Pattern | None = None
    example: str = ""
    widget = "text"

    def parse(self, raw: str) -> str:
        code = raw.replace(" ", "").upper()
        if not (self.pattern and self.pattern.fullmatch(code)):
            raise _Ignored(f"«{raw[:40]}» er ikke en gyldig {self.label}. Skriv for eksempel {self.example}. "
                           "Listen vises uten dette filteret.")
        return code


@dataclass(frozen=True)
class Number(Search):
    """A whole number typed in (an id), from 1 to the largest value an integer column holds."""

    widget = "number"

    def parse(self, raw: str) -> int:
        text = raw.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 10 and 1 <= int(text) <= MAX_INTEGER):
            raise _Ignored(f"{self.label} må være et helt tall fra 1 til {MAX_INTEGER}. Listen vises uten dette "
                           "filteret.")
        return int(text)


@dataclass(frozen=True)
class Day(Search):
    """A day typed as dd.mm.åååå."""

    widget = "text"
    hint: str = "dd.mm.åååå"

    def parse(self, raw: str) -> date:
        try:
            return datetime.strptime(raw.strip(), "%d.%m.%Y").date()
        except ValueError:
            raise _Ignored(f"«{raw[:40]}» er ingen dato. Skriv datoen som dd.mm.åååå. Listen vises uten "
                           f"filteret «{self.label}».") from None


def enum_choice(key: str, label: str, column, enum, *, roles=None) -> Choice:
    """A Choice over a LabelledEnum's members, narrowing `column` to the chosen member."""
    return Choice(key, label, lambda query, value: query.where(column == enum(value)), roles=roles,
                  values=lambda: [(member.value, member.label) for member in enum])


def year_choice(key: str, label: str, column, years: Callable[[], Iterable[int]]) -> Choice:
    """A Choice of calendar years, narrowing the date `column` to that year (a range, so an index serves it)."""
    def apply(query: Select, value: str) -> Select:
        year = int(value)
        return query.where(column >= date(year, 1, 1), column < date(year + 1, 1, 1))
    return Choice(key, label, apply, values=lambda: [(str(year), str(year)) for year in years()])
