"""The annual treatment-abroad report vs bare SQL GROUP BY queries (quality goal B5).

    .venv/bin/python -m bench.annual_report --database-url sqlite:////tmp/helsesak-bench.db [--year 2025]

The candidate is what a report job does before it renders a file: app.abroad.statistics.build_report(), i.e.
abroad_figures() (the figures: SQLAlchemy Core GROUP BY queries built from the models, run through the
Session) and the report's tables and charts made from them. The baseline is this file's
bare_figures(): the same aggregations written as SQL strings, one GROUP BY per figure, sent through the
DBAPI cursor and folded into the same dictionary in plain Python.

Before timing, the script ASSERTS that bare_figures() and abroad_figures() return equal results (for the
whole country and for each --region given): a correctness check of the report against hand-written SQL,
not a timing judgement. Times are printed, never judged.
"""
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    Row,
    bench_arguments,
    create_bench_app,
    describe,
    dialect_label,
    interleaved,
    print_table,
)

COUNTED = "('application', 'pgd')"
# Granted in the first instance by the end of the report's year (the parameter): a later decision was pending then.
GRANTED_BY = "a.decision IN ('granted', 'partial') AND a.decided_on <= ?"   # a partial grant is a grant
# appeals against a refusal (the decision complained of), a partial grant's refused parts among them
REFUSED = " AND p.appealed_decision <> 'granted'"


class Bare:
    """Hand-written SQL through the DBAPI cursor of one connection: no SQL compilation, no result processing."""

    def __init__(self, connection) -> None:
        self.cursor = connection.connection.driver_connection.cursor()
        self.postgres = connection.dialect.name == "postgresql"
        self.mark = "%s" if self.postgres else "?"

    def year(self, column: str) -> str:
        return f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)" if self.postgres \
            else f"CAST(strftime('%Y', {column}) AS INTEGER)"

    def day(self, value: date):
        return value if self.postgres else value.isoformat()

    def rows(self, sql: str, *params) -> list[tuple]:
        """`sql` with `?` placeholders (turned into %s for psycopg); dates are passed through day()."""
        if self.postgres:
            sql = sql.replace("%", "%%").replace("?", "%s")
        self.cursor.execute(sql, [self.day(value) if isinstance(value, date) else value for value in params])
        return self.cursor.fetchall()


