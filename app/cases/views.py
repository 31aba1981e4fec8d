"""Case core pages: dashboard, case list, case detail, and the journal, documents and deadlines."""
from datetime import date
from typing import NamedTuple

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth.models import User
from app.cases import deadlines as deadline_service
from app.cases import documents as document_service
from app.cases import jobs, saved_filters, services
from app.cases import search as search_service
from app.cases.access import can_edit, get_case_or_404, users_who_can_edit
from app.cases.forms import (
    AssignForm,
    CompleteDeadlineForm,
    DeadlineForm,
    DocumentForm,
    DocumentVersionForm,
    EditCaseForm,
    FollowUpForm,
    JournalEntryForm,
    ResponsibleForm,
    SavedFilterForm,
    StatusForm,
)
from app.cases.history import case_history
from app.cases.lists import CASE_QUEUE, CASES
from app.cases.models import (
    Case,
    CaseKind,
    CaseStatus,
    Deadline,
    Document,
    JournalEntry,
    JournalEntryType,
    PartyType,
)
from app.cases.queries import my_cases, queue_caseworkers, queue_workload
from app.core.audit import AuditAction, record_access, record_list
from app.core.regions import region_name, unit_name
from app.core.roles import Role
from app.errors import JobsUnavailable
from app.extensions import db
from app.forms import CsrfOnlyForm, button_pressed, choices, saved, submitted
from app.http import content_disposition, owned_or_404
from app.listing import export_file, list_page
from app.modules import dashboard_parts
from app.security import download_limit, role_required, safe_next_url

bp = Blueprint("cases", __name__, template_folder="templates")
# The case core's names for codes, for every page (each module shows regions, units and deadlines).
bp.add_app_template_filter(unit_name, "office_name")
bp.add_app_template_filter(region_name, "region_name")
bp.add_app_template_filter(lambda kind: deadline_service.DEADLINE_KINDS.get(kind, kind), "deadline_kind")


DASHBOARD_CASES = 20


DASHBOARD_DEADLINES = 50


class _Shown(NamedTuple):
    """A case a dashboard row showed, for the list's audit row."""

    id: int
    patient_id: int | None


@bp.get("/")
@login_required
def dashboard():
    """The user's own work: the deadlines of their role's cases (the case core's and the modules', e.g. a
    commission's delivery for the methods secretariat), each module's boxes, their cases and saved filters."""
    today = date.today()
    mine, more_mine = my_cases(current_user, DASHBOARD_CASES)
    parts = dashboard_parts(current_user, today)
    deadlines = sorted([*deadline_service.deadline_rows(deadline_service.open_deadlines(
        current_user, responsible_only=False, own_work=True, limit=DASHBOARD_DEADLINES)),
        *(row for part in parts for row in part.deadlines)], key=lambda row: (row.due_on, row.case_number))
    boxes = [box for part in parts for box in part.boxes]
    page = render_template(
        "cases/dashboard.html", mine=mine, more_mine=more_mine, today=today,
        deadlines=deadlines[:DASHBOARD_DEADLINES], boxes=boxes,
        my_deadlines=deadline_service.open_deadlines(current_user, responsible_only=True),
        saved_filters=saved_filters.saved_filters(current_user),
    )
    shown = [*mine, *(_Shown(row.case_id, row.patient_id)
                                        for row in [*deadlines[:DASHBOARD_DEADLINES], *(
                                            row for box in boxes for row in box.rows)])]
    record_list(shown, context="dashboard")
    return page


@bp.get("/sok")
@login_required
def search():
    """The header search's page: the hits grouped by kind, all within the user's scope, the patients shown
    logged as a list (a national ID's look-up is logged by the search itself)."""
    result = search_service.search(current_user, request.args.get("q", ""))
    page = render_template("cases/search.html", result=result)
    record_list(result.shown, context="søk")
    return page


@bp.get("/saker")
@login_required
def list_all():
    return list_page(CASES, "cases/list.html")


