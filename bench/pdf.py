"""Decision letter and annual report PDFs vs bare WeasyPrint on the same HTML (quality goal B8).

    .venv/bin/python -m bench.pdf --database-url sqlite:////tmp/helsesak-bench.db

The letter: the candidate is what the decision view does for its letter, app.pdf.render_pdf() on
abroad/pdf/decision_letter.html (Jinja rendering, then WeasyPrint with the app's static-only URL fetcher).
The baseline is WeasyPrint alone on the HTML that rendering produced (rendered once, before timing), with
the same base URL so the same stylesheet applies. The letter is that of a decided application in the data
set.

The annual report: the treatment-abroad report for the last full year (built once from the data set, not
timed here; bench/annual_report.py times the figures), rendered as the report job renders its PDF
(app.reports.formats.to_pdf: title page, contents, charts, running header, "Side x av y"), against bare
WeasyPrint on the same HTML; pages per second are printed.
"""
import sys
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.harness import (  # noqa: E402
    Row,
    bench_arguments,
    create_bench_app,
    dialect_label,
    interleaved,
    print_table,
)


def letter_context(app, email: str) -> dict:
    """What _decision_letter() in app/abroad/application_views.py passes, for a denied application."""
    from app.abroad import letters, services
    from app.abroad.models import Application, Decision
    from app.auth.models import User
    from app.cases.interface import letter_addressees
    from app.cases.models import Case
    from app.core.regions import unit_contact
    from app.extensions import db
    user = db.session.scalar(sa.select(User).where(User.email == email))
    application = db.session.scalar(sa.select(Application).where(
        Application.office == user.office, Application.decision == Decision.DENIED).order_by(Application.id).limit(1))
    if application is None:
        raise SystemExit("no decided application in the data set")
    case = db.session.get(Case, application.case_id)
    return dict(case=case, patient=case.patient, application=application, decision=application.decision,
                patient_name=case.patient_name, addressees=letter_addressees(case, application.decided_on),
                contact=unit_contact(case.unit), subject_line=letters.SUBJECT_LINE, copies=letters.copies(application),
                attachments=[],
                decided_on=application.decided_on or date.today(), legal_basis=services.LEGAL_BASIS,
                reasoning="Tilbudet i Norge er faglig forsvarlig.\nVilkårene i prioriteringsforskriften § 3 er "
                          "ikke oppfylt.", citation=None, office=case.unit, sender=user.name,
                appeal_weeks=services.APPEAL_WEEKS, board=services.BOARD_NAME,
                experimental_notice=services.experimental_notice(application))


def main(argv: list[str] | None = None) -> None:
    parser = bench_arguments(__doc__, rounds=30, warmup=3)
    parser.add_argument("--report-rounds", type=int, default=5, help="rounds of the annual report PDF (default 5)")
    parser.add_argument("--year", type=int, help="the annual report's year (default: the last full year in the data)")
    args = parser.parse_args(argv)
    from flask import render_template
    from weasyprint import HTML

    from app.pdf import PDF_ASSETS, render_pdf
    app = create_bench_app(args.database_url, bare_routes=False)
    template = "abroad/pdf/decision_letter.html"
    with app.test_request_context():
        context = letter_context(app, args.user)
        html = render_template(template, **context)
        base_url = str(PDF_ASSETS) + "/"
        pages = len(HTML(string=html, base_url=base_url).render().pages)
        samples = interleaved({
            "render_pdf": lambda _i: render_pdf(template, **context),
            "bare WeasyPrint": lambda _i: HTML(string=html, base_url=base_url).write_pdf(),
        }, rounds=args.rounds, warmup=args.warmup)
    print(f"Decision letter PDF ({pages} page{'s' if pages != 1 else ''}) — {dialect_label(app)}, {args.rounds} "
          f"rounds (+{args.warmup} warm-up), interleaved")
    rows = [Row("render_pdf (app)", samples["render_pdf"]), Row("bare WeasyPrint", samples["bare WeasyPrint"])]
    for row in rows:
        row.extra["pages/s"] = f"{pages / (row.median / 1000):.1f}"
    print_table(f"{template}", rows, baseline="bare WeasyPrint", extra_columns=("pages/s",),
                goal="render_pdf ≤ 1.2× bare WeasyPrint; p95 ≤ 600 ms (B8)")
    annual_report(app, args)


def annual_report(app, args) -> None:
    """The annual treatment-abroad report's PDF: pages per second, app vs bare WeasyPrint."""
    from flask import render_template
    from weasyprint import HTML

    from app.abroad.statistics import build_report
    from app.pdf import PDF_ASSETS
    from app.reports.formats import local_time, region_label, to_pdf
    from app.reports.registry import ReportRequest
    from bench.annual_report import default_year

    year = args.year or default_year(app)
    with app.test_request_context():
        report = build_report(ReportRequest(year=year), lambda _percent, _step: None)
        html = render_template("reports/pdf/report.html", report=report, region_label=region_label(report.region),
                               generated_at=local_time(report.generated_at))
        base_url = str(PDF_ASSETS) + "/"
        pages = len(HTML(string=html, base_url=base_url).render().pages)
        samples = interleaved({
            "to_pdf": lambda _i: to_pdf(report),
            "bare WeasyPrint": lambda _i: HTML(string=html, base_url=base_url).write_pdf(),
        }, rounds=args.report_rounds, warmup=1)
    print(f"\nAnnual report PDF, treatment abroad {year} ({pages} pages) — {dialect_label(app)}, "
          f"{args.report_rounds} rounds (+1 warm-up), interleaved")
    rows = [Row("to_pdf (app)", samples["to_pdf"]), Row("bare WeasyPrint", samples["bare WeasyPrint"])]
    for row in rows:
        row.extra["pages/s"] = f"{pages / (row.median / 1000):.1f}"
    print_table("reports/pdf/report.html", rows, baseline="bare WeasyPrint", extra_columns=("pages/s",),
                goal="≥ 2.5 pages/s (a 30-page report in ≤ 12 s) (B8)")


if __name__ == "__main__":
    main()
