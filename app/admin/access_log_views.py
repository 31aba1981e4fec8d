"""The admin's pages for the patients' requests for their access log (app/admin/access_log.py): the list, the
registration (the patient found as on the access-log page, each look-up logged) and the request's page, where the
answer is previewed and filed as a letter.

A request is a case of the admin role's unit, loaded through the case core's access check like any case (another
role gets a 404). Every page that shows the patient is logged as a view of the case.
"""
from dataclasses import dataclass
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.admin import access_log
from app.admin.forms import AccessLogAnswerForm, AccessLogRequestForm
from app.admin.patient_views import chosen_patient, offer_choice_only_when_needed
from app.admin.views import bp
from app.cases.access import get_case_or_404
from app.cases.models import Case, CaseKind, CaseStatus, JournalEntryType
from app.cases.services import PartyAddress
from app.core.audit import AuditAction, record_access, record_list
from app.core.roles import Role
from app.errors import DomainError
from app.forms import saved, show_draft_errors, show_error
from app.security import role_required

PREVIEW, FILE = "forhandsvis", "journalfor"   # the letter form's steps (templates/macros/letters.html)


@bp.get("/innsyn-i-logg")
@role_required(Role.ADMIN)
def access_log_requests():
    """The requests, open ones first. Shows the patients' names, so the list is logged."""
    cases = access_log.registered_requests()
    page = render_template("admin/access_log_requests.html", cases=cases)
    record_list(cases, context="innsyn i logg")
    return page


@bp.route("/innsyn-i-logg/ny", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_access_log_request():
    """Register a request: find the patient (national ID, or birth date and name), then open the case with the
    request as its incoming post. The request's own checks run with the look-up, so every refusal shows at once;
    nothing is saved unless the patient is found and every field is accepted."""
    form = AccessLogRequestForm()
    check = lambda draft: access_log.check_request(**draft, today=date.today())  # noqa: E731
    if form.validate_on_submit():
        show_draft_errors(form, check)
        patient = chosen_patient(form, access_log.PURPOSE)
        if patient is not None and not form.errors:
            upload = form.file.data
            registered: list[Case] = []
            if saved(form, lambda: registered.append(access_log.register_request(
                    patient, name=form.name.data, received_on=form.received_on.data,
                    address=PartyAddress(form.street.data, form.postal_code.data, form.postal_place.data),
                    upload=(upload.filename, upload.read()) if upload and upload.filename else None,
                    actor=current_user))):
                flash(f"Forespørselen er registrert som sak {registered[0].number}.", "success")
                return redirect(url_for("admin.access_log_request", case_id=registered[0].id))
    elif form.is_submitted():
        show_draft_errors(form, check)
    offer_choice_only_when_needed(form)
    return render_template("admin/access_log_request_new.html", form=form)


@dataclass(frozen=True)
class Preview:
    """The letter shown under the form, and whether it changed since the admin last saw it."""

    letter: access_log.Letter
    changed: bool = False


@bp.route("/innsyn-i-logg/<int:case_id>", methods=["GET", "POST"])
@login_required   # the case's access check decides: only the admin role sees these cases, others get a 404
def access_log_request(case_id: int):
    """The request: the patient, the journal, and the answer: «Forhåndsvis brevet» shows the letter with the log
    for the period; «Journalfør» files exactly the letter previewed and closes the case."""
    case = get_case_or_404(case_id, need="edit" if request.method == "POST" else "view")
    if case.kind is not CaseKind.ACCESS_LOG_REQUEST:
        abort(404)
    form = AccessLogAnswerForm()
    if not form.is_submitted():
        form.period_start.data = _first_logged_day(case)
        form.period_end.data = date.today()
    preview = None
    if form.is_submitted() and case.status is not CaseStatus.CLOSED:
        preview = _preview_or_file(case, form)
        if preview is True:
            flash("Svaret er journalført som utgående brev, og saken er avsluttet.", "success")
            return redirect(url_for("admin.access_log_request", case_id=case.id))
    letters = [document for entry in case.journal_entries if entry.entry_type is JournalEntryType.OUTGOING
               for document in entry.documents]
    page = render_template("admin/access_log_request.html", case=case, form=form, preview=preview,
                           letters=letters, received_on=access_log.request_received_on(case))
    record_access(AuditAction.VIEW, "case", case.id, case=case, details={"page": "innsyn i logg"})
    return page, 409 if getattr(form, "collided", False) else 200


def _preview_or_file(case: Case, form: AccessLogAnswerForm) -> "Preview | bool | None":
    """One post of the answer's form: the preview to show, True once filed, or None when a field was refused."""
    check = lambda draft: access_log.check_period(**draft, today=date.today())  # noqa: E731
    if not form.validate():
        show_draft_errors(form, check)
        return None
    try:
        period = check(form.draft_command())
        letter = access_log.answer_letter(case, period, actor=current_user)
    except DomainError as error:
        show_error(form, error)
        return None
    if request.form.get("steg") == FILE:
        if letter.digest == request.form.get("forhandsvist"):
            if saved(form, lambda: access_log.file_answer(case, period, letter, actor=current_user)):
                return True
            return Preview(letter)
        return Preview(letter, changed=True)
    return Preview(letter)


def _first_logged_day(case: Case) -> date:
    """The period's default start: the day the patient was first registered in Helsesak."""
    return access_log.first_registered(case.patient_id)
