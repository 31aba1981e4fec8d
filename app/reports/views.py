"""Report pages under /rapporter: the list of reports a user may read, one page per report (and per
report and year) with the order form, the order's progress page with its JSON status, the downloads and
a retry. A page per registered kind is added when the blueprint is registered (the kinds are registered
first, from the app factory). Reports show aggregates only; reading and downloading them is audited."""
import json
from functools import wraps

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.core.audit import AuditAction, record_access
from app.core.roles import Role
from app.errors import DomainError, JobsUnavailable
from app.extensions import db
from app.forms import CsrfOnlyForm, saved, show_error
from app.http import content_disposition
from app.listing import ListPage, list_page, run_list
from app.reports import orders, publishing
from app.reports.charts import render_chart
from app.reports.formats import FORMATS, filename, format_cell, region_label
from app.reports.forms import PublishForm, order_form
from app.reports.lists import ORDERS, PUBLISHED
from app.reports.models import PublishedReport
from app.reports.registry import ReportKind, can_read, get_kind, may_read_region, readable_kinds, report_kinds
from app.reports.reminders import due_reminders
from app.security import role_required

bp = Blueprint("reports", __name__, url_prefix="/rapporter", template_folder="templates")


@bp.app_template_global("report_reminders")
def report_reminders(user):
    return due_reminders(user) if getattr(user, "is_authenticated", False) else []


@bp.app_template_filter("report_kind_title")
def kind_title(name: str) -> str:
    kind = get_kind(name)
    return kind.title if kind else name


bp.add_app_template_global(render_chart, "report_chart")
bp.add_app_template_filter(format_cell, "report_cell")
bp.add_app_template_filter(region_label, "report_region")


def readers_only(view):
    """Logged in, with a role that reads at least one registered report (403 otherwise)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        roles = {Role.ANALYST, *(role for kind in report_kinds() for role in kind.roles)}
        return role_required(*roles)(view)(*args, **kwargs)
    return wrapped


def _audit_name(kind: ReportKind, year: int, region: str | None) -> str:
    return f"{kind.name}:{year}:{region or 'alle'}"


def _kind_or_403(name: str) -> ReportKind:
    kind = get_kind(name)
    if kind is None:
        abort(404)
    if not can_read(current_user, kind):
        record_access(AuditAction.DENIED, "report", kind.name)
        abort(403)
    return kind


def _order_or_404(order_id: int) -> orders.Order:
    try:
        order = orders.find_order(order_id, current_user)
    except JobsUnavailable as error:
        abort(503, str(error))
    if order is None:
        abort(404)
    return order


def _jobs_unavailable(error: JobsUnavailable) -> None:
    """Say once per page that the job queue cannot be reached; the page works without the orders."""
    if not g.get("jobs_unavailable_shown"):
        g.jobs_unavailable_shown = True
        flash(str(error), "error")


def _say_if_queue_unreachable(result: ListPage) -> ListPage:
    if any(order.state == "unknown" for order in result.items):
        _jobs_unavailable(JobsUnavailable())
    return result


@bp.get("/")
@readers_only
def index():
    """The reports the user may make, and the user's orders (app.reports.orders.ORDERS)."""
    kinds = readable_kinds(current_user)
    if not kinds:
        abort(403)
    result = _say_if_queue_unreachable(run_list(ORDERS, request.args, current_user, html=True))
    return render_template("reports/index.html", kinds=kinds, result=result, reminders=due_reminders(current_user))


def order(kind: str, year: int | None = None):
    """The report's page: the order form (GET /<slug>/<year> first looks for an order already made)."""
    report_kind = _kind_or_403(kind)
    region = request.args.get("region") or None
    if request.method == "GET" and year is not None:
        try:
            existing = orders.latest_order(current_user, report_kind, year, region)
        except JobsUnavailable as error:
            _jobs_unavailable(error)
            existing = None
        if existing is not None:
            return redirect(url_for("reports.show_order", order_id=existing.id))
    form = order_form(report_kind, current_user, year=year, region=region)
    if form.validate_on_submit():
        try:
            placed = orders.place_order(current_user, report_kind, year=int(form.year.data),
                                        region=form.chosen_region(), notes=form.notes())
        except JobsUnavailable as error:
            db.session.rollback()
            _jobs_unavailable(error)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return redirect(url_for("reports.show_order", order_id=placed.id))
    mine = _say_if_queue_unreachable(run_list(ORDERS, MultiDict({"rapport": report_kind.name}),
                                              current_user, html=True))
    return render_template("reports/kind.html", kind=report_kind, form=form, year=year, result=mine)


@bp.get("/bestillinger/<int:order_id>")
@readers_only
def show_order(order_id: int):
    return _order_page(_order_or_404(order_id), PublishForm())


def _order_page(placed: orders.Order, publish_form: PublishForm, status: int = 200):
    """Progress while the job runs; the report itself (exact numbers), with its downloads, when it is done, and
    what it changes in the published version (publishing.changes_since_published)."""
    result = placed.result()
    published, changes = publishing.changes_since_published(placed)
    page = render_template("reports/order.html", order=placed, report=result["report"] if result else None,
                           formats=FORMATS, retry_form=CsrfOnlyForm(), publish_form=publish_form,
                           may_publish=publishing.may_publish(current_user, placed.kind), published=published,
                           changes=changes), status
    if result:
        record_access(AuditAction.VIEW, "report", _audit_name(placed.kind, placed.year, placed.region),
                      details={"order": placed.id})
    return page


