"""The other list pages vs bare endpoints (quality goals B1, B2; issue 16): the core case list, the appeal list,
the expert panel's referral list, the method list and the audit log, each unfiltered, first page.

    .venv/bin/python -m bench.lists --database-url sqlite:////tmp/helsesak-bench.db

The candidate is the app's page on the list engine (capped count, keyset page, access rule on the module's own
table, one audit event naming the patients shown where the list shows patients). The baseline is the same page by
hand-written SQL (bench/bare_lists.py), rendered with the same template, without engine, ORM objects or audit; a
list that shows patients is also timed against the bare page that writes the list's audit event by hand and
commits. Each list is requested in-process through the Flask test client as the user who works with it,
interleaved, so the time is server time. Before timing, the app's page and the bare one are checked to show the
same rows (the table body, the total and the next page's link are compared as HTML).
"""
import re
import sys
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    STATEMENTS_HELP,
    bench_arguments,
    compare_pages,
    create_bench_app,
    describe,
    fetch,
    login_client,
)
from bench.list_vs_raw import APP, BARE, LOGGED, list_goal  # noqa: E402


@dataclass(frozen=True)
class BenchedList:
    page: str          # the app's list page
    bare: str          # its bare baseline
    user: str          # who works with the list
    audited: bool      # the list shows patients: also timed against the bare page that writes its audit event
    noun: str          # as the page counts its rows («3 klager.»)


LISTS = {
    "saker": BenchedList("/saker", "/bench/saker", "hso@helsesak.test", True, "saker"),
    "klager": BenchedList("/utland/klager", "/bench/klager", "hso@helsesak.test", True, "klager"),
    "henvisninger": BenchedList("/ekspertpanelet/", "/bench/ekspertpanelet", "panel@helsesak.test", True,
                                "henvisninger"),
    "metoder": BenchedList("/metoder/", "/bench/metoder", "metoder@helsesak.test", False, "metoder"),
    "logg": BenchedList("/admin/logg", "/bench/logg", "admin@helsesak.test", False, "hendelser"),
}

TABLE_BODY = re.compile(r"<tbody>.*?</tbody>", re.S)
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


def shown(page: bytes, noun: str) -> tuple[str, str | None, str | None]:
    """What a list page shows of its rows: the table body as HTML, the total line and the next page's link."""
    html = page.decode()
    body = TABLE_BODY.search(html)
    total = re.search(rf"<p>([^<]*) {re.escape(noun)}\.", html)
    link = NEXT.search(html)
    return (body.group(0) if body else "", total.group(1) if total else None,
            link.group(1).split("?", 1)[1] if link else None)


def check_same_rows(client, benched: BenchedList) -> str:
    ours, theirs = shown(fetch(client, benched.page), benched.noun), shown(fetch(client, benched.bare), benched.noun)
    rows = ours[0].count("<tr")
    if ours != theirs:
        return (f"WARNING: the pages differ ({rows} vs {theirs[0].count('<tr')} rows, totals {ours[1]} vs "
                f"{theirs[1]}, next {ours[2]} vs {theirs[2]})")
    if not rows:
        return "WARNING: the list is empty (nothing compared)"
    return f"same {rows} rows, total {ours[1]}"


def compare(app, name: str, benched: BenchedList, args) -> None:
    client = login_client(app, benched.user)
    urls = {APP: benched.page, BARE: benched.bare}
    if benched.audited:
        urls[LOGGED] = f"{benched.bare}-logget"
    check = check_same_rows(client, benched)
    compare_pages(app, client, urls, f"[{name}] {benched.page} as {benched.user} — {check}", args, baseline=BARE,
                  goal=list_goal(app), same_work=(APP, LOGGED))


def main(argv: list[str] | None = None) -> None:
    parser = bench_arguments(__doc__, statements=STATEMENTS_HELP)
    parser.add_argument("--list", action="append", choices=list(LISTS), help="which lists (default: all of them)")
    args = parser.parse_args(argv)
    app = create_bench_app(args.database_url)
    print(describe(app, args, "The other list pages vs bare SQL, same template"))
    for name in args.list or list(LISTS):
        compare(app, name, LISTS[name], args)


if __name__ == "__main__":
    main()
