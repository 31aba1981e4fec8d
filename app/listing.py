"""The list engine: a list is declared once (a ListSpec) and that declaration drives its HTML page, its CSV and
XLSX export and its API list.

A declaration names the rows the user may see (its query, with the access rule on the module's own table so
the count and the page can use the module's own indexes), its filters with their labels and allowed values,
its columns (header, value for the files and the JSON, and the SQL expression a sortable column orders by)
and its default order. Running it costs a constant number of statements: one count, capped at TOTAL_CAP so
it stops early on a long list, one page query in keyset order (as fast on the thousandth page as on the
first), and the list's audit row.

Bad input never fails the page: an unknown filter value, a filter the user's role may not use, a search that
is too long, an unknown sort or a malformed or stale cursor each give a bokmål message, and the list is shown
without it."""
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import Date, DateTime, Integer, Select, func, select, tuple_
from sqlalchemy import column as sa_column
from sqlalchemy import literal_column as sa_literal_column
from sqlalchemy import table as sa_table

from app.core.audit import AuditAction, record_access, record_list
from app.db import MAX_INTEGER
from app.exports import ROW_LIMIT, table_file
from app.extensions import db

PER_PAGE = 50
# Beyond this many rows a list says «over 1 000» instead of counting every row.
TOTAL_CAP = 1_000
SEARCH_MAX_LENGTH = 100
_TRUE = {"1", "y", "ja", "on", "true"}
_PAGING = {"etter", "foer", "page"}


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
class SearchIndex:
    """A trigram index over the search text of a table's rows, kept current by the database's own triggers
    (made by the migration that made the index), so every path that writes the rows keeps it: on PostgreSQL a
    table (record_id, search_text) with a pg_trgm GIN index, on SQLite an FTS5 table with the trigram
    tokenizer whose rowid is the row's id. `ids(text)` selects the ids of the rows whose text holds every
    word of `text`, in any case."""

    table: str

    def ids(self, text: str) -> Select:
        words = text.split()
        if db.session.get_bind().dialect.name == "sqlite":
            fts = sa_table(self.table, sa_column("rowid"), sa_column("search_text"))
            long_words = [word for word in words if len(word) >= 3]
            query = select(fts.c.rowid)
            if long_words:  # the trigram index serves a word of three characters or more
                phrase = " AND ".join('"' + word.replace('"', '""') + '"' for word in long_words)
                query = query.where(sa_literal_column(self.table).op("MATCH")(phrase))
            return query.where(*(_contains(fts.c.search_text, word) for word in words if len(word) < 3))
        index = sa_table(self.table, sa_column("record_id"), sa_column("search_text"))
        return select(index.c.record_id).where(*(_contains(index.c.search_text, word) for word in words))


def _contains(column, word: str):
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


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


@dataclass(frozen=True)
class Column:
    """One column: its header, its value for the files (`value(item)`; None: not in the files), whether the
    page shows it, and, when sortable, the SQL expression it orders by (not null: keyset paging compares it), or
    a tuple of them, most significant first, for an order by several keys (e.g. a case number's year and
    sequence, or open cases first, then by deadline)."""

    key: str
    label: str
    value: Callable[[Any], Any] | None = None
    sort: Any = None
    on_page: bool = True


@dataclass(frozen=True)
class ListSpec:
    """A list, declared once.

    `query(user)` selects the page's item (one entity, or several: then an item is a row of them) among the
    rows `user` may see. `tiebreak` is a unique column ending every order. `count_query(user)`, when given,
    is the cheaper select the total is counted from (the same rows, fewer joins). `audited(items)` returns the
    cases whose patients the list shows, for the audit log (None: the list holds no personal data).
    `sort_aliases` maps the sort values of older links and saved filters to the columns' sort values."""

    name: str
    query: Callable[[Any], Select]
    tiebreak: Any
    columns: tuple[Column, ...]
    default_sort: str
    filters: tuple[Filter, ...] = ()
    count_query: Callable[[Any], Select] | None = None
    audited: Callable[[list], Iterable] | None = None
    export_options: tuple = ()
    per_page: int = PER_PAGE
    sort_aliases: Mapping[str, str] = field(default_factory=dict)

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)

    @property
    def page_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.on_page)


@dataclass(frozen=True)
class Sort:
    column: Column
    descending: bool

    @property
    def param(self) -> str:
        return f"-{self.column.key}" if self.descending else self.column.key

    def keys(self, tiebreak) -> tuple:
        """The order's expressions: the column's key or keys, then the list's unique tiebreak."""
        sort = self.column.sort
        return (*(sort if isinstance(sort, tuple) else (sort,)), tiebreak)