@bp.post("/bestillinger/<int:order_id>/publiser")
@readers_only
def publish(order_id: int):
    placed = _order_or_404(order_id)
    if not publishing.may_publish(current_user, placed.kind):
        abort(403)
    form = PublishForm()
    published: list[PublishedReport] = []
    if form.validate_on_submit() and saved(form, lambda: published.append(
            publishing.publish(placed, current_user, form.note.data))):
        flash(f"Rapporten er publisert som versjon {published[0].version}.", "success")
        return redirect(url_for("reports.publication", publication_id=published[0].id))
    return _order_page(placed, form)


# Published reports

@bp.get("/publisert/")
@readers_only
def publications():
    return list_page(PUBLISHED, "reports/publications.html", kinds=readable_kinds(current_user))


def _publication_or_404(publication_id: int) -> PublishedReport:
    """A published report the user may read (the same rule as its order: kind and region)."""
    row = db.session.get(PublishedReport, publication_id)
    kind = get_kind(row.kind) if row is not None else None
    if kind is None or not may_read_region(current_user, kind, row.region):
        abort(404)
    return row


@bp.get("/publisert/<int:publication_id>")
@readers_only
def publication(publication_id: int):
    row = _publication_or_404(publication_id)
    versions = db.session.scalars(select(PublishedReport).where(
        PublishedReport.kind == row.kind, PublishedReport.year == row.year,
        PublishedReport.region.is_(None) if row.region is None else PublishedReport.region == row.region)
        .order_by(PublishedReport.version)).all()
    record_access(AuditAction.VIEW, "report_publication", row.id)
    return render_template("reports/publication.html", publication=row, kind=get_kind(row.kind), versions=versions)


PUBLISHED_FORMATS = {"pdf": FORMATS["pdf"][0], "xlsx": FORMATS["xlsx"][0], "json": FORMATS["json"][0]}


@bp.get("/publisert/<int:publication_id>/rapport.<any(pdf, xlsx, json):fmt>")
@readers_only
def publication_file(publication_id: int, fmt: str):
    """The published file as stored: the PDF, the XLSX, or the published figures as JSON."""
    row = _publication_or_404(publication_id)
    content = {"pdf": lambda: row.pdf, "xlsx": lambda: row.xlsx,
               "json": lambda: json.dumps({"kind": row.kind, "year": row.year, "region": row.region,
                                           "version": row.version, "published_at": row.published_at.isoformat(),
                                           "note": row.note, "threshold": row.threshold, "tables": row.figures},
                                          ensure_ascii=False, indent=2).encode("utf-8")}[fmt]()
    record_access(AuditAction.EXPORT, "report_publication", row.id, details={"format": fmt})
    response = Response(content, mimetype=PUBLISHED_FORMATS[fmt])
    region = f"-{row.region}" if row.region else ""
    response.headers["Content-Disposition"] = content_disposition(
        f"rapport-{row.kind}-{row.year}{region}-versjon-{row.version}.{fmt}")
    return response


@bp.get("/bestillinger/<int:order_id>/status")
@readers_only
def order_status(order_id: int):
    return _order_or_404(order_id).status()


def download(order_id: int, fmt: str):
    placed = _order_or_404(order_id)
    result = placed.result()
    if result is None or fmt not in result["files"]:
        abort(404)
    report = result["report"]
    record_access(AuditAction.EXPORT, "report", _audit_name(placed.kind, placed.year, placed.region),
                  details={"order": placed.id, "format": fmt})
    response = Response(result["files"][fmt], mimetype=FORMATS[fmt][0])
    response.headers["Content-Disposition"] = content_disposition(filename(report, fmt))
    return response


@bp.post("/bestillinger/<int:order_id>/prov-igjen")
@readers_only
def retry(order_id: int):
    placed = _order_or_404(order_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        again = orders.retry(placed, current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("reports.show_order", order_id=placed.id))
    db.session.commit()
    return redirect(url_for("reports.show_order", order_id=again.id))


@bp.record
def _add_kind_routes(state) -> None:
    """One URL per registered kind (/rapporter/utenlandsbehandling/2020): a fixed path per kind, with the
    kind's name as a default, so url_for("reports.order", kind="abroad") finds it."""
    for report_kind in report_kinds():
        state.add_url_rule(f"/{report_kind.slug}/", "order", _order_view, methods=["GET", "POST"],
                           defaults={"kind": report_kind.name})
        state.add_url_rule(f"/{report_kind.slug}/<int:year>", "order", _order_view, methods=["GET", "POST"],
                           defaults={"kind": report_kind.name})
    for fmt in FORMATS:
        state.add_url_rule(f"/bestillinger/<int:order_id>/rapport.{fmt}", "download", _download_view,
                           defaults={"fmt": fmt})


# One function object per endpoint: Flask refuses two different view functions for one endpoint.
_order_view = readers_only(order)
_download_view = readers_only(download)
