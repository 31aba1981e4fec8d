"""The panel's assessment of a referral: the four questions of the panel's mandate with findings and
advice, the treatments considered (checked against Nye Metoder), the advisory statement (a PDF letter
filed as an outgoing journal post), the treating doctor's feedback and principled questions.

Only the panel secretariat changes these (need="edit"); panel members see them on the referral page
of the cases they are assigned to, and draft and comment on the findings and advice there (the secretariat
adopts a draft and approves the statement before it is sent). Rules and refusals come from services.py."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.cases.interface import audited_page, load_record
from app.forms import CsrfOnlyForm, form_status, saved, submitted
from app.methods.interface import MethodState
from app.panel import services
from app.panel.assessment_forms import (
    AnswersForm,
    ContributionForm,
    EndingForm,
    FeedbackForm,
    ItemForm,
    PrincipledQuestionForm,
    StatementForm,
    WithdrawItemForm,
)
from app.panel.commands import NewStatement
from app.panel.letters import end_with_letter, send_statement_with_letter
from app.panel.models import QUESTIONS, Referral, ReferralStatus
from app.panel.views import bp

OPEN = (ReferralStatus.RECEIVED, ReferralStatus.UNDER_ASSESSMENT)
ADVISORY = ("Uttalelsene fra Ekspertpanelet er rådgivende. Behandlende lege er ansvarlig for eventuell videre "
            "behandling.")

bp.add_app_template_global(QUESTIONS, "panel_questions")
bp.add_app_template_global(ADVISORY, "panel_advisory_sentence")


@bp.app_template_filter("panel_methods_check")
def methods_check_text(check: dict | None) -> str:
    """The Nye Metoder check stored with an item: 'ID2024_090: Ikke innført (Beslutningsforum) 16.06.2025'."""
    if not check:
        return ""
    try:
        state = MethodState(check.get("state")).label
    except ValueError:
        state = str(check.get("state"))
    decided = f" {date.fromisoformat(check['decided_on']):%d.%m.%Y}" if check.get("decided_on") else ""
    return f"{check.get('reference')}: {state}{decided}"


@bp.app_template_filter("panel_followed")
def followed_text(value: str) -> str:
    return services.FOLLOWED.get(value, value)


def _referral_page(case_id: int, anchor: str | None = None):
    return redirect(url_for("panel.referral", case_id=case_id, _anchor=anchor))


# The four questions

def _clean(text: str | None) -> str | None:
    """Text as the service stores it, with line breaks normalised (for comparing only)."""
    return (text or "").replace("\r\n", "\n").strip() or None


def _unchanged(answer, findings: str | None, advice: str | None) -> bool:
    if answer is None:
        return _clean(findings) is None and _clean(advice) is None
    return (_clean(answer.findings), _clean(answer.advice)) == (_clean(findings), _clean(advice))


def _save_answers(referral, form: AnswersForm) -> None:
    """Save the answers the user changed, each checked against the version it was opened at."""
    for question in QUESTIONS:
        command = form.to_command(question)
        if _unchanged(referral.answer(question), command.findings, command.advice):
            continue
        services.save_answer(referral, command, actor=current_user, expected_version=form.version(question).data)


@bp.route("/saker/<int:case_id>/vurdering", methods=["GET", "POST"])
@login_required
def edit_answers(case_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    form = AnswersForm()
    if not form.is_submitted():
        for question in QUESTIONS:
            answer = referral.answer(question)
            form.findings(question).data = answer.findings if answer else ""
            form.advice(question).data = answer.advice if answer else ""
            form.version(question).data = answer.version if answer else 0   # 0: not saved yet
    if form.validate_on_submit() and saved(form, lambda: _save_answers(referral, form)):
        flash("Vurderingen er lagret.", "success")
        return _referral_page(case.id, "vurdering")
    conflicts = {}
    if form.conflict:
        # Each answer someone else saved meanwhile: show the stored text beside what the user typed,
        # and base the next save on it (saving again overwrites it).
        for question in QUESTIONS:
            stored = referral.answer(question)
            if stored is None or stored.version == form.version(question).data:
                continue
            if not _unchanged(stored, form.findings(question).data, form.advice(question).data):
                conflicts[question] = stored
            form.adopt_version(question, stored.version)
    page = render_template("panel/answers_form.html", form=form, case=case, referral=referral,
                           conflicts=conflicts, is_open=referral.status in OPEN)
    return audited_page(page, case, referral, "panel_referral", "vurdering", 409 if form.conflict else 200)


# The members' drafts and comments, and the secretariat's approval of the statement

@bp.route("/saker/<int:case_id>/bidrag/ny", methods=["GET", "POST"])
@login_required
def new_contribution(case_id: int):
    """A member on the referral drafts findings and advice, or comments (the service refuses anyone else)."""
    case, referral = load_record(case_id, Referral, "view")
    if services.participant_of(referral, current_user) is None:
        abort(404)
    form = ContributionForm()
    if not form.is_submitted() and request.args.get("sporsmal") in {str(number) for number in QUESTIONS}:
        form.question.data = request.args["sporsmal"]
    if submitted(form, lambda: services.add_contribution(referral, form.to_command(), actor=current_user),
                 check=lambda command: services.check_contribution(referral, command, actor=current_user)):
        flash("Bidraget er lagret. Sekretariatet ser det på saken.", "success")
        return _referral_page(case.id, "bidrag")
    page = render_template("panel/contribution_form.html", form=form, case=case, referral=referral,
                           is_open=referral.status in OPEN)
    return audited_page(page, case, referral, "panel_referral", "nytt bidrag", form_status(form))


def _button(case_id: int, action, done: str, anchor: str):
    """A button's POST: run the service, commit, and show what happened (or why not) on the referral page."""
    form = CsrfOnlyForm()
    if form.validate_on_submit() and saved(form, action):
        flash(done, "success")
    else:
        for error in form.form_errors:
            flash(error, "error")
    return _referral_page(case_id, anchor)