@dataclass
class ListPage:
    """One page of a list and how it was asked for: the page's items, the total (exact up to TOTAL_CAP),
    the cursors of the next and previous page, the sort, the filters in force and the messages about
    what was ignored."""

    spec: ListSpec
    items: list
    total: int
    sort: Sort
    values: dict[str, Any]
    messages: list[str] = field(default_factory=list)
    next_cursor: str | None = None
    previous_cursor: str | None = None
    link_args: dict = field(default_factory=dict)   # the query string without the paging, for the page's links

    @property
    def total_capped(self) -> bool:
        return self.total > TOTAL_CAP

    @property
    def total_text(self) -> str:
        """The total as the page prints it: «over 1 000» beyond the cap."""
        return f"over {TOTAL_CAP:,}".replace(",", "\u00a0") if self.total_capped else str(self.total)

    def sort_param(self, column: Column) -> str:
        """The `sort` value a click on `column`'s header asks for: the other direction when it is the sort."""
        if self.sort.column.key == column.key:
            return column.key if self.sort.descending else f"-{column.key}"
        return column.key

    def aria_sort(self, column: Column) -> str | None:
        if self.sort.column.key != column.key:
            return None
        return "descending" if self.sort.descending else "ascending"


# Reading the query string

def _filter_values(spec: ListSpec, args, user, messages: list[str]) -> dict[str, Any]:
    values = {}
    for list_filter in spec.filters:
        raw = _raw_value(list_filter, args)
        if not raw:
            continue
        if list_filter.roles is not None and getattr(user, "role", None) not in list_filter.roles:
            messages.append(f"Du kan ikke filtrere på «{list_filter.label}». Listen vises uten dette filteret.")
            continue
        try:
            values[list_filter.key] = list_filter.parse(raw)
        except _Ignored as ignored:
            messages.append(str(ignored))
            values[list_filter.key] = ignored.kept
    return {key: value for key, value in values.items() if value not in ("", None, ())}


def _raw_value(list_filter: Filter, args):
    """The filter's value in the query string ('' or [] when not used): a list of the non-blank values for a
    filter of several values, the text as typed for a search, else the stripped text."""
    if list_filter.multiple:
        return [value.strip() for value in args.getlist(list_filter.key) if value.strip()]
    raw = args.get(list_filter.key) or ""
    if not raw.strip():
        return ""
    return raw if list_filter.widget == "search" else raw.strip()


def _sort(spec: ListSpec, raw: str | None, messages: list[str]) -> Sort:
    wanted = (raw or "").strip() or spec.default_sort
    wanted = spec.sort_aliases.get(wanted, wanted)
    column = spec.column(wanted.removeprefix("-"))
    if column is None or column.sort is None:
        messages.append("Listen kan ikke sorteres slik. Den vises i vanlig rekkefølge.")
        wanted = spec.default_sort
        column = spec.column(wanted.removeprefix("-"))
    return Sort(column=column, descending=wanted.startswith("-"))


def filtered_query(spec: ListSpec, user, values: dict[str, Any], base: Callable[[Any], Select] | None = None
                   ) -> Select:
    query = (base or spec.query)(user)
    for list_filter in spec.filters:
        if list_filter.key in values:
            query = list_filter.apply(query, values[list_filter.key])
        elif list_filter.otherwise is not None:
            query = list_filter.otherwise(query)
    return query


# Keyset cursors: the sort's key and the row's values, so a cursor from another order is not misread

def _cursor_part(value) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _encode(sort: Sort, values: Sequence) -> str:
    parts = [_cursor_part(value) for value in values]
    return "~".join([sort.param, *parts])


def _cursor_value(expression, part: str):
    kind = expression.type
    if isinstance(kind, Integer):
        number = int(part)
        if not -MAX_INTEGER - 1 <= number <= MAX_INTEGER:
            raise ValueError(part)
        return number
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(part)
    if isinstance(kind, Date):
        return date.fromisoformat(part)
    return kind.python_type(part) if not hasattr(kind, "enum_class") or kind.enum_class is None \
        else kind.enum_class(part)


def _decode(spec: ListSpec, sort: Sort, cursor: str | None, messages: list[str]) -> tuple | None:
    if not cursor:
        return None
    parts = cursor.split("~")
    keys = sort.keys(spec.tiebreak)
    try:
        if parts[0] != sort.param or len(parts) != 1 + len(keys):
            raise ValueError(cursor)
        return tuple(_cursor_value(expression, part) for expression, part in zip(keys, parts[1:], strict=True))
    except (ValueError, TypeError, NotImplementedError, LookupError):
        messages.append("Lenken til neste eller forrige side er ugyldig eller utløpt. Listen vises fra "
                        "begynnelsen.")
        return None


def _ordered(expression, descending: bool):
    return expression.desc() if descending else expression.asc()


def _page(spec: ListSpec, query: Select, sort: Sort, after: tuple | None, before: tuple | None):
    """The page's rows with their key values appended, and whether there are rows after and before them."""
    keys = sort.keys(spec.tiebreak)
    key = tuple_(*keys)
    query = query.add_columns(*(expression.label(f"_key{index}") for index, expression in enumerate(keys)))
    backwards = before is not None
    # Going back reads the rows before the cursor in the opposite order, then turns them round.
    descending = sort.descending != backwards
    if backwards:
        query = query.where(key > tuple_(*before) if sort.descending else key < tuple_(*before))
    elif after is not None:
        query = query.where(key < tuple_(*after) if sort.descending else key > tuple_(*after))
    rows = db.session.execute(query.order_by(*(_ordered(expression, descending) for expression in keys))
                              .limit(spec.per_page + 1)).all()
    more, rows = len(rows) > spec.per_page, rows[:spec.per_page]
    if backwards:
        return rows[::-1], True, more
    return rows, more, after is not None


