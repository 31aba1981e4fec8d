"""The steps where another body decides: recording the approval of a PGD application (app/abroad/pgd.py; another
stream's application answers 404 there), and forwarding an application to the scheme it belongs to with a letter
(app/abroad/forwarding.py), previewed and then filed as shown (letters.preview_or_file)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.abroad import forwarding, letters, pgd
from app.abroad.models import Application, Stream
from app.abroad.scheme_forms import ForwardingForm, PgdApprovalForm
from app.abroad.views import bp
from app.cases.interface import audited_page, load_record
from app.core.roles import Role
from app.forms import form_status, show_draft_errors, submitted
from app.security import role_required


@bp.route("/soknader/<int:case_id>/pgd-godkjenning", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def record_pgd_approval(case_id: int):
    case, application = load_record(case_id, Application, "edit")
    if application.stream is not Stream.PGD:
        abort(404)
    form = PgdApprovalForm()
    if submitted(form, lambda: pgd.record_approval(application, form.to_command(), actor=current_user),
                 check=lambda command: pgd.check_approval(application, command)):
        flash(f"Svaret fra {application.approving_body.label} er registrert.", "success")
        return redirect(url_for("abroad.application", case_id=case.id, _anchor="vedtak"))
    page = render_template("abroad/step_form.html", form=form, case=case, application=application,
                           heading="Godkjenning av PGD", anchor="vedtak",
                           intro="Preimplantasjonsdiagnostikk godkjennes av PGD-nemnda (til 30.06.2020) eller av "
                                 "Oslo universitetssykehus eller St. Olavs hospital (fra 01.07.2020). Kontoret "
                                 "registrerer svaret og administrerer behandlingen i utlandet; det sendes ikke "
                                 "eget vedtaksbrev, og godkjenningen påklages ikke til Klagenemnda.")
    return audited_page(page, case, application, "abroad_application", "pgd-godkjenning", form_status(form))


@bp.route("/soknader/<int:case_id>/oversend", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def forward_application(case_id: int):
    case, application = load_record(case_id, Application, "edit")
    form = ForwardingForm()
    filed, preview = False, None
    if form.is_submitted() and form.validate():
        command = form.to_command()
        filed, preview = letters.preview_or_file(
            form, request.form.get("steg"), request.form.get("forhandsvist"),
            preview=lambda: forwarding.forwarding_letter(case, application, command, actor=current_user),
            file=lambda: forwarding.forward_with_letter(case, application, command, actor=current_user))
    elif form.is_submitted():
        show_draft_errors(form, lambda draft: forwarding.check_forwarding(application, draft))
    if filed:
        flash("Søknaden er sendt videre, og brevet til pasienten er journalført.", "success")
        return redirect(url_for("abroad.application", case_id=case.id, _anchor="vedtak"))
    page = render_template("abroad/forwarding_form.html", form=form, case=case, application=application,
                           preview=preview)
    return audited_page(page, case, application, "abroad_application", "oversendelse", form_status(form))