@bp.post("/saker/<int:case_id>/bidrag/<int:contribution_id>/ta-inn")
@login_required
def adopt_draft(case_id: int, contribution_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    contribution = next((item for item in referral.contributions if item.id == contribution_id), None)
    if contribution is None:
        abort(404)
    return _button(case.id, lambda: services.adopt_draft(referral, contribution, actor=current_user),
                   f"Utkastet er tatt inn i vurderingen av spørsmål {contribution.question}.", "vurdering")


@bp.post("/saker/<int:case_id>/uttalelse/godkjenn")
@login_required
def approve_statement(case_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    return _button(case.id, lambda: services.approve_statement(referral, actor=current_user),
                   "Uttalelsen er godkjent og kan sendes.", "uttalelser")


# Treatments considered

@bp.route("/saker/<int:case_id>/behandlinger/ny", methods=["GET", "POST"])
@login_required
def new_item(case_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    form = ItemForm()
    if not form.is_submitted() and request.args.get("sporsmal") in {str(number) for number in QUESTIONS}:
        form.question.data = request.args["sporsmal"]
    if submitted(form, lambda: services.add_item(referral, form.to_command(), actor=current_user),
                 check=lambda command: services.check_item(referral, command)):
        flash("Behandlingen er lagt til.", "success")
        return _referral_page(case.id, "behandlinger")
    page = render_template("panel/item_form.html", form=form, case=case, referral=referral,
                           is_open=referral.status in OPEN)
    return audited_page(page, case, referral, "panel_referral", "ny behandling")


@bp.route("/saker/<int:case_id>/behandlinger/<int:item_id>/trekk-tilbake", methods=["GET", "POST"])
@login_required
def withdraw_item(case_id: int, item_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    item = next((item for item in referral.items if item.id == item_id), None)
    if item is None:
        abort(404)
    form = WithdrawItemForm()
    if form.validate_on_submit() and saved(form, lambda: services.withdraw_item(
            referral, item, form.to_command(), actor=current_user)):
        flash(f"«{item.treatment}» er trukket tilbake.", "success")
        return _referral_page(case.id, "behandlinger")
    page = render_template("panel/item_withdraw.html", form=form, case=case, referral=referral, item=item,
                           is_open=referral.status in OPEN)
    return audited_page(page, case, referral, "panel_referral", "trekk tilbake behandling", form_status(form))


# The advisory statement

def _send_statement(case, referral, command: NewStatement) -> None:
    send_statement_with_letter(case, referral, command, actor=current_user)


@bp.route("/saker/<int:case_id>/uttalelse/ny", methods=["GET", "POST"])
@login_required
def new_statement(case_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    form = StatementForm()
    if not form.is_submitted() and referral.outcome:
        form.outcome.data = referral.outcome.value
    if submitted(form, lambda: _send_statement(case, referral, form.to_command()),
                 check=lambda command: services.check_statement(referral, command)):
        flash("Uttalelsen er sendt og journalført som utgående post med PDF-brevet.", "success")
        return _referral_page(case.id, "uttalelser")
    page = render_template("panel/statement_form.html", form=form, case=case, referral=referral,
                           missing=services.missing_findings(referral), is_open=referral.status in OPEN,
                           recipients=services.letter_recipients(case, referral, date.today()))
    return audited_page(page, case, referral, "panel_referral", "ny uttalelse")


@bp.get("/saker/<int:case_id>/uttalelse/<int:statement_id>.pdf")
@login_required
def statement_pdf(case_id: int, statement_id: int):
    """The letter as filed: downloaded through the case core (which checks access and logs it)."""
    case, referral = load_record(case_id, Referral, "view")
    statement = next((item for item in referral.statements if item.id == statement_id), None)
    if statement is None or statement.document_id is None:
        abort(404)
    return redirect(url_for("cases.download_document", case_id=case.id, document_id=statement.document_id,
                            version_number=1))


# Follow-up

@bp.route("/saker/<int:case_id>/tilbakemelding/ny", methods=["GET", "POST"])
@login_required
def new_feedback(case_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    form = FeedbackForm()
    if submitted(form, lambda: services.record_feedback(referral, form.to_command(), actor=current_user),
                 check=lambda command: services.check_feedback(referral, command)):
        flash("Tilbakemeldingen er registrert.", "success")
        return _referral_page(case.id, "oppfolging")
    page = render_template("panel/feedback_form.html", form=form, case=case, referral=referral,
                           statement_sent=referral.status is ReferralStatus.STATEMENT_SENT)
    return audited_page(page, case, referral, "panel_referral", "ny tilbakemelding")


@bp.route("/saker/<int:case_id>/prinsipielle-sporsmal/ny", methods=["GET", "POST"])
@login_required
def new_principled_question(case_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    form = PrincipledQuestionForm()
    if submitted(form, lambda: services.add_principled_question(referral, form.to_command(), actor=current_user),
                 check=lambda command: services.check_principled_question(referral, command)):
        flash("Den prinsipielle problemstillingen er registrert.", "success")
        return _referral_page(case.id, "oppfolging")
    page = render_template("panel/principled_question_form.html", form=form, case=case, referral=referral)
    return audited_page(page, case, referral, "panel_referral", "nytt prinsipielt spørsmål")


# Refusal, withdrawal and closing

@bp.route("/saker/<int:case_id>/avslutning", methods=["GET", "POST"])
@login_required
def end_referral(case_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    form = EndingForm()
    if submitted(form, lambda: end_with_letter(case, referral, form.to_command(), actor=current_user),
                 check=lambda command: services.check_ending(referral, command)):
        flash(f"Henvisningen er «{referral.status.label.lower()}». Brevet er journalført som utgående post.",
              "success")
        return _referral_page(case.id, "avslutning")
    page = render_template("panel/ending_form.html", form=form, case=case, referral=referral,
                           recipients=services.letter_recipients(case, referral, date.today()))
    return audited_page(page, case, referral, "panel_referral", "avslutning", form_status(form))


@bp.get("/saker/<int:case_id>/avslutning.pdf")
@login_required
def ending_pdf(case_id: int):
    """The ending's letter as filed, downloaded through the case core (which checks access and logs it)."""
    case, referral = load_record(case_id, Referral, "view")
    if referral.ending is None or referral.ending.document_id is None:
        abort(404)
    return redirect(url_for("cases.download_document", case_id=case.id, document_id=referral.ending.document_id,
                            version_number=1))
