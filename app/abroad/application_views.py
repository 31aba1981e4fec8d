"""One application's pages: registration, the application page, medical opinions, the decision and
its letter, the treatment plan and the costs. Thin views: the rules are in services.py."""
from dataclasses import replace
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.abroad import hospitals, letters, services
from app.abroad.forms import (
    ApplicationCorrectionForm,
    ApplicationForm,
    CompleteTreatmentForm,
    CostForm,
    CostReversalForm,
    DecisionForm,
    ExperimentalBasisForm,
    OpinionCorrectionForm,
    OpinionReceivedForm,
    OpinionRequestForm,
    TreatmentPlanForm,
)
from app.abroad.models import Application, CostEntry, MedicalOpinion, TreatmentClass
from app.abroad.views import bp
from app.cases.interface import audited_page, can_edit, filed_documents, load_record
from app.core.roles import Role
from app.extensions import db
from app.forms import FlagReviewForm, form_status, saved, show_draft_errors, step_saved, submitted
from app.http import owned_or_404
from app.methods.interface import MethodState, decision_links
from app.security import role_required


def _application_page(case_id: int, anchor: str | None = None):
    return redirect(_application_url(case_id, anchor))


def _application_url(case_id: int, anchor: str | None = None) -> str:
    return url_for("abroad.application", case_id=case_id, _anchor=anchor)


def _step_page(form, case, application: Application, context: str, **template):
    """A step's form on the application (abroad/step_form.html), logged as a read of the application under
    `context`; 409 when its save lost to someone else's."""
    page = render_template("abroad/step_form.html", form=form, case=case, application=application, **template)
    return audited_page(page, case, application, "abroad_application", context, form_status(form))


