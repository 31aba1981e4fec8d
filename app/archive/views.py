"""The admin's archive page: order an extraction of a period (a background job) and follow its progress."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField, ValidationError
from wtforms.validators import DataRequired

from app.archive import jobs
from app.archive.extraction import Period
from app.core.roles import Role
from app.errors import JobsUnavailable
from app.forms import NorwegianDateField
from app.security import role_required

bp = Blueprint("archive", __name__, url_prefix="/admin/arkiv", template_folder="templates")
DATE_MESSAGE = "Fyll inn en dato (dd.mm.åååå)."


class ExtractionForm(FlaskForm):
    start = NorwegianDateField("Fra og med", [DataRequired(message=DATE_MESSAGE)],
                               description="Saker med saksdato og journalposter med journaldato i perioden.")
    end = NorwegianDateField("Til og med", [DataRequired(message=DATE_MESSAGE)])
    submit = SubmitField("Lag arkivuttrekk")

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("Til-datoen kan ikke være før fra-datoen.")


@bp.route("", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def index():
    form = ExtractionForm()
    if form.validate_on_submit():
        try:
            number = jobs.start_extraction(Period(form.start.data, form.end.data), current_user)
        except JobsUnavailable as error:
            flash(str(error), "error")
        else:
            return redirect(url_for("archive.job", number=number))
    return render_template("archive/index.html", form=form)


def _state_or_404(number: int) -> dict:
    job = jobs.find_job(number, current_user)
    if job is None:
        abort(404)
    return jobs.job_state(job)


@bp.get("/jobber/<int:number>")
@role_required(Role.ADMIN)
def job(number: int):
    return render_template("archive/job.html", number=number, state=_state_or_404(number))


@bp.get("/jobber/<int:number>/status")
@role_required(Role.ADMIN)
def job_status(number: int):
    """The progress as JSON, polled by static/js/progress.js."""
    state = _state_or_404(number)
    return jsonify(state=state["state"], percent=state["percent"], step=state["step"],
                   done=state["state"] in ("finished", "failed"))
