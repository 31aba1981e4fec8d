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
from app.methods import assessment_services, citations
from app.methods.access import get_method_or_404
from app.methods.assessment_forms import AssessmentForm, EditReferenceForm, EditTrialForm, ReferenceForm, TrialForm
from app.methods.assessment_layout import ASSESSMENT_SECTIONS
from app.methods.services import TAGS
from app.methods.views import bp
from app.pdf import render_pdf

bp.add_app_template_global(assessment_services.VOCABULARY, "assessment_vocabulary")
bp.add_app_template_global(assessment_services.reference_link, "reference_link")
bp.add_app_template_global(citations.anchor, "reference_anchor")
bp.add_app_template_filter(citations.linked, "cited")   # [1, 3] with each number a link to its entry


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
    if name == "simplified_approach":
        key = getattr(value, "value", value)
        return assessment_services.SIMPLIFIED_APPROACHES.get(key, str(key))
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


def _assessment_or_redirect(method, what: str = "pågående studier"):
    if method.assessment is None:
        flash(f"Lagre egnethetsvurderingen før du legger inn {what}.", "info")
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


def _reference_or_404(method, reference_id: int):
    reference = assessment_services.find_reference(method, reference_id)
    if reference is None:
        abort(404)
    return reference


def _references_anchor(method):
    return redirect(url_for("methods.edit_assessment", reference=method.reference, _anchor="referanser"))


@bp.route("/<reference>/egnethetsvurdering/referanser/ny", methods=["GET", "POST"])
@login_required
def new_reference(reference: str):
    method = get_method_or_404(reference, need="edit")
    if (response := _assessment_or_redirect(method, "referanser")) is not None:
        return response
    form = ReferenceForm()
    created = []
    if form.validate_on_submit() and saved(form, lambda: created.append(assessment_services.add_reference(
            method.assessment, form.to_command(), actor=current_user))):
        flash(f"Referanse [{created[0].position}] er lagt til.", "success")
        return _references_anchor(method)
    return render_template("methods/reference_form.html", form=form, method=method, entry=None,
                           heading=f"Ny referanse [{len(method.assessment.references) + 1}]")


@bp.route("/<reference>/egnethetsvurdering/referanser/<int:reference_id>", methods=["GET", "POST"])
@login_required
def edit_reference(reference: str, reference_id: int):
    method = get_method_or_404(reference, need="edit")
    entry = _reference_or_404(method, reference_id)
    form = EditReferenceForm(obj=entry)
    if form.validate_on_submit() and saved(form, lambda: assessment_services.update_reference(
            entry, form.to_command(), expected_version=form.version.data, actor=current_user)):
        flash(f"Referanse [{entry.position}] er lagret.", "success")
        return _references_anchor(method)
    if form.conflict:
        form.adopt_version(entry.version)
    return (render_template("methods/reference_form.html", form=form, method=method, entry=entry,
                            heading=f"Endre referanse [{entry.position}]"),
            409 if form.conflict else 200)


@bp.post("/<reference>/egnethetsvurdering/referanser/<int:reference_id>/<any(opp, ned):direction>")
@login_required
def move_reference(reference: str, reference_id: int, direction: str):
    """A button of the edit page (it submits the page's form here, so unsaved text is not kept: the page says so)."""
    method = get_method_or_404(reference, need="edit")
    entry = _reference_or_404(method, reference_id)
    form = CsrfOnlyForm()
    if not (form.validate_on_submit() and saved(form, lambda: assessment_services.move_reference(
            entry, -1 if direction == "opp" else 1, actor=current_user))):
        flash(" ".join(form.form_errors) or "Referansen ble ikke flyttet. Prøv igjen.", "error")
    return _references_anchor(method)


@bp.post("/<reference>/egnethetsvurdering/referanser/<int:reference_id>/fjern")
@login_required
def remove_reference(reference: str, reference_id: int):
    method = get_method_or_404(reference, need="edit")
    entry = _reference_or_404(method, reference_id)
    form = CsrfOnlyForm()
    position = entry.position
    if form.validate_on_submit() and saved(form, lambda: assessment_services.remove_reference(
            entry, actor=current_user)):
        flash(f"Referanse [{position}] er fjernet; de neste har fått nye numre, også i teksten.", "success")
    else:
        flash(" ".join(form.form_errors) or "Referansen ble ikke fjernet. Prøv igjen.", "error")
    return _references_anchor(method)
