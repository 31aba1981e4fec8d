"""Running a list: the query string read into filter values, a sort and a cursor (what cannot be used becomes a
message), the capped count, and one page in keyset order."""
from collections import namedtuple
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import Date, DateTime, Integer, Select, String, func, literal, select, tuple_
from sqlalchemy import Enum as SaEnum

from app.db import MAX_INTEGER
from app.extensions import db
from app.listing import spec as declared
from app.listing.filters import Filter, _Ignored
from app.listing.spec import ListPage, ListSpec, Sort

_PAGING = {"etter", "foer", "page"}


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
    """A cursor's text as the sort key's type: a whole number in range, a date or time, a member of the
    column's enum, or text. Anything else raises ValueError (the cursor is ignored with a message)."""
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
    if isinstance(kind, SaEnum) and kind.enum_class is not None:
        return kind.enum_class(part)
    if isinstance(kind, String):
        return part
    raise ValueError(f"no cursor for a sort key of type {kind}")


def _decode(spec: ListSpec, sort: Sort, cursor: str | None, messages: list[str]) -> tuple | None:
    if not cursor:
        return None
    parts = cursor.split("~")
    keys = sort.keys(spec.tiebreak)
    try:
        if parts[0] != sort.param or len(parts) != 1 + len(keys):
            raise ValueError(cursor)
        return tuple(_cursor_value(expression, part) for expression, part in zip(keys, parts[1:], strict=True))
    except (ValueError, LookupError):
        messages.append("Lenken til neste eller forrige side er ugyldig eller utløpt. Listen vises fra "
                        "begynnelsen.")
        return None


def _ordered(expression, descending: bool):
    return expression.desc() if descending else expression.asc()


def _page(spec: ListSpec, query: Select, sort: Sort, after: tuple | None, before: tuple | None, *,
          plain: bool = False):
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
    ordered = query.order_by(*(_ordered(expression, descending) for expression in keys))
    if plain:   # plain columns (a page_query): one row more says whether rows follow, and makes no object
        rows = db.session.execute(ordered.limit(spec.per_page + 1)).all()
        more, rows = len(rows) > spec.per_page, rows[:spec.per_page]
        return (rows[::-1], True, more) if backwards else (rows, more, after is not None)
    rows = db.session.execute(ordered.limit(spec.per_page)).all()
    # Whether rows follow is asked with the key columns only: loading the next row's entity would read a patient
    # the page does not show (and so does not log).
    more = False
    if len(rows) == spec.per_page:
        last = tuple_(*(literal(value, type_=expression.type)
                        for value, expression in zip(rows[-1][-len(keys):], keys, strict=True)))
        beyond = query.where(key < last if descending else key > last)
        more = db.session.execute(beyond.with_only_columns(*keys, maintain_column_froms=True).limit(1)).first() \
            is not None
    if backwards:
        return rows[::-1], True, more
    return rows, more, after is not None


@cache
def _item_type(fields: tuple[str, ...]):
    return namedtuple("ListItem", fields)


def _items(rows, width: int) -> list:
    """The page's items: each row without its key columns, as the entity, or a named tuple of the entities (one
    type for the page: the rows share their fields)."""
    if width == 1 or not rows:
        return [row[0] for row in rows]
    item = _item_type(rows[0]._fields[:width])
    return [item(*row[:width]) for row in rows]


def run_list(spec: ListSpec, args, user, *, options: tuple = (), html: bool = False) -> ListPage:
    """One page of `spec` as `args` (the query string) asks for it, not yet audited. `options` are loader
    options the caller's rows need beyond the page's (what the API's JSON shows), so they are loaded for the
    whole page at once instead of row by row. `html`: for the HTML page, whose rows may be the spec's lighter
    `page_query` (plain columns, no ORM objects)."""
    messages: list[str] = []
    values = _filter_values(spec, args, user, messages)
    sort = _sort(spec, args.get("sort"), messages)
    after = _decode(spec, sort, args.get("etter"), messages)
    before = _decode(spec, sort, args.get("foer"), messages) if after is None else None
    query = filtered_query(spec, user, values, spec.page_query if html else None)
    counted = filtered_query(spec, user, values, spec.count_query) if spec.count_query else query
    total = db.session.scalar(select(func.count()).select_from(
        counted.with_only_columns(spec.tiebreak).limit(declared.TOTAL_CAP + 1).subquery()))
    width = len(query.column_descriptions)
    rows, has_next, has_previous = _page(spec, query.options(*options), sort, after, before,
                                         plain=html and spec.page_query is not None)
    items = _presented(spec, _items(rows, width))
    page = ListPage(spec=spec, items=items, total=total, sort=sort, values=values, messages=messages,
                    link_args={key: values_ for key, values_ in args.lists() if key not in _PAGING})
    if rows and has_next:
        page.next_cursor = _encode(sort, rows[-1][width:])
    if rows and has_previous:
        page.previous_cursor = _encode(sort, rows[0][width:])
    return page


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
    return _presented(spec, _items(rows, width))


def matching(spec: ListSpec, args, user) -> tuple[Select, dict[str, Any]]:
    """The rows of the filtered list as `args` ask for them, unordered and unpaged (for what follows the list,
    such as its feed of changes), and the filter values in force (a value the list cannot use is left out)."""
    values = _filter_values(spec, args, user, [])
    return filtered_query(spec, user, values, spec.count_query), values


def _presented(spec: ListSpec, items: list) -> list:
    return spec.present(items) if spec.present else items
