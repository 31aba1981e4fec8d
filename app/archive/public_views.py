"""The public journal (no login): the posts the case core publishes for a period and unit, as a page, a CSV and
offentligJournal.xml (Noark 5, the format eInnsyn takes), and the form that sends a unit an access request
(innsynskrav). What a post shows is decided in the case core (app.cases.interface.PublicPost); nothing here
reads a title, a patient or a screened party. Nothing is logged per view: the page holds no personal data
beyond what offentleglova makes public."""
from datetime import date, datetime

from flask import Blueprint, Response, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.archive.extraction import Period, public_journal_xml
from app.archive.forms import AccessRequestForm
from app.archive.lists import PUBLIC_JOURNAL, default_start
from app.cases.interface import check_access_request, register_access_request
from app.core.regions import UNITS, unit_name
from app.exports import ROW_LIMIT, csv_bytes, file_response
from app.extensions import limiter
from app.forms import submitted
from app.listing import all_rows, list_page

bp = Blueprint("public_journal", __name__, url_prefix="/offentlig-journal", template_folder="templates")
RECEIPT_KEY = "access_request_receipt"


@bp.get("/")
def index():
    return list_page(PUBLIC_JOURNAL, "public_journal/index.html", units=UNITS, default_start=default_start(),
                     unit=request.args.get("enhet") if request.args.get("enhet") in UNITS else None)


@bp.get("/journal.csv")
@limiter.limit("30 per minute")
def export_csv():
    """The filtered journal, every post up to the export limit, with the columns eInnsyn's journal lists."""
    posts = all_rows(PUBLIC_JOURNAL, request.args, current_user, limit=ROW_LIMIT)
    columns = [column for column in PUBLIC_JOURNAL.columns if column.value is not None]
    content = csv_bytes([column.label for column in columns], [[column.value(post) for column in columns]
                                                                for post in posts])
    return file_response(content, "csv", f"Offentlig journal {_period(request.args).label}.csv")


@bp.get("/journal.xml")
@limiter.limit("30 per minute")
def export_xml():
    """offentligJournal.xml (Noark 5 v5.0) of the period and unit, written by the archive extraction's writer."""
    period = _period(request.args)
    unit = request.args.get("enhet") if request.args.get("enhet") in UNITS else None
    content = public_journal_xml(period, unit=unit)
    if content is None:   # the schema asks for at least one post
        flash(f"Den offentlige journalen har ingen journalposter i perioden {period.label}, så det er ingen "
              "XML-fil å laste ned.", "info")
        return redirect(url_for(".index", **request.args.to_dict(flat=True)))
    response = Response(content, mimetype="application/xml")
    response.headers["Content-Disposition"] = f'attachment; filename="offentligJournal-{period.start}-{period.end}.xml"'
    return response


def _day(text: str | None) -> date | None:
    try:
        return datetime.strptime((text or "").strip(), "%d.%m.%Y").date()
    except ValueError:
        return None


def _period(args) -> Period:
    """The list's period: its dates where they are dates (the list ignores the others), by default the last week."""
    end = _day(args.get("til")) or date.today()
    start = _day(args.get("fra")) or default_start()
    return Period(min(start, end), end)


@bp.route("/innsyn", methods=["GET", "POST"])
@limiter.limit("10 per hour;3 per minute", methods=["POST"])
def access_request():
    """Ask to see posts: prefilled from a post's or case's «Be om innsyn» link (enhet, poster)."""
    unit = request.values.get("enhet")
    if unit not in UNITS:
        return redirect(url_for(".index"))
    form = AccessRequestForm(unit, data={"posts": request.args.get("poster", "")} if request.method == "GET" else None)
    case = None

    def register():
        nonlocal case
        case = register_access_request(form.command())

    if submitted(form, register, check=check_access_request):
        session[RECEIPT_KEY] = {"case": case.number, "unit": unit, "posts": form.posts.data,
                                "received": date.today().isoformat()}
        return redirect(url_for(".receipt"))
    return render_template("public_journal/access_request.html", form=form, unit=unit, unit_name=unit_name(unit))


@bp.get("/innsyn/kvittering")
def receipt():
    """The requester's receipt, from their own session only (no case number in the URL to guess)."""
    receipt = session.get(RECEIPT_KEY)
    if receipt is None:
        return redirect(url_for(".index"))
    return render_template("public_journal/receipt.html", receipt=receipt, unit_name=unit_name(receipt["unit"]),
                           received=date.fromisoformat(receipt["received"]))
