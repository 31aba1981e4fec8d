"""The register of foreign hospitals (app/abroad/hospitals.py): the offices list the hospitals with the spellings
mapped to each, add and correct a hospital (country, city, agreements), review each spelling's mapping or move it
to the right hospital, and merge two rows of one hospital. The register is common to the offices and holds no
personal data."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.abroad import hospitals
from app.abroad.hospital_forms import EditHospitalForm, HospitalChoiceForm, HospitalForm
from app.abroad.models import ForeignHospital, HospitalName
from app.abroad.services import country_name
from app.abroad.views import bp
from app.core.roles import Role
from app.extensions import db
from app.forms import form_status, saved, submitted
from app.security import role_required


def _hospital_or_404(hospital_id: int) -> ForeignHospital:
    hospital = db.session.get(ForeignHospital, hospital_id)
    if hospital is None:
        abort(404)
    return hospital


def _chosen(form: HospitalChoiceForm) -> ForeignHospital:
    return _hospital_or_404(int(form.hospital.data))


@bp.route("/sykehus", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def hospital_register():
    form = HospitalForm()
    if submitted(form, lambda: hospitals.add_hospital(form.to_command(), actor=current_user)):
        flash("Sykehuset er lagt inn i registeret.", "success")
        return redirect(url_for("abroad.hospital_register"))
    rows = hospitals.register_rows()
    return render_template("abroad/hospitals.html", form=form, rows=rows, country_name=country_name,
                           choice=HospitalChoiceForm(rows, formdata=None)), form_status(form)


@bp.route("/sykehus/<int:hospital_id>", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def edit_hospital(hospital_id: int):
    hospital = _hospital_or_404(hospital_id)
    form = EditHospitalForm(obj=None if request.method == "POST" else hospital)
    if not form.is_submitted():
        form.version.data = hospital.version
    if form.validate_on_submit() and saved(form, lambda: hospitals.update_hospital(
            hospital, form.to_command(), expected_version=form.version.data, actor=current_user)):
        flash("Sykehuset er endret.", "success")
        return redirect(url_for("abroad.hospital_register"))
    if form.conflict:
        db.session.refresh(hospital)
        form.adopt_version(hospital.version)
    others = [each for each in hospitals.register_rows() if each.id != hospital.id]
    return render_template("abroad/hospital_form.html", form=form, hospital=hospital,
                           merge=HospitalChoiceForm(others, formdata=None)), form_status(form)


@bp.post("/sykehus/navn/<int:name_id>")
@role_required(Role.ABROAD_CASEWORKER)
def review_hospital_name(name_id: int):
    """Confirm or move one spelling's mapping."""
    name = db.session.get(HospitalName, name_id) or abort(404)
    form = HospitalChoiceForm(hospitals.register_rows())
    if form.validate_on_submit() and saved(form, lambda: hospitals.review_name(name, _chosen(form),
                                                                               actor=current_user)):
        flash(f"«{name.spelling}» er knyttet til {name.hospital.name}.", "success")
    for error in [*form.form_errors, *form.hospital.errors]:
        flash(error, "error")
    return redirect(url_for("abroad.hospital_register"))


@bp.post("/sykehus/<int:hospital_id>/sla-sammen")
@role_required(Role.ABROAD_CASEWORKER)
def merge_hospital(hospital_id: int):
    """Merge this hospital into the one chosen (two rows of one hospital)."""
    hospital = _hospital_or_404(hospital_id)
    form = HospitalChoiceForm(hospitals.register_rows())
    if form.validate_on_submit():
        into = _chosen(form)
        if saved(form, lambda: hospitals.merge(hospital, into, actor=current_user)):
            flash(f"Sykehuset er slått sammen med {into.name}.", "success")
            return redirect(url_for("abroad.hospital_register"))
    for error in [*form.form_errors, *form.hospital.errors]:
        flash(error, "error")
    return redirect(url_for("abroad.edit_hospital", hospital_id=hospital_id))