@bp.get("/saker/arbeidsko")
@role_required(Role.METHODS_SECRETARIAT, Role.PANEL_SECRETARIAT, Role.ABROAD_CASEWORKER)
def queue():
    """The work queue of the open cases the user may change (new, without a caseworker, mine, deadline passed),
    each assignable to a caseworker of its unit, and the workload per caseworker."""
    return list_page(CASE_QUEUE, "cases/queue.html", caseworkers=queue_caseworkers(current_user),
                     workload=queue_workload(current_user, date.today()))


@bp.get("/saker/eksport.<any(csv, xlsx):fmt>")
@login_required
@download_limit
def export_list(fmt: str):
    return export_file(CASES, fmt, filename="saker", title="Saker")


@bp.get("/saker/<int:case_id>")
@login_required
def detail(case_id: int):
    case = get_case_or_404(case_id)
    page = render_template("cases/detail.html", case=case, editable=can_edit(current_user, case),
                           today=date.today(), follow_up_methods=services.FOLLOW_UP_METHODS,
                           history=case_history(case))
    record_access(AuditAction.VIEW, "case", case.id, case=case)
    return page


@bp.route("/saker/<int:case_id>/endre", methods=["GET", "POST"])
@login_required
def edit(case_id: int):
    case = get_case_or_404(case_id, need="edit")
    form = EditCaseForm(obj=case)
    form.responsible_id.choices = choices((user.id, user.name) for user in users_who_can_edit(case))
    if form.validate_on_submit() and saved(form, lambda: services.update_case(
            case, expected_version=form.version.data, title=form.title.data,
            responsible_id=form.responsible_id.data, reason=form.reason.data, actor=current_user)):
        flash("Endringene er lagret.", "success")
        return redirect(url_for("cases.detail", case_id=case_id))
    if form.conflict:
        # The page shows the stored version beside what the user typed; saving again overwrites it.
        form.adopt_version(case.version)
    page = render_template("cases/edit.html", form=form, case=case)
    record_access(AuditAction.VIEW, "case", case.id, case=case, details={"page": "edit"})
    return page, 409 if form.conflict else 200


@bp.route("/saker/<int:case_id>/status", methods=["GET", "POST"])
@login_required
def change_status(case_id: int):
    case = get_case_or_404(case_id, need="edit")
    form = StatusForm(obj=case) if request.method == "GET" else StatusForm()

    def offer_allowed_statuses():
        allowed = services.statuses_by_hand(case)
        form.status.choices = choices((status.value, status.label) for status in CaseStatus if status in allowed)

    offer_allowed_statuses()
    if form.validate_on_submit() and saved(form, lambda: services.change_status_by_hand(
            case, CaseStatus(form.status.data), expected_version=form.version.data, comment=form.comment.data,
            actor=current_user)):
        flash("Statusen er endret.", "success")
        return redirect(url_for("cases.detail", case_id=case_id))
    if form.conflict:
        form.adopt_version(case.version)
        offer_allowed_statuses()
    return _form_page("cases/status.html", case, "status", 409 if form.conflict else 200, form=form)


@bp.route("/saker/<int:case_id>/journal/ny", methods=["GET", "POST"])
@login_required
def new_journal_entry(case_id: int):
    case = get_case_or_404(case_id, need="edit")
    form = JournalEntryForm()

    def register():
        entry = services.add_journal_entry(
            case, entry_type=JournalEntryType(form.entry_type.data), title=form.title.data,
            journal_date=form.journal_date.data, document_date=form.document_date.data,
            party_name=form.party_name.data,
            party_type=PartyType(form.party_type.data) if form.party_type.data else None,
            party_address=services.PartyAddress(form.party_street.data, form.party_postal_code.data,
                                                form.party_postal_place.data),
            party_screened=form.party_screened.data, actor=current_user)
        upload = form.file.data
        if upload and upload.filename:
            document_service.attach_document(case, title=form.title.data, filename=upload.filename,
                                             content=upload.read(), actor=current_user, journal_entry=entry)

    if submitted(form, register, check=lambda draft: services.check_journal_entry(case, **draft)):
        flash("Journalposten er registrert.", "success")
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="journal"))
    return _form_page("cases/journal_new.html", case, "ny journalpost", form=form)


def _form_page(template: str, case: Case, page: str, status: int = 200, **context):
    """A form page of a case, fresh or refused: it opens the patient's case, so it is logged (Normen), after
    rendering (nothing pending)."""
    html = render_template(template, case=case, **context)
    record_access(AuditAction.VIEW, "case", case.id, case=case, details={"page": page})
    return html, status


