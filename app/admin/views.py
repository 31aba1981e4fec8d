"""User administration and log review; the admin role only."""
from dataclasses import replace
from datetime import datetime, timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from app.admin.forms import LogReviewForm, UserForm
from app.admin.lists import AUDIT_LOG, OSLO, USERS, period_messages
from app.auth import services as account_services
from app.auth.models import User
from app.cases import audit_chain, audit_review
from app.core.audit import LIST_OBJECT, AuditEvent, listed_first, listed_in, named_patients
from app.core.roles import Role
from app.errors import DomainError, InvalidInput
from app.extensions import db
from app.forms import show_error
from app.listing import run_list
from app.security import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

ROLE_LABELS_BY_VALUE = {role.value: role.label for role in Role}
AUDIT_OBJECT_LABELS = {
    "case": "Sak", "patient": "Pasient", "journal_entry": "Journalpost", "document": "Dokument",
    "document_version": "Dokumentversjon", "deadline": "Frist", "case_assignment": "Tilgang til sak",
    "user": "Bruker", "patient_access_log": "Innsynslogg", "report": "Rapport", LIST_OBJECT: "Liste",
    "archive_extraction": "Arkivuttrekk",
    "patient_discrepancy": "Avvik i pasientopplysninger", "guardian": "Verge",
    "patient_facts": "Endring eller retting av pasientopplysninger",
    "api_token": "API-nøkkel", "account_activation": "Aktiveringslenke", "user_session": "Innlogging",
    "method": "Metode", "method_submission": "Innsending", "method_input": "Innspill",
    "method_comment": "Kommentar", "method_meeting": "Møte", "method_agenda_item": "Sak på saksliste",
    "method_ordering_decision": "Bestilling", "method_report": "Rapport", "method_price_note": "Prisnotat",
    "method_forum_decision": "Beslutning", "method_follow_up": "Oppfølgingsoppdrag",
    "method_assessment": "Egnethetsvurdering", "method_trial": "Pågående studie",
}


@bp.get("/brukere")
@role_required(Role.ADMIN)
def users():
    result = run_list(USERS, request.args, current_user)
    return render_template("admin/users.html", result=result, live_sessions=account_services.live_session_counts())


