"""Deep pages cost what page 1 costs (quality goal B3): page 1,000 of /utland/soknader vs page 1.

    .venv/bin/python -m bench.paging --database-url sqlite:////tmp/helsesak-bench.db --page 1000

The list is keyset-paged (?etter=-mottatt~<received date>~<id>). The cursor of page N is found by following the
cursors from page 1 (hand-written keyset queries, 50 rows a step, not timed); then the app's page 1 and
page N, and the bare endpoint's page 1 and page N, are requested interleaved. The ratio that matters is
app page N / app page 1. When the office's list has fewer than N pages, its last page is used.
"""
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.harness import (  # noqa: E402
    PER_PAGE,
    Row,
    _bind_dates,
    _cursor,
    bare_list_query,
    bench_arguments,
    create_bench_app,
    describe,
    fetch,
    interleaved,
    login_client,
    print_table,
)
from bench.list_vs_raw import check_same_rows, listed  # noqa: E402


def cursor_of_page(app, email: str, page: int, filters: dict) -> tuple[str | None, int]:
    """The ?etter= cursor that opens page `page` (1-based), following the cursors page by page, and the
    page number actually reached (the last page when the list is shorter)."""
    from app.auth.models import User
    from app.extensions import db
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        where, join_cases, params = bare_list_query(filters, user.office, user.id)
        joins = "JOIN cases c ON c.id = a.case_id" if join_cases else ""
        date_params = [name for name in ("year_start", "year_end") if name in params]
        first = _bind_dates(sa.text(
            f"SELECT a.received_on, a.id FROM abroad_applications a {joins} WHERE {where} "
            "ORDER BY a.received_on DESC, a.id DESC LIMIT :limit").columns(received_on=sa.Date), *date_params)
        following = _bind_dates(sa.text(
            f"SELECT a.received_on, a.id FROM abroad_applications a {joins} WHERE {where} "
            "AND (a.received_on, a.id) < (:after_date, :after_id) "
            "ORDER BY a.received_on DESC, a.id DESC LIMIT :limit").columns(received_on=sa.Date),
            *date_params, "after_date")
        cursor, reached = None, 1
        while reached < page:
            statement = first if cursor is None else following
            extra = {} if cursor is None else {"after_date": cursor[0], "after_id": cursor[1]}
            rows = db.session.execute(statement, {**params, **extra, "limit": PER_PAGE + 1}).all()
            if len(rows) <= PER_PAGE:
                break  # this page is the last one
            cursor = rows[PER_PAGE - 1]
            reached += 1
        db.session.remove()
    return (_cursor(cursor) if cursor else None), reached


def main(argv: list[str] | None = None) -> None:
    parser = bench_arguments(__doc__)
    parser.add_argument("--page", type=int, default=1000, help="the deep page (default 1,000)")
    parser.add_argument("--filter", default="", help="query string of filters, e.g. 'region=helse-nord' "
                                                     "(default: none, the office's whole list)")
    args = parser.parse_args(argv)
    app = create_bench_app(args.database_url)
    client = login_client(app, args.user)
    filters = dict(pair.split("=", 1) for pair in args.filter.split("&") if "=" in pair)
    cursor, reached = cursor_of_page(app, args.user, args.page, filters)
    prefix = f"{args.filter}&" if args.filter else ""
    urls = {
        "app, page 1": f"/utland/soknader?{args.filter}",
        f"app, page {reached:,}": f"/utland/soknader?{prefix}etter={cursor}" if cursor else
        f"/utland/soknader?{args.filter}",
        "bare, page 1": f"/bench/soknader?{args.filter}",
        f"bare, page {reached:,}": f"/bench/soknader?{prefix}etter={cursor}" if cursor else
        f"/bench/soknader?{args.filter}",
    }
    names = list(urls)
    check = check_same_rows(client, urls[names[1]], urls[names[3]])
    if listed(fetch(client, urls[names[1]]))[0] == listed(fetch(client, urls[names[0]]))[0] and reached > 1:
        check = "WARNING: the deep page shows page 1's rows"
    print(describe(app, args, f"Keyset paging: page {reached:,} vs page 1 of /utland/soknader?{args.filter}"))
    if reached < args.page:
        print(f"  (the list has only {reached:,} pages; generate more data for page {args.page:,})")
    samples = interleaved({name: (lambda _i, url=url: fetch(client, url)) for name, url in urls.items()},
                          rounds=args.rounds, warmup=args.warmup)
    print_table(f"cursor {cursor} — deep page vs bare: {check}", [Row(name, samples[name]) for name in names],
                baseline=names[0], goal=f"app page {args.page:,} ≤ 1.2× app page 1 (B3)")


if __name__ == "__main__":
    main()
