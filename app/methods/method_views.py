"""The method list, registration, the method page and its simple parts (status, submissions,
input, comments)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.roles import Role
from app.forms import choices, saved, submitted
from app.listing import export_file, list_page
from app.methods import services
from app.methods.access import READERS, can_comment, can_see_price_notes, get_method_or_404, require_secretariat
from app.methods.forms import (
    CommentForm,
    EditMethodForm,
    InputForm,
    MethodStatusForm,
    NewMethodForm,
    SubmissionForm,
)
from app.methods.lists import METHODS
from app.methods.views import bp
from app.methods.working_groups import working_groups_of
from app.security import download_limit, role_required


@bp.get("/")
@role_required(*READERS)
def index():
    return list_page(METHODS, "methods/index.html", can_register=current_user.role is Role.METHODS_SECRETARIAT)


@bp.get("/eksport.<any(csv, xlsx):fmt>")
@role_required(*READERS)
@download_limit
def export_methods(fmt: str):
    """The filtered method list, every row in the list's order (not just the page), as CSV or XLSX.
    Methods hold no personal data; the export itself is logged."""
    return export_file(METHODS, fmt, filename="metoder", title="Metoder")


@bp.route("/ny", methods=["GET", "POST"])
@login_required
def new_method():
    require_secretariat()
    form = NewMethodForm()
    created = []

    def register():
        created.append(services.register_method(form.to_command(), actor=current_user))

    if submitted(form, register, check=lambda draft: services.check_method(draft, actor=current_user)):
        flash(f"Metoden er registrert som {created[0].reference}.", "success")
        return redirect(url_for("methods.detail", reference=created[0].reference))
    # The methods that refused it as a possible duplicate, listed before the user confirms.
    similar = (services.similar_methods(form.draft_command().details, actor=current_user)
               if form.confirm_duplicate.errors else [])
    return render_template("methods/method_new.html", form=form, similar=similar)


@bp.get("/<reference>")
@login_required
def detail(reference: str):
    method = get_method_or_404(reference)
    return render_template(
        "methods/detail.html", method=method, editable=current_user.role is Role.METHODS_SECRETARIAT,
        tag_labels=services.TAGS,
        comment_form=CommentForm() if can_comment(current_user) else None,
        show_price_notes=can_see_price_notes(current_user), working_groups=working_groups_of(method))


@bp.route("/<reference>/endre", methods=["GET", "POST"])
@login_required
def edit(reference: str):
    method = get_method_or_404(reference, need="edit")
    form = EditMethodForm(obj=method)
    if request.method == "GET":
        form.method_type.data = method.method_type.value
    if form.validate_on_submit() and saved(form, lambda: services.update_method(
            method, form.to_command(), expected_version=form.version.data, actor=current_user)):
        flash("Endringene er lagret.", "success")
        return redirect(url_for("methods.detail", reference=reference))
    if form.conflict:
        form.adopt_version(method.version)
    return render_template("methods/method_edit.html", form=form, method=method), 409 if form.conflict else 200


@bp.route("/<reference>/status", methods=["GET", "POST"])
@login_required
def change_status(reference: str):
    method = get_method_or_404(reference, need="edit")
    form = MethodStatusForm()
    form.status.choices = choices((status.value, status.label) for status in services.manual_statuses(method))
    if form.validate_on_submit() and saved(form, lambda: services.set_status_by_hand(
            method, form.to_command(), actor=current_user)):
        flash("Statusen er endret.", "success")
        return redirect(url_for("methods.detail", reference=reference))
    return render_template("methods/status.html", form=form, method=method)


@bp.route("/<reference>/innsendinger/ny", methods=["GET", "POST"])
@login_required
def new_submission(reference: str):
    method = get_method_or_404(reference, need="edit")
    form = SubmissionForm()
    if form.validate_on_submit() and saved(form, lambda: services.add_submission(
            method, form.to_command(), actor=current_user)):
        flash("Innsendingen er registrert.", "success")
        return redirect(url_for("methods.detail", reference=reference, _anchor="innsendinger"))
    return render_template("methods/simple_form.html", form=form, method=method, heading="Ny innsending")


@bp.route("/<reference>/innspill/ny", methods=["GET", "POST"])
@login_required
def new_input(reference: str):
    method = get_method_or_404(reference, need="edit")
    form = InputForm()
    if form.validate_on_submit() and saved(form, lambda: services.add_input(
            method, form.to_command(), actor=current_user)):
        flash("Innspillet er registrert.", "success")
        return redirect(url_for("methods.detail", reference=reference, _anchor="innspill"))
    return render_template("methods/simple_form.html", form=form, method=method, heading="Nytt innspill")


@bp.post("/<reference>/kommentarer")
@login_required
def new_comment(reference: str):
    method = get_method_or_404(reference)
    if not can_comment(current_user):
        abort(403)
    form = CommentForm()
    if form.validate_on_submit() and saved(form, lambda: services.add_comment(method, text=form.text.data,
                                                                              actor=current_user)):
        flash("Kommentaren er lagt inn.", "success")
        return redirect(url_for("methods.detail", reference=reference, _anchor="kommentarer"))
    return render_template("methods/simple_form.html", form=form, method=method, heading="Ny kommentar"), 422
