"""Treatment-abroad pages. The office's dashboard and lists are here; one application's pages in
application_views.py; appeals in appeal_views.py. Access is the core's: a caseworker sees the cases of
the office that handles the patient's home region (Helse Sør-Øst's office also Helse Nord's)."""
from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from app.abroad.lists import APPEALS, APPLICATIONS
from app.abroad.models import OPEN_STATUSES, Appeal, AppealStatus, Application, ApplicationStatus
from app.cases.interface import (
    Case,
    CaseKind,
    cases_by_id,
    open_deadlines,
    visible_cases,
)
from app.core.audit import record_list
from app.core.roles import Role
from app.extensions import db
from app.listing import export_file, list_page
from app.security import download_limit, role_required

bp = Blueprint("abroad", __name__, url_prefix="/utland", template_folder="templates")

PER_PAGE = 50
ABROAD_KINDS = (CaseKind.ABROAD_APPLICATION, CaseKind.ABROAD_APPEAL)
# Applications a caseworker still works on: being prepared, or granted/referred and being administered.
ACTIVE_STATUSES = (*OPEN_STATUSES, ApplicationStatus.GRANTED, ApplicationStatus.REFERRED)


@bp.get("/")
@role_required(Role.ABROAD_CASEWORKER)
def index():
    """The caseworker's dashboard: applications flagged by Nye Metoder, own open cases and appeals at the office."""
    today = date.today()
    visible = select(Application).join(Case, Case.id == Application.case_id).where(visible_cases(current_user))
    flagged = db.session.scalars(visible.where(Application.flag.is_not(None), Application.status.in_(OPEN_STATUSES))
                                 .order_by(Application.flagged_at.desc()).limit(PER_PAGE)).all()
    mine = db.session.scalars(visible.where(Case.responsible_id == current_user.id,
                                            Application.status.in_(ACTIVE_STATUSES))
                              .order_by(Application.received_on, Application.id).limit(PER_PAGE)).all()
    appeals = db.session.scalars(
        select(Appeal).join(Case, Case.id == Appeal.case_id).where(
            visible_cases(current_user), Appeal.status.in_((AppealStatus.RECEIVED, AppealStatus.FORWARDED)))
        .order_by(Appeal.received_on, Appeal.id).limit(PER_PAGE)).all()
    deadlines = open_deadlines(current_user, responsible_only=True, kinds=ABROAD_KINDS, limit=PER_PAGE)
    cases = cases_by_id(record.case_id for record in (*flagged, *mine, *appeals))
    page = render_template("abroad/index.html", flagged=flagged, mine=mine, appeals=appeals, cases=cases,
                           deadlines=deadlines, today=today)
    record_list(list(cases.values()), context="abroad_dashboard")
    return page


@bp.get("/soknader")
@role_required(Role.ABROAD_CASEWORKER)
def applications():
    return list_page(APPLICATIONS, "abroad/applications.html", today=date.today())


@bp.get("/soknader/eksport.<any(csv, xlsx):fmt>")
@role_required(Role.ABROAD_CASEWORKER)
@download_limit
def export_applications(fmt: str):
    return export_file(APPLICATIONS, fmt, filename="søknader-utlandet", title="Søknader")


@bp.get("/klager")
@role_required(Role.ABROAD_CASEWORKER)
def appeals():
    return list_page(APPEALS, "abroad/appeals.html")


from app.abroad import appeal_views, application_views, import_views  # noqa: E402,F401  (routes on bp)
