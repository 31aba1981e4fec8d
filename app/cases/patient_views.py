"""The patient of a case over time: the facts valid today, their history (registrations, changes and
corrections) and the guardians, within the user's scope; a form for a change or a correction with its reason,
and one for a guardian. Every page is logged as a view of the patient (Normen); a case outside the user's scope
answers 404 as an unknown one."""
from datetime import date

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.cases import patient_facts
from app.cases.access import can_edit, get_case_or_404, visible_cases
from app.cases.forms import EndGuardianForm, GuardianForm, PatientFactsForm
from app.cases.models import Case, Guardian
from app.cases.views import bp
from app.core.audit import AuditAction, record_access
from app.extensions import db
from app.forms import button_pressed, submitted


def _patient_case_or_404(case_id: int, need: str = "view") -> Case:
    case = get_case_or_404(case_id, need=need)
    if case.patient_id is None:
        abort(404)
    return case


def _page(template: str, case: Case, page: str, status: int = 200, **context):
    html = render_template(template, case=case, labels=patient_facts.FACT_LABELS, **context)
    record_access(AuditAction.VIEW, "patient", case.patient_id, case=case, details={"page": page})
    return html, status


@bp.get("/saker/<int:case_id>/pasient")
@login_required
def patient(case_id: int):
    case = _patient_case_or_404(case_id)
    scope = visible_cases(current_user)
    today = date.today()
    guardians = patient_facts.guardians(case.patient_id, scope=scope)
    editable = can_edit(current_user, case)
    return _page("cases/patient.html", case, "pasient", today=today, editable=editable,
                 facts=patient_facts.facts_on(case.patient_id, today, scope=scope),
                 history=patient_facts.history(case.patient_id, scope=scope), guardians=guardians,
                 end_forms={guardian.id: EndGuardianForm(prefix=f"verge{guardian.id}", obj=guardian)
                            for guardian in guardians if editable and guardian.valid_to is None})


@bp.route("/saker/<int:case_id>/pasient/endre", methods=["GET", "POST"])
@login_required
def edit_patient(case_id: int):
    case = _patient_case_or_404(case_id, need="edit")
    facts = patient_facts.facts_on(case.patient_id, date.today(), scope=visible_cases(current_user))
    form = PatientFactsForm(obj=facts, version=case.version, valid_from=date.today())
    if submitted(form, lambda: patient_facts.record_facts(
            case, form.to_command(), expected_version=form.version.data, actor=current_user),
            check=lambda command: patient_facts.check_facts_update(case, command, actor=current_user)):
        flash("Pasientopplysningene er lagret.", "success")
        return redirect(url_for("cases.patient", case_id=case.id))
    if form.conflict:
        form.adopt_version(case.version)
    return _page("cases/patient_edit.html", case, "endre pasient", 409 if form.conflict else 200, form=form)


@bp.route("/saker/<int:case_id>/pasient/verge/ny", methods=["GET", "POST"])
@login_required
def new_guardian(case_id: int):
    case = _patient_case_or_404(case_id, need="edit")
    form = GuardianForm()
    if submitted(form, lambda: patient_facts.add_guardian(case, form.to_command(), actor=current_user),
                 check=lambda command: patient_facts.check_guardian(case, command)):
        flash("Vergen er lagt til.", "success")
        return redirect(url_for("cases.patient", case_id=case.id, _anchor="verger"))
    return _page("cases/guardian_new.html", case, "ny verge", form=form)


@bp.post("/saker/<int:case_id>/pasient/verge/<int:guardian_id>/avslutt")
@login_required
def end_guardian(case_id: int, guardian_id: int):
    case = _patient_case_or_404(case_id, need="edit")
    guardian = db.session.get(Guardian, guardian_id)
    visible = {item.id for item in patient_facts.guardians(case.patient_id, scope=visible_cases(current_user))}
    if guardian is None or guardian.id not in visible:
        abort(404)
    form = EndGuardianForm(prefix=f"verge{guardian.id}")
    return button_pressed(form, lambda: patient_facts.end_guardian(
        case, guardian, valid_to=form.valid_to.data, expected_version=form.version.data, actor=current_user),
        "Vergemålet er avsluttet.", url_for("cases.patient", case_id=case.id, _anchor="verger"))
