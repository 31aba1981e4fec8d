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
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import render_template, request
from flask_login import current_user

from app.core.audit import AuditAction, record_access, record_list
from app.exports import ROW_LIMIT, table_file
from app.extensions import db
from app.listing.engine import all_rows, filtered_query, matching, run_list
from app.listing.filters import AnyOf, Choice, Code, Day, Filter, Flag, Number, Search, enum_choice, year_choice
from app.listing.search import SearchIndex
from app.listing.spec import PER_PAGE, TOTAL_CAP, Column, ListPage, ListSpec, Sort

__all__ = [
    "all_rows", "AnyOf", "Choice", "Code", "Column", "Day", "enum_choice", "export_file", "Filter", "filtered_query",
    "Flag", "list_json", "list_page", "ListPage", "ListSpec", "matching", "Number", "PER_PAGE", "run_list", "Search",
    "SearchIndex", "Sort", "TOTAL_CAP", "year_choice",
]


def list_page(spec: ListSpec, template: str, **context) -> str:
    """The list's page for the current request: rendered first, then the patients it shows are logged (the
    audit's commit would otherwise expire the rows the template reads, one reload per row)."""
    result = run_list(spec, request.args, current_user, html=True)
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
    """The list's audit row, committed without expiring the session's objects: the page has been drawn from
    them already, and expiring a hundred loaded rows is work for nothing."""
    if spec.audited is None:
        return
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        record_list(list(spec.audited(items)), context=context)
    finally:
        session.expire_on_commit = expire


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