def bare_figures(connection, year: int, region: str | None = None) -> dict:
    """abroad_figures() by hand: the same numbers from hand-written GROUP BY queries."""
    from app.abroad.statistics import (
        APPEAL_STEPS,
        AVERAGE_COST_YEARS,
        COST_YEARS,
        NORDIC_COUNTRIES,
        OTHER,
        OTHER_HOSPITAL_LIMIT,
        RECEIVED_YEARS,
        UNKNOWN_COUNTRY,
        UNKNOWN_HOSPITAL,
        diagnosis_groups,
    )
    from app.core.regions import REGIONS
    from app.reports.model import share, whole

    bare = Bare(connection)
    regions = [region] if region else list(REGIONS)
    scope, scope_params = (" AND a.home_region = ?", [region]) if region else ("", [])
    start, end = date(year, 1, 1), date(year, 12, 31)
    received_year = bare.year("a.received_on")

    # Received and granted per year received, ten years.
    first = year - RECEIVED_YEARS + 1
    by_year = {int(each): (count, int(granted or 0)) for each, count, granted in bare.rows(
        f"SELECT {received_year}, count(*), sum(CASE WHEN {GRANTED_BY} THEN 1 ELSE 0 END) "
        f"FROM abroad_applications a WHERE a.stream IN {COUNTED} AND a.received_on BETWEEN ? AND ?{scope} "
        f"GROUP BY {received_year}", end, date(first, 1, 1), end, *scope_params)}
    years = range(first, year + 1)
    received = {str(each): by_year.get(each, (0, 0))[0] for each in years}
    granted_by_year = {str(each): by_year.get(each, (0, 0))[1] for each in years}

    # Forwarded to the scheme it belongs to by the end of the year: neither refused nor pending.
    forwarded_rows = {int(each): count for each, count in bare.rows(
        f"SELECT {received_year}, count(*) FROM abroad_applications a WHERE a.stream IN {COUNTED} "
        f"AND a.received_on BETWEEN ? AND ?{scope} AND a.forwarded_on IS NOT NULL AND a.forwarded_on <= ? "
        f"GROUP BY {received_year}", date(first, 1, 1), end, *scope_params, end)}
    forwarded = {str(each): forwarded_rows.get(each, 0) for each in years}
    refunds_received, refunds_granted = bare.rows(
        f"SELECT count(*), sum(CASE WHEN {GRANTED_BY} THEN 1 ELSE 0 END) FROM abroad_applications a "
        f"WHERE a.stream = 'refund' AND a.received_on BETWEEN ? AND ?{scope}", end, start, end, *scope_params)[0]

    in_year = f"a.stream IN {COUNTED} AND a.received_on BETWEEN ? AND ?{scope}"
    pending = bare.rows(f"SELECT count(*) FROM abroad_applications a WHERE {in_year} "
                        "AND (a.decided_on IS NULL OR a.decided_on > ?) "
                        "AND (a.forwarded_on IS NULL OR a.forwarded_on > ?)", start, end, *scope_params, end, end)[0][0]
    by_region = dict(bare.rows(f"SELECT a.home_region, count(*) FROM abroad_applications a WHERE {in_year} "
                               "GROUP BY a.home_region", start, end, *scope_params))

    def granted_by(column: str, first_day: date, last_day: date) -> list[tuple]:
        """Granted by the end of the report's year (a later decision was pending then)."""
        return bare.rows(f"SELECT {column}, count(*) FROM abroad_applications a WHERE a.stream IN {COUNTED} "
                         f"AND a.received_on BETWEEN ? AND ?{scope} AND {GRANTED_BY} GROUP BY {column}",
                         first_day, last_day, *scope_params, end)

    countries = Counter({code or UNKNOWN_COUNTRY: count for code, count in granted_by("a.country", start, end)})
    hospitals = Counter()
    hospital_countries: dict[str, set] = {}
    for hospital, country, count in granted_by("a.hospital, a.country", start, end):
        name = (hospital or "").strip() or UNKNOWN_HOSPITAL
        hospitals[name] += count
        hospital_countries.setdefault(name, set()).add(country)
    named = {name: count for name, count in hospitals.items()
             if count >= OTHER_HOSPITAL_LIMIT or name == UNKNOWN_HOSPITAL}
    small = [count for name, count in hospitals.items() if name not in named]
    granted = sum(countries.values())
    chapters = dict(granted_by("a.icd10_chapter", start, end))
    previous_chapters = dict(granted_by("a.icd10_chapter", date(year - 1, 1, 1), date(year - 1, 12, 31)))
    children = bare.rows(f"SELECT count(*) FROM abroad_applications a WHERE {in_year} "
                         f"AND {GRANTED_BY} AND a.child = ?", start, end, *scope_params, end, True)[0][0]

    # Costs in the year of the entry's date, nine years.
    cost_first = year - AVERAGE_COST_YEARS + 1
    cost_years = {each: dict.fromkeys(regions, 0) for each in range(cost_first, year + 1)}
    entry_year = bare.year("c.entry_date")
    for each, home_region, amount in bare.rows(
            f"SELECT {entry_year}, a.home_region, sum(c.amount_nok) FROM abroad_cost_entries c "
            f"JOIN abroad_applications a ON a.id = c.application_id WHERE a.stream IN {COUNTED} "
            f"AND c.entry_date BETWEEN ? AND ?{scope} GROUP BY {entry_year}, a.home_region",
            date(cost_first, 1, 1), end, *scope_params):
        cost_years[int(each)][home_region] = whole(amount or 0)

    # Each appeal step in the year it happened: appeals against refusals, and those against a grant's terms (by the
    # decision complained of, kept on the appeal).
    appeals = {code: dict.fromkeys(APPEAL_STEPS, 0) for code in regions}
    for step, column, condition in (
            ("received", "p.received_on", REFUSED),
            ("dismissed_late", "p.office_decided_on", f"{REFUSED} AND p.office_outcome = 'dismissed_late'"),
            ("reversed_by_office", "p.office_decided_on", f"{REFUSED} AND p.office_outcome = 'reversed'"),
            ("forwarded_to_board", "p.office_decided_on", f"{REFUSED} AND p.office_outcome = 'forwarded'"),
            ("withdrawn", "p.withdrawn_on", REFUSED),
            ("board_upheld", "p.board_decided_on", f"{REFUSED} AND p.board_outcome = 'upheld'"),
            ("board_reversed", "p.board_decided_on", f"{REFUSED} AND p.board_outcome = 'reversed'"),
            ("board_partly_reversed", "p.board_decided_on", f"{REFUSED} AND p.board_outcome = 'partly_reversed'"),
            ("board_quashed", "p.board_decided_on", f"{REFUSED} AND p.board_outcome = 'quashed'"),
            ("board_dismissed", "p.board_decided_on", f"{REFUSED} AND p.board_outcome = 'dismissed'"),
            ("against_grant", "p.received_on", " AND p.appealed_decision = 'granted'")):
        for home_region, count in bare.rows(
                f"SELECT a.home_region, count(*) FROM abroad_appeals p JOIN abroad_applications a "
                f"ON a.id = p.application_id WHERE {column} BETWEEN ? AND ?{condition}{scope} "
                "GROUP BY a.home_region", start, end, *scope_params):
            appeals.setdefault(home_region, dict.fromkeys(APPEAL_STEPS, 0))[step] = count

    # Particle therapy (patients referred in the year, each once; costs booked in the year) and the Nordic drug
    # protocols (children referred; costs booked).
    patients = dict(bare.rows(
        "SELECT a.home_region, count(DISTINCT coalesce(k.patient_id, -a.case_id)) FROM abroad_applications a "
        f"JOIN cases k ON k.id = a.case_id WHERE a.stream = 'particle_therapy' AND a.received_on BETWEEN ? AND ?"
        f"{scope} GROUP BY a.home_region", start, end, *scope_params))

    def booked(stream: str) -> dict:
        return dict(bare.rows(
            "SELECT a.home_region, sum(c.amount_nok) FROM abroad_cost_entries c JOIN abroad_applications a "
            f"ON a.id = c.application_id WHERE a.stream = '{stream}' AND c.entry_date BETWEEN ? AND ?{scope} "
            "GROUP BY a.home_region", start, end, *scope_params))
    amounts, protocol_amounts = booked("particle_therapy"), booked("nordic_drug_protocol")
    nordic_children = bare.rows(
        f"SELECT count(*) FROM abroad_applications a WHERE a.stream = 'nordic_drug_protocol' "
        f"AND a.received_on BETWEEN ? AND ?{scope} AND a.child = ?", start, end, *scope_params, True)[0][0]
    bare.cursor.close()

    average = {}
    for each in range(cost_first, year + 1):
        granted_then = granted_by_year.get(str(each), 0)
        average[str(each)] = whole(sum(cost_years[each].values()) / granted_then) if granted_then else None
    return {
        "year": year,
        "region": region,
        "received_by_year": received,
        "granted_by_year": granted_by_year,
        "pending_at_year_end": pending,
        "forwarded_by_year": forwarded,
        "refunds_after_treatment": {"received": refunds_received, "granted": int(refunds_granted or 0)},
        "received_by_region": {code: by_region.get(code, 0) for code in regions},
        "granted_by_country": dict(countries.most_common()),
        "granted_by_hospital": {**named, OTHER: sum(small)},
        "other_hospital_count": len(small),
        "other_hospital_countries": sorted({code for name, count in hospitals.items() if name not in named
                                            for code in hospital_countries[name] if code}),
        "nordic_share": share(sum(countries[code] for code in NORDIC_COUNTRIES), granted),
        "diagnosis_groups": diagnosis_groups(chapters),
        "children_granted": children,
        "costs_by_region": {code: {str(each): cost_years[each][code] for each in range(year - COST_YEARS + 1, year + 1)}
                            for code in regions},
        "average_cost_per_granted": average,
        "appeals_by_region": appeals,
        "particle_therapy_by_region": {code: {"patients": patients.get(code, 0),
                                              "cost_nok": whole(amounts.get(code) or 0)} for code in regions},
        "nordic_drug_protocol_children": nordic_children,
        "nordic_drug_protocol_cost_by_region": {code: whole(protocol_amounts.get(code) or 0) for code in regions},
        "received": received[str(year)],
        "granted": granted_by_year[str(year)],
        "forwarded": forwarded[str(year)],
        "diagnosis_chapters": chapters,
        "diagnosis_chapters_previous_year": previous_chapters,
    }


