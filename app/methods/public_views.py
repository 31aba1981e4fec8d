"""Public Nye Metoder pages (no login), like nyemetoder.no's «Finn metode»: the method list with
search and filters, a method's page and the decision overview as XLSX.

Only what nyemetoder.no publishes is shown. Never here: price notes, internal comments, contact
persons, user names, case numbers or anything else from the case core, status-change comments,
input summaries or follow-up assignments (their members are named people).
"""
from datetime import date

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from app.exports import ROW_LIMIT, Spreadsheet, file_response
from app.extensions import limiter
from app.listing import all_rows, list_page
from app.methods.lists import PUBLIC_METHODS
from app.methods.services import find_method

bp = Blueprint("public_methods", __name__, url_prefix="/nye-metoder", template_folder="templates")

XLSX_COLUMNS = [  # (header, width in characters)
    ("ID-nr", 14), ("Virkestoff", 28), ("Handelsenavn", 28), ("Bruksområde (indikasjon)", 50),
    ("Metodetype", 24), ("Fagområde", 28), ("Dato siste beslutning", 16),
    ("Gjeldende beslutning Kortversjon", 30), ("Gjeldende beslutning (Hele)", 80),
]


@bp.get("/")
def index():
    """The public list: published fields only, nothing logged (no personal data, no user)."""
    return list_page(PUBLIC_METHODS, "public_methods/index.html")


@bp.get("/beslutninger.xlsx")
@limiter.limit("30 per minute")
def decisions_xlsx():
    """The decided methods of the filtered list, in the list's order, with their current decision."""
    methods = all_rows(PUBLIC_METHODS, request.args, current_user, limit=ROW_LIMIT)
    content = _decisions_workbook([(method, method.current_decision) for method in methods
                                   if method.current_decision is not None])
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
