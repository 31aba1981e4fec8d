"""Case pages with their audit write (quality goal B4): /utland/soknader/<id> and /saker/<id>.

    .venv/bin/python -m bench.detail --database-url sqlite:////tmp/helsesak-bench.db

Each round opens a different case of the caseworker's office (a seeded random sample, so caches are as
cold as they are for real work), once through the app and once through the bare endpoints of
bench/harness.py (hand-written SQL, the same template, the same single audit row committed at once).
The SQL statements of every app request are counted; a count that changes with the number of journal
posts, costs or documents is the N+1 the query-count test (tests/test_query_counts.py) guards against.
"""
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.harness import (  # noqa: E402
    QueryCounter,
    Row,
    bench_arguments,
    create_bench_app,
    describe,
    fetch,
    interleaved,
    login_client,
    print_table,
)


def sample_cases(app, email: str, count: int, seed: int) -> list[tuple[int, int, int, int]]:
    """(case id, journal posts, costs, documents) of `count` random applications of the user's office."""
    from app.auth.models import User
    from app.extensions import db
    with app.app_context():
        office = db.session.scalar(sa.select(User.office).where(User.email == email))
        low, high = db.session.execute(sa.text(
            "SELECT min(id), max(id) FROM abroad_applications WHERE office = :office"), {"office": office}).one()
        import random
        rng = random.Random(seed)
        chosen: list[int] = []
        lookup = sa.text("SELECT a.case_id FROM abroad_applications a WHERE a.office = :office AND a.id >= :id "
                         "ORDER BY a.id LIMIT 1")
        while len(chosen) < count and low is not None:
            case_id = db.session.execute(lookup, {"office": office, "id": rng.randint(low, high)}).scalar()
            if case_id is not None:
                chosen.append(case_id)
        result = []
        for case_id in chosen:
            journal, costs, documents = db.session.execute(sa.text(
                "SELECT (SELECT count(*) FROM case_journal_entries WHERE case_id = :id), "
                "(SELECT count(*) FROM abroad_cost_entries c JOIN abroad_applications a ON a.id = c.application_id "
                " WHERE a.case_id = :id), "
                "(SELECT count(*) FROM case_documents WHERE case_id = :id)"), {"id": case_id}).one()
            result.append((case_id, journal, costs, documents))
        db.session.remove()
    return result


def count_queries(app, client, url: str) -> QueryCounter:
    with QueryCounter(app) as counter:
        fetch(client, url)
    return counter


def _table(statement: str) -> str:
    match = re.search(r"\bFROM (\w+)", statement)
    return f"SELECT … FROM {match.group(1)}" if match else statement.split()[0]


def query_growth(app, client, cases, template: str) -> str:
    """The app's statement counts over the sampled cases, and any statement sent more than once in one
    request (a lazy load per row) with the most times it was repeated."""
    counts, repeated = [], Counter()
    for case_id, *_ in cases:
        counter = count_queries(app, client, template.format(case_id))
        counts.append(counter.count)
        for statement, times in Counter(counter.statements).items():
            if times > 1:
                repeated[_table(statement)] = max(repeated[_table(statement)], times)
    journal = max(journal for _id, journal, *_ in cases)
    summary = f"{min(counts)}–{max(counts)} per request over {len(counts)} cases (up to {journal} journal posts)"
    if repeated:
        summary += "; sent more than once in a request: " + ", ".join(
            f"{table} (up to {times}×)" for table, times in repeated.most_common())
    else:
        summary += "; no statement repeated within a request"
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = bench_arguments(__doc__)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    app = create_bench_app(args.database_url)
    client = login_client(app, args.user)
    cases = sample_cases(app, args.user, args.rounds + args.warmup, args.seed)
    ids = [case_id for case_id, *_ in cases]
    print(describe(app, args, "Case pages with their audit write, a different case each round"))
    pages = {
        "application page": ("/utland/soknader/{}", "/bench/soknader/{}"),
        "core case page": ("/saker/{}", "/bench/saker/{}"),
    }
    for title, (candidate, baseline) in pages.items():
        growth = query_growth(app, client, cases[:40], candidate)
        bare_queries = statistics.median(count_queries(app, client, baseline.format(case_id)).count
                                         for case_id in ids[:10])
        samples = interleaved({
            "app": lambda index, url=candidate: fetch(client, url.format(ids[index % len(ids)])),
            "bare": lambda index, url=baseline: fetch(client, url.format(ids[index % len(ids)])),
        }, rounds=args.rounds, warmup=args.warmup)
        print_table(f"{title} {candidate.format('<id>')} vs bare SQL {baseline.format('<id>')}", [
            Row("app (ORM, audit)", samples["app"]),
            Row("bare SQL (audit)", samples["bare"], note=f"{bare_queries:.0f} statements"),
        ], baseline="bare SQL (audit)", goal="app p95 ≤ 60 ms at 1M cases (B4); statements constant per page")
        print(f"  app statements: {growth}")


if __name__ == "__main__":
    main()