def differences(ours: dict, theirs: dict, path: str = "") -> list[str]:
    """Where two results differ (dictionary order aside), as 'key.key: app value != bare value'."""
    found = []
    for key in sorted(set(ours) | set(theirs), key=str):
        here = f"{path}.{key}" if path else str(key)
        if key not in ours or key not in theirs:
            found.append(f"{here}: only in {'the app' if key in ours else 'the bare SQL'}")
        elif isinstance(ours[key], dict) and isinstance(theirs[key], dict):
            found += differences(ours[key], theirs[key], here)
        elif ours[key] != theirs[key] or type(ours[key]) is not type(theirs[key]):
            found.append(f"{here}: app {ours[key]!r} != bare {theirs[key]!r}")
    return found


def check_equal(app, year: int, region: str | None) -> dict:
    """Assert that the report's figures equal the bare SQL's; returns them."""
    from app.abroad.statistics import abroad_figures
    from app.extensions import db
    with app.app_context():
        ours = abroad_figures(year, region)
        theirs = bare_figures(db.session.connection(), year, region)
        db.session.remove()
    found = differences(ours, theirs)
    assert not found, f"the report and the bare SQL disagree for {year} {region or 'hele landet'}:\n  " + \
        "\n  ".join(found[:40])
    return ours


def default_year(app) -> int:
    """The last full year the data set holds (the generator fills every year up to today)."""
    import sqlalchemy as sa

    from app.extensions import db
    with app.app_context():
        latest = db.session.scalar(sa.text("SELECT max(received_on) FROM abroad_applications"))
        db.session.remove()
    if latest is None:
        return date.today().year - 1
    latest = date.fromisoformat(latest) if isinstance(latest, str) else latest
    return latest.year - 1 if latest < date(latest.year, 12, 31) else latest.year


