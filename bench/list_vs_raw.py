"""List page vs a bare endpoint (quality goals B1, B2): /utland/soknader, filtered, newest first, 50 rows.

    .venv/bin/python -m bench.list_vs_raw --database-url sqlite:////tmp/helsesak-bench.db

The candidate is the app's page (abroad.applications on the list engine: keyset page, capped count, access rule,
one audit event per request naming its patients in audit_event_patients). The baseline is /bench/soknader,
registered only by bench/harness.py: the same rows and total by hand-written SQL, rendered with the same
template, without ORM, service layer or audit; /bench/soknader-logget is the same page that then writes the
list's audit event and its patients by hand-written SQL and commits, as any page showing patients must. All are
requested in-process through the Flask test client as the same logged-in caseworker, interleaved, so the time is
server time. Before timing, the app's page and the bare one are checked to list the same cases.
"""
import re
import sys
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    STATEMENTS_HELP,
    bench_arguments,
    compare_pages,
    create_bench_app,
    describe,
    dialect_label,
    fetch,
    login_client,
)

CASE_LINK = re.compile(rb'href="/utland/soknader/(\d+)"')
TOTAL = re.compile(r"(\d+|Over 1\u00a0000) søknader og henvisninger\.")


def scenarios() -> dict[str, str]:
    """What caseworkers filter the list by; `alle` is the landing page (the office's whole list)."""
    last_year = date.today().year - 1
    return {
        "alle": "",
        "status": "status=in_preparation",
        "3 filtre": f"stream=application&status=granted&year={last_year}",
        "region+år": f"region=helse-nord&year={last_year}",
    }


def listed(page: bytes) -> tuple[list[int], int | None]:
    """The case ids a list page links to, and the total it prints."""
    total = TOTAL.search(page.decode())
    count = total.group(1) if total else None
    return [int(case_id) for case_id in CASE_LINK.findall(page)], (int(count) if count and count.isdigit() else count)


def check_same_rows(client, candidate: str, baseline: str) -> str:
    ours, theirs = listed(fetch(client, candidate)), listed(fetch(client, baseline))
    if ours != theirs:
        return f"WARNING: the pages differ ({len(ours[0])} vs {len(theirs[0])} rows, totals {ours[1]} vs {theirs[1]})"
    return f"same {len(ours[0])} rows, total {ours[1]}" if ours[1] is not None else f"same {len(ours[0])} rows"


def list_goal(app) -> str:
    limit = 80 if dialect_label(app) == "SQLite" else 120
    return f"app ≤ 1.3× bare (B1); app p95 ≤ {limit} ms at 1M applications (B2)"


APP, BARE, LOGGED = "app (engine, audit)", "bare SQL", "bare SQL + audit"


def compare(app, client, query: str, heading: str, args, goal: str | None = None) -> None:
    """The app's list and the bare page for one query string: checked to list the same cases, their statements
    counted, then timed interleaved and printed with the ratio and the goal."""
    urls = {APP: f"/utland/soknader?{query}", BARE: f"/bench/soknader?{query}",
            LOGGED: f"/bench/soknader-logget?{query}"}
    check = check_same_rows(client, urls[APP], urls[BARE])
    compare_pages(app, client, urls, f"{heading} — {check}", args, baseline=BARE, goal=goal or list_goal(app),
                  same_work=(APP, LOGGED))


def main(argv: list[str] | None = None) -> None:
    parser = bench_arguments(__doc__, statements=STATEMENTS_HELP)
    parser.add_argument("--scenario", action="append", choices=list(scenarios()),
                        help="which filter sets (default: all of them)")
    args = parser.parse_args(argv)
    app = create_bench_app(args.database_url)
    client = login_client(app, args.user)
    print(describe(app, args, "List page /utland/soknader vs bare SQL, same template"))
    for name in args.scenario or list(scenarios()):
        query = scenarios()[name]
        compare(app, client, query, f"[{name}] ?{query or '(no filter)'}", args)


if __name__ == "__main__":
    main()
