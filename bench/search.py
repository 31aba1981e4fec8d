"""Free-text search in the application list vs the same search by hand-written SQL (issue 16, step 4).

    .venv/bin/python -m bench.search --database-url sqlite:////tmp/helsesak-bench.db

The candidate is /utland/soknader?q=… (the list engine: the search index's ids, the office's access rule,
the capped count, the keyset page, the audit row). The baseline is /bench/soknader?q=…: the same rows and
capped count by hand-written SQL against the same index (bench/harness.py), same template, no audit. The
terms are taken from the data set: a surname, a whole case number, an external reference, an ICD-10 code,
a word of a treatment and two words at once. Both pages are checked to list the same cases before timing.
"""
import sys
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.harness import (  # noqa: E402
    bench_arguments,
    create_bench_app,
    describe,
    dialect_label,
    login_client,
)
from bench.list_vs_raw import compare  # noqa: E402


def search_terms(app, email: str) -> dict[str, str]:
    """Terms that find something in the office's list: from its newest application with a reference."""
    from app.abroad.models import Application
    from app.auth.models import User
    from app.cases.models import Case
    from app.extensions import db
    with app.app_context():
        office = db.session.scalar(sa.select(User.office).where(User.email == email))
        newest = db.session.execute(
            sa.select(Application, Case).join(Case, Case.id == Application.case_id)
            .where(Application.office == office).order_by(Application.id.desc()).limit(1)).one()
        referenced = db.session.scalar(sa.select(Application.reference).where(
            Application.office == office, Application.reference.is_not(None)).limit(1))
        application, case = newest
        db.session.remove()
    surname = case.patient_name.split()[-1]
    treatment_word = max((application.requested_treatment or "behandling").split(), key=len)
    return {
        "etternavn": surname,
        "saksnummer": case.number,
        "referanse": referenced or case.number,
        "ICD-10": application.icd10,
        "behandling": treatment_word,
        "to ord": f"{surname} {application.icd10}",
    }


def goal(app) -> str:
    limit = 80 if dialect_label(app) == "SQLite" else 120
    return f"app ≤ 1.3× bare; app p95 ≤ {limit} ms at 1M applications"


def main(argv: list[str] | None = None) -> None:
    parser = bench_arguments(__doc__)
    args = parser.parse_args(argv)
    app = create_bench_app(args.database_url)
    client = login_client(app, args.user)
    print(describe(app, args, "Search in /utland/soknader vs bare SQL on the same index, same template"))
    for name, term in search_terms(app, args.user).items():
        compare(app, client, urlencode({"q": term}), f"[{name}] q={term!r}", args, goal=goal(app))


if __name__ == "__main__":
    main()