@bp.route("/brukere/ny", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user():
    """A new account gets a one-time activation link for the user, never a password the admin knows."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            user, token = account_services.invite_user(email=form.email.data, name=form.name.data,
                                                       role=Role(form.role.data), office=form.office.data or None,
                                                       actor=current_user)
        except InvalidInput as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Brukeren {user.email} er opprettet.", "success")
            return _render_user(user, activation_token=token)
    return render_template("admin/user_new.html", form=form)


def _render_user(user: User, activation_token: str | None = None):
    """The admin's page for one account; a new activation link is shown here once, right after it is made."""
    link = url_for("auth.activate", token=activation_token, _external=True) if activation_token else None
    return render_template("admin/user.html", user=user, activation_link=link,
                           activation_hours=account_services.ACTIVATION_HOURS,
                           tokens=account_services.live_api_tokens_of(user),
                           live_sessions=len(account_services.live_sessions_of(user)))


@bp.get("/brukere/<int:user_id>")
@role_required(Role.ADMIN)
def user_page(user_id: int):
    return _render_user(db.session.get(User, user_id) or abort(404))


@bp.post("/brukere/<int:user_id>/aktiveringslenke")
@role_required(Role.ADMIN)
def new_activation_link(user_id: int):
    """A new link for an account not yet activated (the first one expired or was lost); earlier links end."""
    user = db.session.get(User, user_id) or abort(404)
    try:
        token = account_services.issue_activation(user, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("admin.user_page", user_id=user.id))
    db.session.commit()
    flash("En ny aktiveringslenke er laget. Tidligere lenker for kontoen virker ikke lenger.", "success")
    return _render_user(user, activation_token=token)


@bp.post("/brukere/<int:user_id>/trekk-tilbake-nokler")
@role_required(Role.ADMIN)
def revoke_user_tokens(user_id: int):
    """A leaked token or a suspicion: every API token of the user stops working now."""
    user = db.session.get(User, user_id) or abort(404)
    revoked = account_services.revoke_api_tokens(user, actor=current_user, reason="revoked_by_admin")
    db.session.commit()
    flash(f"Alle API-nøklene til {user.name} er trukket tilbake ({revoked} nøkler).", "success")
    return redirect(url_for("admin.user_page", user_id=user.id))


@bp.post("/brukere/<int:user_id>/nullstill-tofaktor")
@role_required(Role.ADMIN)
def reset_two_factor(user_id: int):
    """A lost phone: the user sets up the app again at the next login, and every session ends now."""
    user = db.session.get(User, user_id) or abort(404)
    account_services.reset_two_factor(user, actor=current_user)
    db.session.commit()
    flash(f"Tofaktorinnloggingen til {user.name} er nullstilt. Brukeren setter opp appen på nytt ved neste "
          "innlogging.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/brukere/<int:user_id>/logg-ut")
@role_required(Role.ADMIN)
def end_user_sessions(user_id: int):
    """A stolen laptop or a suspicion: the user is logged out everywhere, the account stays active."""
    user = db.session.get(User, user_id) or abort(404)
    ended, revoked = account_services.end_sessions_by_admin(user, actor=current_user)
    db.session.commit()
    flash(f"{user.name} er logget ut overalt ({ended} innlogginger avsluttet, {revoked} API-nøkler trukket "
          "tilbake).", "success")
    return redirect(url_for("admin.users"))


@bp.post("/brukere/logg-ut-alle")
@role_required(Role.ADMIN)
def end_everyones_sessions():
    """After a security incident: every user must log in again (the admin's own session stays)."""
    ended, revoked = account_services.end_everyones_sessions(actor=current_user)
    db.session.commit()
    flash(f"Alle brukere er logget ut ({ended} innlogginger avsluttet, {revoked} API-nøkler trukket tilbake). "
          "Din egen innlogging gjelder fortsatt.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/brukere/<int:user_id>/deaktiver")
@role_required(Role.ADMIN)
def deactivate_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    if user.id == current_user.id:
        flash("Du kan ikke deaktivere din egen konto.", "error")
    else:
        account_services.set_active(user, False, actor=current_user)
        db.session.commit()
        flash(f"{user.name} er deaktivert, og alle innlogginger er avsluttet.", "success")
    return redirect(url_for("admin.users"))


@bp.get("/logg")
@role_required(Role.ADMIN)
def audit_log():
    """Search the audit log by user, action, case, patient and period (newest first). A list event is found
    by the cases and patients it showed, and shows the first few of them (only the searched one's, when
    searching) with a link to its own page for the rest."""
    result = run_list(AUDIT_LOG, request.args, current_user, html=True)
    period_messages(result)
    listed = listed_first((event.id for event in result.items if event.object_type == LIST_OBJECT),
                          patient_id=result.values.get("pasient"), case_id=result.values.get("sak"))
    return render_template("admin/audit_log.html", result=result, events=result.items, listed=listed,
                           object_labels=AUDIT_OBJECT_LABELS, role_labels=ROLE_LABELS_BY_VALUE,
                           chain=audit_chain.status())


@bp.get("/logg/hendelse/<int:event_id>")
@role_required(Role.ADMIN)
def audit_event(event_id: int):
    """One event of the log with every field, and for a list event every case and patient it showed: the log
    page shows a few of them and links here. Not logged, as the log page (app/admin/lists.py says why)."""
    event = db.session.get(AuditEvent, event_id) or abort(404)
    is_list = event.object_type == LIST_OBJECT
    indexed = listed_in([event.id]).get(event.id, []) if is_list else []
    return render_template("admin/audit_event.html", event=event, is_list=is_list, listed=indexed,
                           index_agrees=indexed == named_patients(event), seal=audit_chain.seal_of(event.id),
                           object_labels=AUDIT_OBJECT_LABELS, role_labels=ROLE_LABELS_BY_VALUE)


@bp.get("/logg/kontroll")
@role_required(Role.ADMIN)
def log_review():
    """Unusual access to look into (Normen fact sheet 15): many patients in a short time, refused attempts
    outside one's scope, and patient data opened outside working hours."""
    config = current_app.config
    today = datetime.now(OSLO).date()
    defaults = {"fra": f"{today - timedelta(days=config['LOG_REVIEW_DEFAULT_DAYS'] - 1):%d.%m.%Y}",
                "til": f"{today:%d.%m.%Y}", "pasienter": str(config["LOG_REVIEW_PATIENTS"]),
                "minutter": str(config["LOG_REVIEW_WINDOW_MINUTES"])}
    form = LogReviewForm(MultiDict({**defaults, **request.args.to_dict()}))   # a repeated parameter: the first
    result = None
    if form.validate():
        thresholds = replace(audit_review.Thresholds.from_config(config), patients=form.pasienter.data,
                             window=timedelta(minutes=form.minutter.data))
        result = audit_review.review(form.fra.data, form.til.data, thresholds)
    return render_template("admin/log_review.html", form=form, review=result, role_labels=ROLE_LABELS_BY_VALUE)


@bp.post("/logg/kjede")
@role_required(Role.ADMIN)
def seal_and_verify():
    """Seal what is unsealed and recompute the whole chain now (the timer does it unattended)."""
    sealed = audit_chain.seal_all()
    report = audit_chain.verify()
    if report.intact:
        flash(f"{sealed} nye loggrader forseglet. Kjeden er hel ({report.sealed} rader).", "success")
    else:
        for problem in report.problems:
            flash(problem, "error")
    return redirect(url_for("admin.audit_log"))


# The routes of the patient pages register on bp: the access log, data quality and the patients' requests.
from app.admin import access_log_views, patient_views  # noqa: E402,F401,I001