@bp.post("/saker/<int:case_id>/journal/<int:entry_id>/avskriv")
@login_required
def complete_follow_up(case_id: int, entry_id: int):
    case = get_case_or_404(case_id, need="edit")
    entry = owned_or_404(JournalEntry, entry_id, case_id=case.id)
    form = FollowUpForm()
    return button_pressed(form, lambda: services.complete_follow_up(
        entry, method=form.method.data, expected_version=form.version.data, actor=current_user),
        done="Journalposten er avskrevet.", back_to=url_for("cases.detail", case_id=case_id, _anchor="journal"))


@bp.route("/saker/<int:case_id>/dokumenter/ny", methods=["GET", "POST"])
@login_required
def new_document(case_id: int):
    case = get_case_or_404(case_id, need="edit")
    form = DocumentForm()
    if form.validate_on_submit() and saved(form, lambda: document_service.attach_document(
            case, title=form.title.data, filename=form.file.data.filename, content=form.file.data.read(),
            actor=current_user)):
        flash("Dokumentet er lastet opp.", "success")
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="dokumenter"))
    return _form_page("cases/document_new.html", case, "nytt dokument", form=form)


@bp.route("/saker/<int:case_id>/dokumenter/<int:document_id>/ny-versjon", methods=["GET", "POST"])
@login_required
def new_document_version(case_id: int, document_id: int):
    case = get_case_or_404(case_id, need="edit")
    document = owned_or_404(Document, document_id, case_id=case.id)
    form = DocumentVersionForm()
    if form.validate_on_submit() and saved(form, lambda: document_service.add_version(
            document, filename=form.file.data.filename, content=form.file.data.read(), actor=current_user)):
        flash("Ny versjon er lastet opp.", "success")
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="dokumenter"))
    page = render_template("cases/document_version_new.html", form=form, case=case, document=document)
    record_access(AuditAction.VIEW, "document", document.id, case=case)
    return page


@bp.get("/saker/<int:case_id>/dokumenter/<int:document_id>/versjoner/<int:version_number>")
@login_required
@download_limit
def download_document(case_id: int, document_id: int, version_number: int):
    case = get_case_or_404(case_id)
    document = owned_or_404(Document, document_id, case_id=case.id)
    version = next((v for v in document.versions if v.version_number == version_number), None)
    if version is None:
        abort(404)
    content = document_service.read_version(version)
    record_access(AuditAction.DOWNLOAD, "document_version", version.id, case=case)
    response = Response(content, mimetype=version.mime_type)
    response.headers["Content-Disposition"] = content_disposition(version.filename)
    return response


@bp.post("/saker/<int:case_id>/journalutskrift")
@login_required
def print_journal(case_id: int):
    case = get_case_or_404(case_id, need="edit")
    services.ensure_open(case)
    try:
        jobs.order_journal_printout(case, current_user)
    except JobsUnavailable as error:
        flash(str(error), "error")
    else:
        flash("Journalutskriften lages som PDF og legges i dokumentlisten når den er klar.", "info")
    return redirect(url_for("cases.detail", case_id=case_id, _anchor="dokumenter"))


@bp.route("/saker/<int:case_id>/frister/ny", methods=["GET", "POST"])
@login_required
def new_deadline(case_id: int):
    case = get_case_or_404(case_id, need="edit")
    form = DeadlineForm()
    form.responsible_id.choices = choices((user.id, user.name) for user in users_who_can_edit(case))
    if request.method == "GET":
        form.responsible_id.data = current_user.id
    created = []
    if form.validate_on_submit() and saved(form, lambda: created.append(deadline_service.set_deadline(
            case, kind=form.kind.data, due_date=form.due_date.data, responsible_id=form.responsible_id.data,
            description=form.description.data, actor=current_user))):
        flash(deadline_service.describe_due_date(form.due_date.data, created[0].due_date), "success")
        return redirect(url_for("cases.detail", case_id=case_id, _anchor="frister"))
    return _form_page("cases/deadline_new.html", case, "ny frist", form=form)


