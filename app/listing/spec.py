"""A list's declaration (ListSpec, its Columns) and one page of it as shown (ListPage)."""
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select

from app.listing.filters import Filter

PER_PAGE = 50
# Beyond this many rows a list says «over 1 000» instead of counting every row.
TOTAL_CAP = 1_000


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
    `page_query(user)`, when given, selects the same rows for the HTML page as plain columns (sqlalchemy Bundles
    named like the entities, so the template reads them the same way) instead of ORM objects: cheaper to load.
    `sort_aliases` maps the sort values of older links and saved filters to the columns' sort values.
    `present(items)`, when given, turns a page's items into what is shown, in one go (e.g. joined with state
    kept outside the database, such as a background job's progress)."""

    name: str
    query: Callable[[Any], Select]
    tiebreak: Any
    columns: tuple[Column, ...]
    default_sort: str
    filters: tuple[Filter, ...] = ()
    count_query: Callable[[Any], Select] | None = None
    audited: Callable[[list], Iterable] | None = None
    export_options: tuple = ()
    page_query: Callable[[Any], Select] | None = None
    per_page: int = PER_PAGE
    sort_aliases: Mapping[str, str] = field(default_factory=dict)
    present: Callable[[list], list] | None = None

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
    def filter_args(self) -> dict:
        """The query string of the filters in force only (no order, no paging): for what follows the filtered
        list, such as its feed."""
        return {key: values for key, values in self.link_args.items() if key in self.values}

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