@cache
def _item_type(fields: tuple[str, ...]):
    return namedtuple("ListItem", fields)


def _item(row, width: int):
    """The page's item of a row without its key columns: the entity, or a named tuple of the entities."""
    return row[0] if width == 1 else _item_type(row._fields[:width])(*row[:width])


def run_list(spec: ListSpec, args, user, *, options: tuple = ()) -> ListPage:
    """One page of `spec` as `args` (the query string) asks for it, not yet audited. `options` are loader
    options the caller's rows need beyond the page's (what the API's JSON shows), so they are loaded for the
    whole page at once instead of row by row."""
    messages: list[str] = []
    values = _filter_values(spec, args, user, messages)
    sort = _sort(spec, args.get("sort"), messages)
    after = _decode(spec, sort, args.get("etter"), messages)
    before = _decode(spec, sort, args.get("foer"), messages) if after is None else None
    query = filtered_query(spec, user, values)
    counted = filtered_query(spec, user, values, spec.count_query) if spec.count_query else query
    total = db.session.scalar(select(func.count()).select_from(
        counted.with_only_columns(spec.tiebreak).limit(TOTAL_CAP + 1).subquery()))
    width = len(query.column_descriptions)
    rows, has_next, has_previous = _page(spec, query.options(*options), sort, after, before)
    items = [_item(row, width) for row in rows]
    page = ListPage(spec=spec, items=items, total=total, sort=sort, values=values, messages=messages,
                    link_args={key: values_ for key, values_ in args.lists() if key not in _PAGING})
    if rows and has_next:
        page.next_cursor = _encode(sort, rows[-1][width:])
    if rows and has_previous:
        page.previous_cursor = _encode(sort, rows[0][width:])
    return page


def list_page(spec: ListSpec, template: str, **context) -> str:
    """The list's page for the current request: rendered first, then the patients it shows are logged (the
    audit's commit would otherwise expire the rows the template reads, one reload per row)."""
    result = run_list(spec, request.args, current_user)
    page = render_template(template, result=result, **context)
    _audit(spec, result.items, spec.name)
    return page


def list_json(spec: ListSpec, serialize: Callable[[Any], dict], *, context: str, options: tuple = (),
              default_sort: str | None = None) -> dict:
    """The list's page for the current API request: the items, the total (capped as on the page), the
    cursor of the next page and the messages about what was ignored; then logged as `context`. `options`:
    as run_list's, for what `serialize` reads; `default_sort` when the API's order differs from the page's."""
    args = request.args
    if default_sort and not args.get("sort"):
        args = args.copy()
        args["sort"] = default_sort
    result = run_list(spec, args, current_user, options=options)
    body = {"items": [serialize(item) for item in result.items], "total": result.total,
            "total_capped": result.total_capped, "next_cursor": result.next_cursor, "messages": result.messages}
    _audit(spec, result.items, context)
    return body


def _audit(spec: ListSpec, items: list, context: str) -> None:
    if spec.audited is not None:
        record_list(list(spec.audited(items)), context=context)


def all_rows(spec: ListSpec, args, user, *, limit: int) -> list:
    """Every item of the filtered list in its order, up to `limit`: for an export, or a file of its own kind
    (no audit row: the caller logs what it hands out)."""
    messages: list[str] = []
    values = _filter_values(spec, args, user, messages)
    sort = _sort(spec, args.get("sort"), messages)
    query = filtered_query(spec, user, values).options(*spec.export_options)
    width = len(query.column_descriptions)
    keys = sort.keys(spec.tiebreak)
    rows = db.session.execute(query.order_by(*(_ordered(expression, sort.descending) for expression in keys))
                              .limit(limit)).all()
    return [_item(row, width) for row in rows]


def export_file(spec: ListSpec, fmt: str, *, filename: str, title: str):
    """The filtered list, every row in the list's order up to ROW_LIMIT (not just the page), as a CSV or XLSX
    download of every column that has a value; each patient in it is logged, and the export itself."""
    args = request.args
    items = all_rows(spec, args, current_user, limit=ROW_LIMIT)
    columns = [column for column in spec.columns if column.value is not None]
    response = table_file(fmt, filename=f"{filename}-{date.today():%Y-%m-%d}", title=title,
                          headers=[column.label for column in columns],
                          rows=[[column.value(item) for column in columns] for item in items])
    _audit(spec, items, f"{spec.name}_export_{fmt}")
    record_access(AuditAction.EXPORT, spec.name, details={
        "format": fmt, "rows": len(items), "filters": args.to_dict(flat=False)})
    return response