@bp.post("/saker/<int:case_id>/frister/<int:deadline_id>/utfort")
@login_required
def complete_deadline(case_id: int, deadline_id: int):
    case = get_case_or_404(case_id, need="edit")
    deadline = owned_or_404(Deadline, deadline_id, case_id=case.id)
    form = CompleteDeadlineForm()
    return button_pressed(form, lambda: deadline_service.complete_deadline(
        deadline, expected_version=form.version.data, actor=current_user),
        done="Fristen er markert som utført.", back_to=url_for("cases.detail", case_id=case_id, _anchor="frister"))


@bp.post("/saker/<int:case_id>/saksbehandler")
@login_required
def assign_responsible(case_id: int):
    """A work queue's «Tildel»: the case to a caseworker of its unit, then back to the queue."""
    case = get_case_or_404(case_id, need="edit")
    form = ResponsibleForm()
    return button_pressed(form, lambda: services.assign_responsible(case, form.user_id.data, actor=current_user),
                          done=lambda: f"Sak {case.number} er tildelt {case.responsible.name}.",
                          back_to=safe_next_url(form.next.data) or url_for("cases.detail", case_id=case_id),
                          refused_prefix=f"Sak {case.number}: ")


@bp.route("/saker/<int:case_id>/tilgang", methods=["GET", "POST"])
@login_required
def assign(case_id: int):
    case = get_case_or_404(case_id, need="edit")
    if case.kind is not CaseKind.PANEL_REFERRAL:
        abort(404)
    form = AssignForm()
    assigned = {assignment.user_id for assignment in case.assignments}
    form.user_id.choices = choices((user.id, user.name) for user in db.session.scalars(
        select(User).where(User.active.is_(True), User.role == Role.PANEL_MEMBER).order_by(User.name))
        if user.id not in assigned)
    if form.validate_on_submit() and saved(form, lambda: services.assign_user(
            case, db.session.get(User, form.user_id.data), actor=current_user)):
        flash("Tilgangen er gitt.", "success")
        return redirect(url_for("cases.detail", case_id=case_id))
    return _form_page("cases/assign.html", case, "tilgang", form=form)


# Saved filters: shown on each list page (templates/cases/_saved_filters.html) and on the dashboard

@bp.app_template_global("saved_filters_here")
def saved_filters_here() -> dict:
    """For a list page's «Lagrede filtre»: the user's saved filters of this list and the form that
    saves the URL's current filter."""
    form = SavedFilterForm(prefix="lagre")
    form.list_endpoint.data = request.endpoint
    form.list_query.data = request.query_string.decode("utf-8", "replace")
    return {"filters": saved_filters.saved_filters(current_user, request.endpoint), "form": form}


@bp.post("/filtre")
@login_required
def save_filter():
    form = SavedFilterForm(prefix="lagre")
    endpoint = form.list_endpoint.data or ""
    created = []
    if form.validate_on_submit() and saved(form, lambda: created.append(saved_filters.save_filter(
            current_user, endpoint=endpoint, name=form.name.data, query_string=form.list_query.data or ""))):
        flash(f"Filteret «{created[0].name}» er lagret.", "success")
        return redirect(saved_filters.list_url(created[0].endpoint, created[0].query))
    known = endpoint in saved_filters.SAVED_LISTS
    return render_template("cases/saved_filter_new.html", form=form,
                           list_name=saved_filters.SAVED_LISTS.get(endpoint),
                           back_url=saved_filters.list_url(endpoint, saved_filters.filter_query(
                               form.list_query.data or "")) if known else url_for("cases.dashboard"))


@bp.post("/filtre/<int:filter_id>/slett")
@login_required
def delete_saved_filter(filter_id: int):
    saved_filter = saved_filters.own_filter(current_user, filter_id)
    if saved_filter is None:
        abort(404)
    back = safe_next_url(request.form.get("next")) or url_for(saved_filter.endpoint)
    return button_pressed(CsrfOnlyForm(), lambda: saved_filters.delete_filter(saved_filter),
                          done=f"Filteret «{saved_filter.name}» er slettet.", back_to=back)


from app.cases import patient_views  # noqa: E402,F401  (the patient's facts, history and guardians on bp)