@bp.route("/soknader/ny", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def new_application():
    form = ApplicationForm()
    created: list[Application] = []
    if submitted(form, lambda: created.append(services.register_application(form.to_command(), actor=current_user)),
                 check=services.check_application):
        application = created[0]
        flash(f"{'Søknaden' if application.stream.has_decision else 'Henvisningen'} er registrert.", "success")
        return _application_page(application.case_id)
    return render_template("abroad/application_new.html", form=form)


@bp.get("/soknader/<int:case_id>")
@role_required(Role.ABROAD_CASEWORKER)
def application(case_id: int):
    case, application = load_record(case_id, Application)
    page = render_template(
        "abroad/application.html", case=case, application=application, editable=can_edit(current_user, case),
        method=services.method_check(application), experimental_notice=services.experimental_notice(application),
        flag_links=decision_links(application.flag), exception_basis=services.EXCEPTION_BASIS,
        experimental_basis_missing=services.experimental_basis_missing(application),
        country_name=services.country_name, decision_facts=services.DECISION_FACTS, today=date.today())
    return audited_page(page, case, application, "abroad_application", "søknad")


# Medical opinions

@bp.route("/soknader/<int:case_id>/uttalelser/ny", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def request_opinion(case_id: int):
    case, application = load_record(case_id, Application, "edit")
    form = OpinionRequestForm()
    if (done := step_saved(form, lambda: services.request_opinion(application, form.to_command(), actor=current_user),
                           check=lambda command: services.check_opinion_request(application, command),
                           done="Forespørselen om medisinsk uttalelse er registrert med svarfrist.",
                           then=_application_url(case.id, "uttalelser"))) is not None:
        return done
    return _step_page(form, case, application, "ny uttalelse", heading="Be om medisinsk uttalelse",
                      intro="Kontoret innhenter uttalelser fra relevante fagmiljøer i Norge før vedtak.",
                      anchor="uttalelser")


@bp.route("/soknader/<int:case_id>/uttalelser/<int:opinion_id>", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def record_opinion(case_id: int, opinion_id: int):
    case, application = load_record(case_id, Application, "edit")
    opinion = owned_or_404(MedicalOpinion, opinion_id, application_id=application.id)
    form = OpinionReceivedForm()
    if (done := step_saved(form, lambda: services.record_opinion(opinion, form.to_command(), actor=current_user),
                           check=lambda command: services.check_opinion_received(opinion, command),
                           done="Uttalelsen er registrert som mottatt.",
                           then=_application_url(case.id, "uttalelser"))) is not None:
        return done
    return _step_page(form, case, application, "mottatt uttalelse", heading=f"Uttalelse fra {opinion.requested_from}",
                      intro=f"Forespurt {opinion.requested_on:%d.%m.%Y}, svarfrist {opinion.due_on:%d.%m.%Y}.",
                      anchor="uttalelser")


# The decision

@bp.route("/soknader/<int:case_id>/vedtak", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def decide(case_id: int):
    """The decision: the letter is previewed, then filed as shown (letters.preview_or_file)."""
    case, application = load_record(case_id, Application, "edit")
    method = services.method_check(application)
    form = DecisionForm()
    if not form.is_submitted() and method is not None and method.state is MethodState.NOT_INTRODUCED:
        form.legal_basis.data = services.LEGAL_BASIS_NOT_INTRODUCED
        form.reasoning.data = services.not_introduced_citation(method)
    filed, preview, phrases = False, None, services.office_phrases(case.unit)
    if form.is_submitted() and request.form.get("steg") == letters.INSERT:
        letters.insert_phrase(form.reasoning, phrases, request.form.get("standardtekst"))
    elif form.is_submitted() and form.validate():
        command = replace(form.to_command(), attachments=letters.chosen_attachments(request.form.getlist("vedlegg")))
        filed, preview = letters.preview_or_file(
            form, request.form.get("steg"), request.form.get("forhandsvist"),
            preview=lambda: letters.decision_letter(case, application, command, actor=current_user),
            file=lambda: letters.decide_with_letter(case, application, command, actor=current_user))
    elif form.is_submitted():   # every refused field at once: the rules run on what the form accepted
        show_draft_errors(form, lambda draft: services.check_decision(application, draft))
    if filed:
        flash(f"Vedtaket er registrert: {application.decision.label.lower()}."
              + (" Vedtaksbrevet er journalført, og søknaden er avskrevet." if application.letter_document_id
                 else ""), "success")
        return _application_page(case.id, "vedtak")
    page = render_template("abroad/decision_form.html", form=form, case=case, application=application,
                           method=method, experimental_notice=services.experimental_notice(application),
                           citation=services.not_introduced_citation(method)
                           if method is not None and method.state is MethodState.NOT_INTRODUCED else None,
                           open_opinions=[opinion for opinion in application.opinions if opinion.received_on is None],
                           hospitals=hospitals.search(None, limit=None),
                           preview=preview, phrases=phrases, documents=filed_documents(case),
                           chosen=letters.chosen_attachments(request.form.getlist("vedlegg")))
    return audited_page(page, case, application, "abroad_application", "vedtak", form_status(form))


@bp.get("/soknader/<int:case_id>/vedtaksbrev.pdf")
@role_required(Role.ABROAD_CASEWORKER)
def decision_letter(case_id: int):
    """The letter as filed: downloaded through the case core (which checks access and logs it)."""
    case, application = load_record(case_id, Application)
    if application.letter_document_id is None:
        abort(404)
    return redirect(url_for("cases.download_document", case_id=case.id, document_id=application.letter_document_id,
                            version_number=1))


# After a grant

@bp.route("/soknader/<int:case_id>/behandling", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def plan_treatment(case_id: int):
    case, application = load_record(case_id, Application, "edit")
    form = TreatmentPlanForm(obj=None if request.method == "POST" else application)
    if not form.is_submitted():
        form.version.data = application.version
    if (done := step_saved(form, lambda: services.plan_treatment(
            application, form.to_command(), expected_version=form.version.data, actor=current_user),
            check=lambda command: services.check_treatment_plan(application, command),
            done="Behandlingsplanen er lagret.", then=_application_url(case.id, "behandling"))) is not None:
        return done
    if form.conflict:
        db.session.refresh(application)
        form.adopt_version(application.version)
    page = render_template("abroad/step_form.html", form=form, case=case, application=application,
                           heading="Behandling, reise og opphold", anchor="behandling",
                           hospitals=hospitals.search(None, limit=None),
                           intro="Kontoret avtaler behandlingen med sykehuset og planlegger reise og opphold.",
                           stored=application if form.conflict else None, country_name=services.country_name)
    return audited_page(page, case, application, "abroad_application", "behandlingsplan", 409 if form.conflict else 200)


@bp.route("/soknader/<int:case_id>/utprovende", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def record_experimental_basis(case_id: int):
    """The trial's registry ID, or the exception's grounds, that a grant of experimental treatment rests on."""
    case, application = load_record(case_id, Application, "edit")
    if not application.treatment_class.experimental:
        abort(404)
    form = ExperimentalBasisForm(obj=None if request.method == "POST" else application)
    if not form.is_submitted():
        form.version.data = application.version
    del form[("exception_grounds" if application.treatment_class is TreatmentClass.TRIAL else "trial_registry_id")]
    if (done := step_saved(form, lambda: services.record_experimental_basis(
            application, form.to_command(), expected_version=form.version.data, actor=current_user),
            done="Grunnlaget for utprøvende behandling er lagret.",
            then=_application_url(case.id, "utprovende"))) is not None:
        return done
    if form.conflict:
        db.session.refresh(application)
        form.adopt_version(application.version)
    return _step_page(form, case, application, "utprøvende behandling",
                      heading="Utprøvende behandling: studie eller unntak", anchor="utprovende",
                      intro=services.EXPERIMENTAL_NOTICE, stored_basis=application if form.conflict else None)


@bp.post("/soknader/<int:case_id>/avslutt")
@role_required(Role.ABROAD_CASEWORKER)
def complete_treatment(case_id: int):
    case, application = load_record(case_id, Application, "edit")
    form = CompleteTreatmentForm()
    if form.validate_on_submit() and saved(form, lambda: services.complete_treatment(
            application, expected_version=form.version.data, actor=current_user)):
        flash("Behandlingen er merket som avsluttet.", "success")
    else:
        for error in [*form.form_errors, *form.version.errors]:
            flash(error, "error")
    return _application_page(case.id, "behandling")


@bp.route("/soknader/<int:case_id>/ny-beslutning", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def review_method_flag(case_id: int):
    """A new Nye Metoder decision the application rests on: the caseworker notes what was assessed and decided."""
    case, application = load_record(case_id, Application, "edit")
    if not application.flag:
        flash("Søknaden har ikke noe flagg om ny beslutning i Nye Metoder.", "info")
        return _application_page(case.id)
    form = FlagReviewForm()
    if (done := step_saved(form, lambda: services.review_method_flag(application, form.note.data, actor=current_user),
                           done="Flagget er merket som vurdert, og vurderingen er ført i journalen.",
                           then=_application_url(case.id))) is not None:
        return done
    return _step_page(form, case, application, "vurder ny beslutning", heading="Vurder ny beslutning i Nye Metoder",
                      intro=application.flag, anchor="flagg")


@bp.route("/soknader/<int:case_id>/kostnader/ny", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def new_cost(case_id: int):
    case, application = load_record(case_id, Application, "edit")
    form = CostForm()
    if (done := step_saved(form, lambda: services.add_cost(application, form.to_command(), actor=current_user),
                           check=lambda command: services.check_cost(application, command),
                           done="Kostnaden er ført.", then=_application_url(case.id, "kostnader"))) is not None:
        return done
    return _step_page(form, case, application, "ny kostnad", heading="Før kostnad", anchor="kostnader",
                      intro="Statistikken teller kostnaden i året for datoen og på pasientens hjemregion.")


# Corrections: each through a form opened at the record's version, with a reason; the change and the reason
# are shown in the case's history.

@bp.route("/soknader/<int:case_id>/rett", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def correct_application(case_id: int):
    case, application = load_record(case_id, Application, "edit")
    form = ApplicationCorrectionForm()
    if not form.is_submitted():
        form.fill_from(application)
    if (done := step_saved(form, lambda: services.correct_application(
            application, form.to_command(), expected_version=form.version.data, actor=current_user),
            check=lambda command: services.check_correction(application, command, actor=current_user),
            done="Rettingen er lagret og vises i sakens historikk.", then=_application_url(case.id))) is not None:
        return done
    if form.conflict:
        db.session.refresh(application)
        form.adopt_version(application.version)
    if not (form.confirm_duplicate.errors or form.confirm_duplicate.data):
        del form.confirm_duplicate   # asked only when the corrected facts look like another application
    page = render_template("abroad/correction_form.html", form=form, case=case, application=application,
                           heading=f"Rett {'søknaden' if application.stream.has_decision else 'henvisningen'}",
                           stored=application if form.conflict else None, decided=application.decision is not None,
                           anchor="soknad")
    return audited_page(page, case, application, "abroad_application", "retting", form_status(form))


@bp.route("/soknader/<int:case_id>/uttalelser/<int:opinion_id>/rett", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def correct_opinion(case_id: int, opinion_id: int):
    case, application = load_record(case_id, Application, "edit")
    opinion = owned_or_404(MedicalOpinion, opinion_id, application_id=application.id)
    form = OpinionCorrectionForm(obj=None if request.method == "POST" else opinion)
    if opinion.received_on is None:
        del form.received_on, form.conclusion
    if (done := step_saved(form, lambda: services.correct_opinion(
            opinion, form.to_command(), expected_version=form.version.data, actor=current_user),
            check=lambda command: services.check_opinion_correction(opinion, command),
            done="Rettingen av uttalelsen er lagret og vises i sakens historikk.",
            then=_application_url(case.id, "uttalelser"))) is not None:
        return done
    if form.conflict:
        db.session.refresh(opinion)
        form.adopt_version(opinion.version)
    page = render_template("abroad/correction_form.html", form=form, case=case, application=application,
                           heading=f"Rett uttalelsen fra {opinion.requested_from}", anchor="uttalelser",
                           stored_opinion=opinion if form.conflict else None)
    return audited_page(page, case, application, "abroad_application", "retting av uttalelse", form_status(form))


@bp.route("/soknader/<int:case_id>/kostnader/<int:cost_id>/tilbakefor", methods=["GET", "POST"])
@role_required(Role.ABROAD_CASEWORKER)
def reverse_cost(case_id: int, cost_id: int):
    case, application = load_record(case_id, Application, "edit")
    cost = owned_or_404(CostEntry, cost_id, application_id=application.id)
    form = CostReversalForm()
    if (done := step_saved(form, lambda: services.reverse_cost(cost, form.to_command(), actor=current_user),
                           done="Kostnaden er tilbakeført med en kreditering.",
                           then=_application_url(case.id, "kostnader"))) is not None:
        return done
    page = render_template("abroad/correction_form.html", form=form, case=case, application=application,
                           heading="Tilbakefør kostnad", anchor="kostnader", cost=cost)
    return audited_page(page, case, application, "abroad_application", "tilbakeføring", form_status(form))
