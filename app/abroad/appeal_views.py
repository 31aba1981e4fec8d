"""Appeals against decisions (a refusal, or a grant's terms): registration (with the four-week deadline and the
late-appeal assessment, whose dismissal is a decision with its letter), the office's reconsideration (a reversal
with its decision letter, or the forwarding letter to Klagenemnda; each previewed, then filed), the board's
decision, and the patient's withdrawal."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.abroad import letters, services
from app.abroad.board_bundle import board_bundle as bundle_for_board
from app.abroad.forms import (
    AppealForm,
    AppealWithdrawalForm,
    BoardDecisionForm,
    LateAppealForm,
    ReconsiderationForm,
)
from app.abroad.models import Appeal, Application, OfficeOutcome
from app.abroad.views import bp
from app.cases.interface import audited_page, can_edit, get_case, load_record
from app.core.audit import AuditAction, record_access
from app.core.roles import Role
from app.forms import form_status, show_draft_errors, step_saved, submitted
from app.http import content_disposition
from app.security import role_required


def _appeal_page(case_id: int, anchor: str | None = None):
    return redirect(_appeal_url(case_id, anchor))


def _appeal_url(case_id: int, anchor: str | None = None) -> str:
    return url_for("abroad.appeal", case_id=case_id, _anchor=anchor)


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


def _appeal_form_page(form, case, appeal: Appeal, heading: str, intro: str, context: str, *,
                      letter: bool = False, preview=None, no_letter: str = ""):
    """A step's form; with `letter`, the letter form (preview, then file) showing `preview`."""
    page = render_template("abroad/appeal_step_form.html", form=form, case=case, appeal=appeal, heading=heading,
                           intro=intro, letter=letter, preview=preview, no_letter=no_letter)
    return audited_page(page, case, appeal, "abroad_appeal", context, form_status(form))


def _letter_step(form, case, appeal: Appeal, render_letter, file_with_letter, check):
    """One post of a step that files a letter: the letter (`render_letter`) is previewed, then filed with the step
    (`file_with_letter`) as shown (letters.preview_or_file); a refused form shows every refused field at once, the
    rules (`check`) run on what the form accepted. Returns whether it was filed, and the preview to show."""
    if form.validate_on_submit():
        return letters.preview_or_file(
            form, request.form.get("steg"), request.form.get("forhandsvist"),
            preview=lambda: render_letter(case, appeal, form.to_command(), actor=current_user),
            file=lambda: file_with_letter(case, appeal, form.to_command(), actor=current_user))
    if form.is_submitted():
        show_draft_errors(form, lambda draft: check(appeal, draft))
    return False, None


@bp.route("/klager/<int:case_id>/fristoversittelse", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def assess_late_appeal(case_id: int):
    """The § 31 assessment: a dismissal is a decision whose letter is previewed, then filed
    (letters.preview_or_file)."""
    case, appeal = load_record(case_id, Appeal, "edit")
    form = LateAppealForm()
    filed, preview = _letter_step(form, case, appeal, letters.late_assessment_letter, letters.assess_late_with_letter,
                                  services.check_late_appeal)
    if filed:
        flash("Vurderingen av fristoversittelsen er lagret." + (
            " Vedtaket om å avvise klagen er journalført." if appeal.consider_late is False else ""), "success")
        return _appeal_page(case.id)
    limit = services.late_appeal_limit(appeal.application.decided_on)
    return _appeal_form_page(
        form, case, appeal, "Klage etter fristen", context="fristoversittelse", letter=True, preview=preview,
        intro=f"Klagefristen var {appeal.deadline_on:%d.%m.%Y}; klagen kom inn {appeal.received_on:%d.%m.%Y}. En "
              f"klage kan ikke tas under behandling mer enn ett år etter vedtaket (siste dag {limit:%d.%m.%Y}). "
              "Avvises klagen, er det et eget vedtak: forhåndsvis brevet før det journalføres.",
        no_letter="Klagen behandles likevel. Det lages ikke brev nå; kontoret behandler klagen videre.")


@bp.route("/klager/<int:case_id>/kontorets-behandling", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def reconsider(case_id: int):
    """The office's reconsideration: the reversal's decision letter or the forwarding letter is previewed, then
    filed as shown (letters.preview_or_file)."""
    case, appeal = load_record(case_id, Appeal, "edit")
    form = ReconsiderationForm()
    filed, preview = _letter_step(form, case, appeal, letters.reconsideration_letter, letters.reconsider_with_letter,
                                  services.check_reconsideration)
    if filed:
        flash("Kontorets behandling er registrert." + (
            " Oversendelsesbrevet er journalført, og klagen er avskrevet."
            if appeal.office_outcome is OfficeOutcome.FORWARDED
            else " Vedtaksbrevet er journalført, og vedtaket er endret." if appeal.against_grant
            else " Vedtaksbrevet er journalført, og søknaden er nå innvilget."), "success")
        return _appeal_page(case.id)
    return _appeal_form_page(
        form, case, appeal, "Kontorets behandling av klagen", context="kontorets behandling", letter=True,
        preview=preview,
        intro="Kontoret vurderer saken på nytt og kan omgjøre vedtaket; omgjøringen er et nytt vedtak med eget "
              f"vedtaksbrev. Opprettholdes vedtaket, oversendes klagen {services.BOARD_NAME} med sakens "
              "dokumenter. Forhåndsvis brevet før det journalføres.")


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
    if (done := step_saved(form, lambda: services.record_board_decision(appeal, form.to_command(), actor=current_user),
                           check=lambda command: services.check_board_decision(appeal, command),
                           done="Nemndas avgjørelse er registrert.", then=_appeal_url(case.id))) is not None:
        return done
    return _appeal_form_page(form, case, appeal, "Avgjørelse fra Klagenemnda",
                             "Nemndas avgjørelse er endelig. Omgjør nemnda et avslag helt eller delvis, blir "
                             "søknaden innvilget. Opphever nemnda vedtaket og sender saken tilbake, åpnes søknaden "
                             "igjen for et nytt vedtak innen fristen du setter. Stadfestes vedtaket eller avvises "
                             "klagen, står vedtaket.", "nemndas avgjørelse")


@bp.route("/klager/<int:case_id>/trukket", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def withdraw_appeal(case_id: int):
    case, appeal = load_record(case_id, Appeal, "edit")
    form = AppealWithdrawalForm()
    if (done := step_saved(form, lambda: services.withdraw_appeal(appeal, form.to_command(), actor=current_user),
                           check=lambda command: services.check_withdrawal(appeal, command),
                           done="Klagen er registrert som trukket, og klagesaken er avsluttet.",
                           then=_appeal_url(case.id))) is not None:
        return done
    return _appeal_form_page(form, case, appeal, "Klagen trekkes",
                             "Pasienten kan trekke klagen så lenge den er under behandling, hos kontoret eller hos "
                             "Klagenemnda. Vedtaket står da som det var, og klagesaken avsluttes.", "klagen trekkes")
