"""Public Nye Metoder pages (no login), like nyemetoder.no's «Finn metode»: the method list with
search and filters, a method's page with its published documents (the assessment, the meetings' papers, the
reports marked published), the decision overview as XLSX and CSV, and the Atom feeds of changes (site-wide,
of a filtered list and per method).

Only what app/methods/public.py publishes is shown. Never here: price notes, internal comments, contact
persons, user names, case numbers or anything else from the case core, status-change comments,
input summaries, follow-up assignments (their members are named people) or a draft assessment.
"""
from datetime import UTC, date, datetime

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from app.cases.interface import get_case, read_version
from app.exports import ROW_LIMIT, Spreadsheet, csv_bytes, file_response
from app.extensions import db, limiter
from app.http import content_disposition
from app.listing import all_rows, list_page
from app.methods import assessment_services, meeting_papers, public
from app.methods.assessment_layout import PUBLIC_ASSESSMENT_SECTIONS
from app.methods.feeds import atom_feed
from app.methods.lists import PUBLIC_METHODS
from app.methods.models import CommissionReport, Meeting, MeetingPaperKind
from app.methods.services import TAGS, find_method
from app.pdf import render_pdf

bp = Blueprint("public_methods", __name__, url_prefix="/nye-metoder", template_folder="templates")

OVERVIEW_COLUMNS = [  # (header, width in characters in the XLSX)
    ("ID-nr", 14), ("Virkestoff", 28), ("Handelsenavn", 28), ("Bruksområde (indikasjon)", 50),
    ("Metodetype", 24), ("Fagområde", 28), ("Dato siste beslutning", 16),
    ("Gjeldende beslutning Kortversjon", 30), ("Gjeldende beslutning (Hele)", 80),
]


@bp.get("/")
def index():
    """The public list: published fields only, nothing logged (no personal data, no user)."""
    return list_page(PUBLIC_METHODS, "public_methods/index.html")


@bp.get("/beslutninger.<any(xlsx, csv):fmt>")
@limiter.limit("30 per minute")
def decisions_overview(fmt: str):
    """The decided methods of the filtered list, in the list's order, with their current decision."""
    methods = all_rows(PUBLIC_METHODS, request.args, current_user, limit=ROW_LIMIT)
    rows = [_overview_row(method, method.current_decision) for method in methods
            if method.current_decision is not None]
    content = _overview_workbook(rows) if fmt == "xlsx" else csv_bytes(
        [header for header, _width in OVERVIEW_COLUMNS], rows)
    return file_response(content, fmt, f"Beslutninger Nye Metoder {date.today():%Y-%m-%d}.{fmt}")


@bp.get("/endringer.atom")
@limiter.limit("60 per minute")
def changes_feed():
    """The newest published changes of every method, or of the methods the list's filters in the query string
    select (the list page links to the feed of its filter); a value the list cannot use is left out, as there."""
    changes, values = public.list_changes(request.args, current_user)
    args = {key: request.args.getlist(key) for key in values}
    title = "Endringer i Nye Metoder" + (f" ({_filter_summary(values)})" if values else "")
    return atom_feed(title, changes,
                     self_url=url_for(".changes_feed", **args, _external=True),
                     page_url=url_for(".index", **args, _external=True))


def _filter_summary(values: dict) -> str:
    """The filters in force as the feed's title names them: «Metodetype: Legemidler, ATC-kode: L01»."""
    shown = []
    for list_filter in PUBLIC_METHODS.filters:
        if list_filter.key in values:
            value = str(values[list_filter.key])
            shown.append(f"{list_filter.label}: {dict(list_filter.options()).get(value, value)}")
    return ", ".join(shown)


