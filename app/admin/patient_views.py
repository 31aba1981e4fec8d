"""The patient pages of the admin role: the patient's access log (innsynslogg) and the data-quality list.

The access log is found by national ID, or by birth date and name, always posted (never in a URL) and each
look-up logged; no route takes a patient's row id (ids are sequential: a URL with one would let anyone who
can open the page walk through every patient). The page is rendered straight from the POST and is the admin's
own review, with the log's technical fields; the patient's request is answered by a letter (app/admin/access_log.py).

The data-quality list shows cases registered for a known person with another name, birth date or home region
than the person's row: the case keeps what its caseworker registered, and only the admin, who sees no case but
keeps the patient register and the log for every office and the panel, sees both sides (Normen: need-to-know;
no caseworker learns what another office or the panel registered). Viewing it is logged per patient.
"""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from app.admin.forms import PatientLookupForm
from app.admin.lists import DATA_QUALITY
from app.admin.views import AUDIT_OBJECT_LABELS, ROLE_LABELS_BY_VALUE, bp
from app.cases import services as case_services
from app.cases.identifiers import validate_national_id
from app.cases.models import Patient, PatientDiscrepancy
from app.core.audit import LIST_OBJECT, AuditAction, AuditEvent, concerning, listed_first, record_access
from app.core.regions import REGIONS
from app.core.roles import Role
from app.errors import InvalidInput
from app.extensions import db
from app.forms import CsrfOnlyForm, show_error
from app.listing import list_page
from app.security import role_required

PURPOSE = "innsynslogg"
FIELD_LABELS = {"name": "navn", "birth_date": "fødselsdato", "home_region": "hjemregion"}


def _found(form: PatientLookupForm, purpose: str) -> list[Patient]:
    """The patients the form names, each look-up logged; InvalidInput for a malformed national ID."""
    if (form.national_id.data or "").strip():
        national_id, _birth_date = validate_national_id(form.national_id.data)
        known = case_services.find_patients([national_id], actor=current_user, purpose=purpose).get(national_id)
        return [db.session.get(Patient, known.id)] if known is not None else []
    return case_services.find_patients_by_birth_date_and_name(form.birth_date.data, form.name.data,
                                                              actor=current_user, purpose=purpose)


def _candidate_label(patient: Patient) -> str:
    where = ", ".join(part for part in (patient.municipality, REGIONS.get(patient.home_region)) if part)
    return f"Født {patient.birth_date:%d.%m.%Y}, {where or 'uten hjemsted'}, registrert {patient.created_at:%d.%m.%Y}"


def chosen_patient(form: PatientLookupForm, purpose: str) -> Patient | None:
    """The one patient a validated lookup form names (by national ID, or by birth date and name and, when several
    share them, the one chosen), or None with the reason shown at the field: none found, or a choice to make.
    Every look-up is logged with `purpose`."""
    try:
        patients = _found(form, purpose)
    except InvalidInput as error:
        show_error(form, error)
        return None
    chosen = form.choice.data
    if len(patients) == 1:
        return patients[0]
    if len(patients) > 1 and chosen and 1 <= chosen <= len(patients):
        return patients[chosen - 1]
    if len(patients) > 1:
        form.choice.choices = [(number, _candidate_label(patient)) for number, patient in enumerate(patients, start=1)]
        form.choice.errors = ["Flere pasienter har denne fødselsdatoen og dette navnet. Velg én."]
    else:
        field = form.national_id if (form.national_id.data or "").strip() else form.name
        field.errors.append("Fant ingen pasient.")
    return None


def offer_choice_only_when_needed(form: PatientLookupForm) -> None:
    """The choice is offered only when several patients share birth date and name."""
    if not form.choice.choices:
        del form.choice


@bp.route("/logg/pasient", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def find_patient_access_log():
    """Find a patient by national ID, or by birth date and name, and show their access log."""
    form = PatientLookupForm()
    if form.validate_on_submit():
        patient = chosen_patient(form, PURPOSE)
        if patient is not None:
            return _access_log(patient)
    offer_choice_only_when_needed(form)
    return render_template("admin/patient_lookup.html", form=form)


def _access_log(patient: Patient):
    """Who has seen or changed this patient's data, and when: the extract a patient may ask for. A list that
    showed the patient is in it with the patient's cases it showed."""
    events = db.session.scalars(select(AuditEvent).where(concerning(patient_id=patient.id))
                                .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())).all()
    page = render_template("admin/patient_access_log.html", patient=patient, events=events,
                           listed=listed_first((event.id for event in events if event.object_type == LIST_OBJECT),
                                               patient_id=patient.id),
                           object_labels=AUDIT_OBJECT_LABELS, role_labels=ROLE_LABELS_BY_VALUE)
    record_access(AuditAction.VIEW, "patient_access_log", patient.id, patient_id=patient.id)
    return page


@bp.get("/datakvalitet")
@role_required(Role.ADMIN)
def data_quality():
    """Open discrepancies, oldest first: the case's registered facts beside the person's row."""
    return list_page(DATA_QUALITY, "admin/data_quality.html", field_labels=FIELD_LABELS)


@bp.post("/datakvalitet/<int:discrepancy_id>/kontrollert")
@role_required(Role.ADMIN)
def check_discrepancy(discrepancy_id: int):
    """Mark a discrepancy as looked into; it leaves the list and stays in the log."""
    form = CsrfOnlyForm()
    discrepancy = db.session.get(PatientDiscrepancy, discrepancy_id)
    if discrepancy is None or not form.validate_on_submit():
        flash("Fant ikke avviket, eller det er allerede kontrollert.", "error")
        return redirect(url_for("admin.data_quality"))
    case_services.mark_discrepancy_checked(discrepancy, actor=current_user)
    try:
        db.session.commit()
    except StaleDataError:   # another admin checked it at the same moment: it is checked either way
        db.session.rollback()
    flash("Avviket er merket som kontrollert.", "success")
    return redirect(url_for("admin.data_quality"))
