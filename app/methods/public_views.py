"""Public Nye Metoder pages (no login), like nyemetoder.no's «Finn metode»: the method list with
search and filters, a method's page and the decision overview as XLSX.

Only what nyemetoder.no publishes is shown. Never here: price notes, internal comments, contact
persons, user names, case numbers or anything else from the case core, status-change comments,
input summaries or follow-up assignments (their members are named people).
"""
from datetime import date

from flask import Blueprint, abort, render_template, request, url_for
from sqlalchemy import select
from wtforms import SelectField

from app.exports import Spreadsheet, file_response
from app.extensions import db, limiter
from app.forms import choices
from app.methods.forms import MethodFilterForm
from app.methods.models import Method, MethodStatus, MethodType
from app.methods.queries import MethodFilter, search_methods
from app.methods.services import SUBJECT_AREAS, find_method
from app.pagination import page_arg

bp = Blueprint("public_methods", __name__, url_prefix="/nye-metoder", template_folder="templates")

PER_PAGE = 50
FILTER_PARAMS = ("q", "method_type", "subject_area", "status", "year")

XLSX_COLUMNS = [  # (header, width in characters)
    ("ID-nr", 14), ("Virkestoff", 28), ("Handelsenavn", 28), ("Bruksområde (indikasjon)", 50),
    ("Metodetype", 24), ("Fagområde", 28), ("Dato siste beslutning", 16),
    ("Gjeldende beslutning Kortversjon", 30), ("Gjeldende beslutning (Hele)", 80),
]


class PublicMethodFilterForm(MethodFilterForm):
    """The internal list's filters plus subject area and year, all in the URL."""

    subject_area = SelectField("Fagområde", choices=choices(((area, area) for area in SUBJECT_AREAS), blank="Alle"))
    year = SelectField("År", choices=[])


def _filter_from_args() -> tuple[PublicMethodFilterForm, MethodFilter]:
    form = PublicMethodFilterForm(request.args)
    years = db.session.scalars(select(Method.year).distinct().order_by(Method.year.desc())).all()
    form.year.choices = choices(((str(year), str(year)) for year in years), blank="Alle")
    year = request.args.get("year", type=int)
    method_filter = MethodFilter(
        text=(form.q.data or "")[:200],
        status=MethodStatus(form.status.data) if form.status.data in {s.value for s in MethodStatus} else None,
        method_type=MethodType(form.method_type.data) if form.method_type.data in {t.value for t in MethodType}
        else None,
        subject_area=form.subject_area.data if form.subject_area.data in SUBJECT_AREAS else None,
        year=year if year is not None and 1900 <= year <= 2100 else None)
    return form, method_filter


def _filter_args() -> dict:
    """The filter parameters of the current URL (no page), for links that keep them."""
    return {name: request.args[name] for name in FILTER_PARAMS if request.args.get(name)}


@bp.get("/")
def index():
    form, method_filter = _filter_from_args()
    result = search_methods(method_filter, page=page_arg(), per_page=PER_PAGE)
    return render_template("public_methods/index.html", form=form, result=result,
                           xlsx_url=url_for("public_methods.decisions_xlsx", **_filter_args()))


@bp.get("/beslutninger.xlsx")
@limiter.limit("30 per minute")
def decisions_xlsx():
    _form, method_filter = _filter_from_args()
    rows = []
    page, pages = 1, 1
    while page <= pages:
        result = search_methods(method_filter, page=page, per_page=500)
        rows.extend((method, method.current_decision) for method in result.items)
        pages, page = result.pages, page + 1
    content = _decisions_workbook([(method, decision) for method, decision in rows if decision is not None])
    return file_response(content, "xlsx", f"Beslutninger Nye Metoder {date.today():%Y-%m-%d}.xlsx")


@bp.get("/<reference>")
def detail(reference: str):
    method = find_method(reference)
    if method is None:
        abort(404)
    decisions = method.decisions
    replaced_by = {decision.supersedes_id: decision for decision in decisions if decision.supersedes_id}
    return render_template("public_methods/detail.html", method=method, current=method.current_decision,
                           earlier_decisions=[d for d in reversed(decisions) if d.id in replaced_by],
                           replaced_by=replaced_by)


def _full_decision(decision) -> str:
    text = "\n".join(decision.points)
    if decision.conditions:
        text += f"\n\nVilkår: {decision.conditions}"
    return text


def _decisions_workbook(rows) -> bytes:
    spreadsheet = Spreadsheet()
    sheet = spreadsheet.sheet("Beslutninger")
    sheet.append([header for header, _width in XLSX_COLUMNS], bold=True, wrap=True)
    sheet.widths(width for _header, width in XLSX_COLUMNS)
    number_formats = [None] * 6 + ["DD.MM.YYYY"]
    for method, decision in rows:
        sheet.append([method.reference, method.generic_name, method.product_names, method.indication,
                      method.method_type.label, ", ".join(method.subject_areas or []), decision.decided_on,
                      decision.outcome.label, _full_decision(decision)], number_formats=number_formats, wrap=True)
    sheet.freeze_header()
    sheet.filter_header()
    return spreadsheet.to_bytes()
