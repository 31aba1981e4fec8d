"""Appeals against decisions (a refusal, or a grant's terms): registration (with the four-week deadline and the
late-appeal assessment), the office's reconsideration with the forwarding letter to Klagenemnda (previewed, then
filed), and the board's decision."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.abroad import letters, services
from app.abroad.board_bundle import board_bundle as bundle_for_board
from app.abroad.forms import AppealForm, BoardDecisionForm, LateAppealForm, ReconsiderationForm
from app.abroad.models import Appeal, Application, OfficeOutcome
from app.abroad.views import bp
from app.cases.interface import audited_page, can_edit, get_case, load_record
from app.core.audit import AuditAction, record_access
from app.core.roles import Role
from app.forms import form_status, show_draft_errors, submitted
from app.http import content_disposition
from app.security import role_required


def _appeal_page(case_id: int, anchor: str | None = None):
    return redirect(url_for("abroad.appeal", case_id=case_id, _anchor=anchor))


@bp.route("/soknader/<int:case_id>/klage/ny", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def new_appeal(case_id: int):
    case, application = load_record(case_id, Application, "edit")
    form = AppealForm()
    if not form.is_submitted() and application.decided_on:
        form.notified_on.data = application.decided_on
    created: list[Appeal] = []
    if submitted(form, lambda: created.append(services.register_appeal(application, form.to_command(),
                                                                      actor=current_user)),
                 check=lambda command: services.check_appeal(application, command)):
        appeal = created[0]
        if appeal.late:
            flash(f"Klagen er registrert, men kom etter klagefristen {appeal.deadline_on:%d.%m.%Y}. Vurder om den "
                  "likevel skal behandles.", "error")
        else:
            flash(f"Klagen er registrert innen fristen ({appeal.deadline_on:%d.%m.%Y}).", "success")
        return _appeal_page(appeal.case_id)
    page = render_template("abroad/step_form.html", form=form, case=case, application=application,
                           heading="Registrer klage på vedtaket", anchor="klager",
                           intro=f"Klagefristen er {services.APPEAL_WEEKS} uker fra pasienten mottok vedtaket, "
                                 "flyttet til neste virkedag når den faller på en helgedag.")
    record_access(AuditAction.VIEW, "abroad_application", application.id, case=case, details={"page": "ny klage"})
    return page, form_status(form)


@bp.get("/klager/<int:case_id>")
@role_required(Role.ABROAD_CASEWORKER)
def appeal(case_id: int):
    case, appeal = load_record(case_id, Appeal)
    page = render_template("abroad/appeal.html", case=case, appeal=appeal, application=appeal.application,
                           application_case=get_case(appeal.application.case_id),
                           editable=can_edit(current_user, case))
    return audited_page(page, case, appeal, "abroad_appeal", "klage")


@bp.get("/klager/<int:case_id>/klagenemnda.pdf")
@role_required(Role.ABROAD_CASEWORKER)
def board_bundle(case_id: int):
    """The case's documents for Klagenemnda as one PDF with a list (board_bundle.py); logged as an export of the
    documents it holds."""
    case, appeal = load_record(case_id, Appeal)
    pdf, listed = bundle_for_board(case, appeal)
    record_access(AuditAction.EXPORT, "abroad_appeal", appeal.id, case=case, details={
        "bundle": "klagenemnda", "documents": [item.document.id for item in listed]})
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(f"klagenemnda-{case.number.replace('/', '-')}.pdf")
    return response


def _appeal_form_page(form, case, appeal: Appeal, heading: str, intro: str, context: str):
    page = render_template("abroad/appeal_step_form.html", form=form, case=case, appeal=appeal, heading=heading,
                           intro=intro)
    return audited_page(page, case, appeal, "abroad_appeal", context, form_status(form))


@bp.route("/klager/<int:case_id>/fristoversittelse", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def assess_late_appeal(case_id: int):
    case, appeal = load_record(case_id, Appeal, "edit")
    form = LateAppealForm()
    if submitted(form, lambda: services.assess_late_appeal(appeal, form.to_command(), actor=current_user),
                 check=lambda command: services.check_late_appeal(appeal, command)):
        flash("Vurderingen av fristoversittelsen er lagret.", "success")
        return _appeal_page(case.id)
    return _appeal_form_page(
        form, case, appeal, "Klage etter fristen", f"Klagefristen var {appeal.deadline_on:%d.%m.%Y}; klagen kom inn "
        f"{appeal.received_on:%d.%m.%Y}. En klage kan ikke tas under behandling mer enn ett år etter vedtaket.",
        "fristoversittelse")


@bp.route("/klager/<int:case_id>/kontorets-behandling", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def reconsider(case_id: int):
    """The office's reconsideration: a forwarding letter is previewed, then filed as shown
    (letters.preview_or_file)."""
    case, appeal = load_record(case_id, Appeal, "edit")
    form = ReconsiderationForm()
    filed, preview = False, None
    if form.validate_on_submit():
        filed, preview = letters.preview_or_file(
            form, request.form.get("steg"), request.form.get("forhandsvist"),
            preview=lambda: letters.forwarding_letter(case, appeal, form.to_command(), actor=current_user),
            file=lambda: letters.reconsider_with_letter(case, appeal, form.to_command(), actor=current_user))
    elif form.is_submitted():   # every refused field at once: the rules run on what the form accepted
        show_draft_errors(form, lambda draft: services.check_reconsideration(appeal, draft))
    if filed:
        flash("Kontorets behandling er registrert." + (
            " Oversendelsesbrevet er journalført, og klagen er avskrevet."
            if appeal.office_outcome is OfficeOutcome.FORWARDED
            else " Vedtaket er endret." if appeal.against_grant else " Søknaden er nå innvilget."), "success")
        return _appeal_page(case.id)
    page = render_template("abroad/appeal_step_form.html", form=form, case=case, appeal=appeal, preview=preview,
                           heading="Kontorets behandling av klagen", letter=True,
                           intro="Kontoret vurderer saken på nytt og kan omgjøre vedtaket. Opprettholdes vedtaket, "
                                 f"oversendes klagen {services.BOARD_NAME} med sakens dokumenter. Forhåndsvis "
                                 "oversendelsesbrevet før det journalføres.")
    return audited_page(page, case, appeal, "abroad_appeal", "kontorets behandling", form_status(form))


@bp.get("/klager/<int:case_id>/oversendelsesbrev.pdf")
@role_required(Role.ABROAD_CASEWORKER)
def forwarding_letter(case_id: int):
    case, appeal = load_record(case_id, Appeal)
    if appeal.forwarding_document_id is None:
        abort(404)
    return redirect(url_for("cases.download_document", case_id=case.id, document_id=appeal.forwarding_document_id,
                            version_number=1))


@bp.route("/klager/<int:case_id>/nemnda", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def board_decision(case_id: int):
    case, appeal = load_record(case_id, Appeal, "edit")
    form = BoardDecisionForm()
    if submitted(form, lambda: services.record_board_decision(appeal, form.to_command(), actor=current_user),
                 check=lambda command: services.check_board_decision(appeal, command)):
        flash("Nemndas avgjørelse er registrert.", "success")
        return _appeal_page(case.id)
    return _appeal_form_page(form, case, appeal, "Avgjørelse fra Klagenemnda",
                             "Nemndas avgjørelse er endelig. Omgjør nemnda avslaget, blir søknaden innvilget.",
                             "nemndas avgjørelse")
