"""The suitability assessment (egnethetsvurdering) of a method: the secretariat drafts it, every
method reader sees it and its PDF, laid out as the FHI/DMP form (assessment_layout.py)."""
from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from app.cases.interface import get_case
from app.core.audit import AuditAction, record_access
from app.core.roles import Role
from app.extensions import limiter
from app.forms import CsrfOnlyForm, saved
from app.http import content_disposition
from app.methods import assessment_services
from app.methods.access import get_method_or_404
from app.methods.assessment_forms import AssessmentForm, EditTrialForm, TrialForm
from app.methods.assessment_layout import ASSESSMENT_SECTIONS
from app.methods.services import TAGS
from app.methods.views import bp
from app.pdf import render_pdf

bp.add_app_template_global(assessment_services.VOCABULARY, "assessment_vocabulary")


def _page_context(method) -> dict:
    return {"method": method, "assessment": method.assessment, "tag_labels": TAGS,
            "registry_url": assessment_services.registry_url, "assessment_sections": ASSESSMENT_SECTIONS}


@bp.route("/<reference>/egnethetsvurdering", methods=["GET", "POST"])
@login_required
def edit_assessment(reference: str):
    method = get_method_or_404(reference, need="edit")
    assessment = method.assessment
    form = AssessmentForm(obj=assessment)
    if assessment is None and not form.is_submitted():
        form.version.data = 0   # not created yet
        form.author_body.data = assessment_services.default_author_body(method)
        form.document_version.data = "1.0"
    if form.validate_on_submit() and saved(form, lambda: assessment_services.save_assessment(
            method, form.to_command(), expected_version=form.version.data or None, actor=current_user)):
        flash("Egnethetsvurderingen er lagret.", "success")
        return redirect(url_for("methods.assessment", reference=method.reference))
    stored_differences = []
    if form.conflict and method.assessment is not None:
        # The page shows the stored version beside what the user typed; saving again overwrites it.
        form.adopt_version(method.assessment.version)
        stored_differences = _stored_differences(form, method.assessment)
    return (render_template("methods/assessment_edit.html", form=form, stored_differences=stored_differences,
                            **_page_context(method)),
            409 if form.conflict else 200)


def _shown(name: str, value) -> str:
    """A field's value as the conflict panel shows it."""
    if value in (None, "", []):
        return ""
    if name in assessment_services.LIST_FIELDS:
        labels = assessment_services.LIST_FIELDS[name][0]
        return ", ".join(labels.get(item, str(item)) for item in value)
    if name == "recommendation":
        return f"{value}: {assessment_services.RECOMMENDATIONS.get(value, '')}".rstrip(": ")
    if name == "author_body":
        return assessment_services.AUTHOR_BODIES.get(value, str(value))
    return str(value).replace("\r\n", "\n").strip()


def _stored_differences(form: AssessmentForm, stored) -> list[tuple[str, str]]:
    """(label, stored value) of each field where the stored version differs from what the user typed."""
    return [(form[name].label.text, _shown(name, getattr(stored, name)))
            for name in assessment_services.ASSESSMENT_FIELDS
            if _shown(name, getattr(stored, name)) != _shown(name, form[name].data)]


@bp.get("/<reference>/egnethetsvurdering/vis")
@login_required
def assessment(reference: str):
    method = get_method_or_404(reference)
    return render_template("methods/assessment_view.html", **_page_context(method),
                           editable=current_user.role is Role.METHODS_SECRETARIAT)


@bp.get("/<reference>/egnethetsvurdering.pdf")
@login_required
@limiter.limit("30 per minute")
def assessment_pdf(reference: str):
    method = get_method_or_404(reference)
    if method.assessment is None:
        abort(404)
    pdf = render_pdf("methods/pdf/assessment.html", **_page_context(method),
                     printed_at=datetime.now(UTC), printed_by=current_user.name)
    record_access(AuditAction.EXPORT, "method_assessment", method.assessment.id, case=get_case(method.case_id),
                  details={"reference": method.reference, "format": "pdf"})
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = content_disposition(f"{method.reference}-egnethetsvurdering.pdf")
    return response


def _assessment_or_redirect(method):
    if method.assessment is None:
        flash("Lagre egnethetsvurderingen før du legger inn pågående studier.", "info")
        return redirect(url_for("methods.edit_assessment", reference=method.reference))
    return None


@bp.route("/<reference>/egnethetsvurdering/studier/ny", methods=["GET", "POST"])
@login_required
def new_trial(reference: str):
    method = get_method_or_404(reference, need="edit")
    if (response := _assessment_or_redirect(method)) is not None:
        return response
    form = TrialForm()
    if form.validate_on_submit() and saved(form, lambda: assessment_services.add_trial(
            method.assessment, form.to_command(), actor=current_user)):
        flash("Studien er lagt til.", "success")
        return redirect(url_for("methods.edit_assessment", reference=method.reference, _anchor="studier"))
    return render_template("methods/trial_form.html", form=form, method=method, trial=None,
                           heading="Ny pågående klinisk studie")


@bp.route("/<reference>/egnethetsvurdering/studier/<int:trial_id>", methods=["GET", "POST"])
@login_required
def edit_trial(reference: str, trial_id: int):
    method = get_method_or_404(reference, need="edit")
    trial = assessment_services.find_trial(method, trial_id)
    if trial is None:
        abort(404)
    form = EditTrialForm(obj=trial)
    if form.validate_on_submit() and saved(form, lambda: assessment_services.update_trial(
            trial, form.to_command(), actor=current_user, expected_version=form.version.data)):
        flash("Studien er lagret.", "success")
        return redirect(url_for("methods.edit_assessment", reference=method.reference, _anchor="studier"))
    if form.conflict:
        # The stored row is shown above what the user typed; saving again overwrites it.
        form.adopt_version(trial.version)
    return (render_template("methods/trial_form.html", form=form, method=method, trial=trial,
                            heading=f"Endre studie {trial.registry_id}"),
            409 if form.conflict else 200)


@bp.post("/<reference>/egnethetsvurdering/studier/<int:trial_id>/fjern")
@login_required
def remove_trial(reference: str, trial_id: int):
    method = get_method_or_404(reference, need="edit")
    trial = assessment_services.find_trial(method, trial_id)
    if trial is None:
        abort(404)
    form = CsrfOnlyForm()
    registry_id = trial.registry_id
    if form.validate_on_submit() and saved(form, lambda: assessment_services.remove_trial(trial, actor=current_user)):
        flash(f"Studien {registry_id} er fjernet.", "success")
    else:
        flash("Studien ble ikke fjernet. Prøv igjen.", "error")
    return redirect(url_for("methods.edit_assessment", reference=method.reference, _anchor="studier"))
