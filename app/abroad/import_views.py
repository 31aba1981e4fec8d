"""Upload pages for the bulk import of historical records (app/abroad/importing/ has the rules).

For admins and abroad caseworkers. A caseworker imports rows of their own office's patients only; an
admin imports for every office (a national migration task) but, as everywhere else, sees no patient
data: the pages show counts and line/column errors only. Every upload runs as a background job (in-process
and at once when there is no Redis); its page shows the progress and, when it is done, the result.
"""
from babel.numbers import format_decimal
from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from app.abroad import import_jobs
from app.abroad.importing import (
    IMPORTERS,
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_SHOWN_ERRORS,
    PLACEHOLDER_NAME,
    AppealImporter,
    ApplicationImporter,
    CostImporter,
)
from app.abroad.views import bp
from app.core.audit import AuditAction, record_access
from app.core.regions import ABROAD_OFFICES, REGIONS, handling_office
from app.core.roles import Role
from app.errors import JobsUnavailable
from app.forms import choices
from app.security import role_required

KIND_LABELS = {"applications": "Søknader og henvisninger", "costs": "Kostnader", "appeals": "Klager"}
COLUMNS = {
    "applications": ApplicationImporter.columns,
    "costs": CostImporter.columns,
    "appeals": AppealImporter.columns,
}
ACCEPTED = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(FlaskForm):
    kind = SelectField("Hva skal importeres?", choices=choices(KIND_LABELS.items(), blank="Velg"),
                       validators=[InputRequired(message="Velg hva filen inneholder.")])
    file = FileField("Fil (CSV eller XLSX)", validators=[FileRequired(message="Velg en fil.")],
                     description="CSV i UTF-8 (med eller uten BOM), skilt med komma eller semikolon, eller XLSX "
                                 "(første ark). Første linje er kolonnenavnene. Høyst "
                                 f"{format_decimal(MAX_ROWS, '#,##0', locale='nb_NO')} rader og {MAX_COLUMNS} "
                                 "kolonner.",
                     render_kw={"accept": ACCEPTED})
    submit = SubmitField("Importer")

    def validate_kind(self, field) -> None:
        if field.data not in IMPORTERS:
            raise ValidationError("Velg hva filen inneholder.")


def _scope_text() -> str:
    if current_user.role is Role.ADMIN:
        return "Som administrator kan du importere saker for alle utenlandskontorene."
    regions = [name for code, name in REGIONS.items() if handling_office(code) == current_user.office]
    office = ABROAD_OFFICES.get(current_user.office, "kontoret ditt").replace("Utenlandskontoret", "utenlandskontoret")
    return f"Du kan importere saker for pasienter fra {' og '.join(regions)}, som {office} behandler."


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.ABROAD_CASEWORKER)
def import_upload():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            number = import_jobs.start_import(form.kind.data, upload.read(), upload.filename or "", current_user)
        except JobsUnavailable as error:
            flash(str(error), "error")
        else:
            return redirect(url_for("abroad.import_job", number=number))
    return render_template("abroad/import.html", form=form, columns=COLUMNS, kind_labels=KIND_LABELS,
                           scope_text=_scope_text(), placeholder=PLACEHOLDER_NAME.format(reference="X"))


def _job_or_404(number: int):
    job = import_jobs.find_job(number, current_user)
    if job is None:
        abort(404)
    return job


@bp.get("/import/jobber/<int:number>")
@role_required(Role.ADMIN, Role.ABROAD_CASEWORKER)
def import_job(number: int):
    state = import_jobs.job_state(_job_or_404(number))
    return render_template("abroad/import_job.html", number=number, state=state, kind_labels=KIND_LABELS,
                           max_shown=MAX_SHOWN_ERRORS)


@bp.get("/import/jobber/<int:number>/status")
@role_required(Role.ADMIN, Role.ABROAD_CASEWORKER)
def import_job_status(number: int):
    """The progress as JSON, polled by static/js/progress.js."""
    state = import_jobs.job_state(_job_or_404(number))
    return jsonify(state=state["state"], percent=state["percent"], step=state["step"],
                   done=state["state"] in ("finished", "failed"))


@bp.get("/import/jobber/<int:number>/feil.txt")
@role_required(Role.ADMIN, Role.ABROAD_CASEWORKER)
def import_errors(number: int):
    """Every error of a refused import, one per line, as the command line prints them."""
    state = import_jobs.job_state(_job_or_404(number))
    result = state["result"]
    if result is None or result.ok:
        abort(404)
    record_access(AuditAction.DOWNLOAD, "abroad_import", import_jobs.job_id(number),
                  details={"file": state["filename"], "errors": len(result.errors)})
    response = make_response("\n".join(str(error) for error in result.errors) + "\n")
    response.mimetype = "text/plain"
    response.headers["Content-Disposition"] = f"attachment; filename=importfeil-{number}.txt"
    return response