@bp.get("/<reference>")
def detail(reference: str):
    method = _method_or_404(reference)
    decisions = method.decisions
    replaced_by = {decision.supersedes_id: decision for decision in decisions if decision.supersedes_id}
    return render_template("public_methods/detail.html", method=method, current=method.current_decision,
                           earlier_decisions=[d for d in reversed(decisions) if d.id in replaced_by],
                           replaced_by=replaced_by, assessment=public.published_assessment(method),
                           assessment_published_on=public.assessment_published_on(method),
                           last_updated=public.last_updated(method), papers=public.published_papers(method),
                           report_files={report.id for report in public.published_reports(method)})


@bp.get("/<reference>/endringer.atom")
@limiter.limit("60 per minute")
def method_feed(reference: str):
    method = _method_or_404(reference)
    return atom_feed(f"Endringer for {method.reference} {method.title}", public.method_changes(method),
                     self_url=url_for(".method_feed", reference=method.reference, _external=True),
                     page_url=url_for(".detail", reference=method.reference, _external=True))


@bp.get("/<reference>/egnethetsvurdering.pdf")
@limiter.limit("30 per minute")
def assessment_pdf(reference: str):
    """The published suitability assessment as a PDF (a draft is unknown here: 404)."""
    method = _method_or_404(reference)
    assessment = public.published_assessment(method)
    if assessment is None:
        abort(404)
    pdf = render_pdf("methods/pdf/assessment.html", method=method, assessment=assessment, tag_labels=TAGS,
                     registry_url=assessment_services.registry_url, assessment_sections=PUBLIC_ASSESSMENT_SECTIONS,
                     printed_at=datetime.now(UTC), printed_by=None)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(f"{method.reference}-egnethetsvurdering.pdf")
    return response


@bp.get("/<reference>/rapporter/<int:report_id>")
@limiter.limit("30 per minute")
def report_file(reference: str, report_id: int):
    """A delivered report's file, when it is marked published (any other is unknown here: 404)."""
    method = _method_or_404(reference)
    report = next((report for report in public.published_reports(method) if report.id == report_id), None)
    document = _report_document(method, report) if report else None
    if document is None or not document.versions:
        abort(404)
    version = document.versions[-1]
    response = Response(read_version(version), mimetype=version.mime_type)
    response.headers["Content-Disposition"] = content_disposition(version.filename)
    return response


def _report_document(method, report: CommissionReport):
    return next((document for document in get_case(method.case_id).documents if document.id == report.document_id),
                None)


@bp.get("/moter/<int:meeting_id>/<any(innkalling, protokoll):kind>.pdf")
@limiter.limit("30 per minute")
def meeting_paper(meeting_id: int, kind: str):
    """A meeting's published paper as the public copy (meeting_papers.render_public_paper); a paper that is not
    published, or a meeting without one, is unknown here: 404."""
    meeting = db.session.get(Meeting, meeting_id)
    paper_kind = MeetingPaperKind(kind)
    if meeting is None or paper_kind not in {paper.kind for paper in meeting.published} or (
            paper_kind is MeetingPaperKind.MINUTES and not meeting.minutes):
        abort(404)
    response = Response(meeting_papers.render_public_paper(meeting, paper_kind), mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(
        f"{meeting.forum.value}-{meeting.meeting_date:%Y-%m-%d}-{kind}.pdf")
    return response


def _method_or_404(reference: str):
    method = find_method(reference)
    if method is None:
        abort(404)
    return method


def _overview_row(method, decision) -> list:
    return [method.reference, method.generic_name, method.product_names, method.indication,
            method.method_type.label, ", ".join(method.subject_areas or []), decision.decided_on,
            decision.outcome.label, public.decision_text(decision)]


def _overview_workbook(rows) -> bytes:
    spreadsheet = Spreadsheet()
    sheet = spreadsheet.sheet("Beslutninger")
    sheet.append([header for header, _width in OVERVIEW_COLUMNS], bold=True, wrap=True)
    sheet.widths(width for _header, width in OVERVIEW_COLUMNS)
    number_formats = [None] * 6 + ["DD.MM.YYYY"]
    for row in rows:
        sheet.append(row, number_formats=number_formats, wrap=True)
    sheet.freeze_header()
    sheet.filter_header()
    return spreadsheet.to_bytes()