def main(argv: list[str] | None = None) -> None:
    parser = bench_arguments(__doc__, statements="print the report's SQL statements with their time, for one build",
                             rounds=21, warmup=2)
    parser.add_argument("--year", type=int, help="the report's year (default: the last full year in the data)")
    parser.add_argument("--region", action="append", default=[],
                        help="also check (not time) the report for this home region, e.g. helse-nord")
    args = parser.parse_args(argv)
    from app.abroad.statistics import build_report
    from app.extensions import db
    from app.reports.registry import ReportRequest

    app = create_bench_app(args.database_url, bare_routes=False, upgrade=True)
    year = args.year or default_year(app)
    figures = check_equal(app, year, None)
    for region in args.region:
        check_equal(app, year, region)
    checked = ", ".join(["hele landet", *args.region])
    print(describe(app, args, f"Annual treatment-abroad report {year} vs bare SQL GROUP BY"))
    print(f"  the report's figures equal the bare SQL's ({checked}): {figures['received']:,} counted applications "
          f"received in {year}, {figures['granted']:,} granted, {len(json.dumps(figures, default=str)):,} bytes "
          "of figures")
    request = ReportRequest(year=year)

    def quiet(_percent: int, _step: str) -> None:
        pass

    with app.app_context():
        def run_report(_index: int) -> None:
            build_report(request, quiet)
            db.session.rollback()

        def run_bare(_index: int) -> None:
            with db.engine.connect() as connection:
                bare_figures(connection, year, None)
                connection.rollback()

        samples = interleaved({"build_report()": run_report, "bare SQL": run_bare},
                              rounds=args.rounds, warmup=args.warmup)
        db.session.remove()
    limit = "4 s" if dialect_label(app) == "SQLite" else "2 s"
    print_table(f"figures for {year}, hele landet (national, all four regions)",
                [Row("build_report() (app)", samples["build_report()"],
                     note="abroad_figures() + the report's tables and charts"),
                 Row("bare SQL", samples["bare SQL"], note="the same GROUP BYs by hand, DBAPI cursor")],
                baseline="bare SQL", goal=f"app ≤ 1.5× bare; ≤ {limit} at 1M cases (B5)")
    if args.statements:
        from bench.harness import StatementTimer
        with app.app_context():
            with StatementTimer(app) as timer:
                build_report(request, quiet)
            db.session.remove()
        print(f"  build_report(): {timer.count} SQL statements, {sum(ms for ms, _ in timer.timings):.0f} ms in SQL\n"
              f"{timer.report()}")


if __name__ == "__main__":
    main()
