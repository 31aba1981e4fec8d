"""Treatment-abroad pages. The office's dashboard and lists are here; one application's pages in
application_views.py; appeals in appeal_views.py. Access is the core's: a caseworker sees the cases of
the office that handles the patient's home region (Helse Sør-Øst's office also Helse Nord's)."""
from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user

from app.abroad.lists import APPEALS, APPLICATIONS, QUEUE, dashboard_boxes
from app.cases.interface import (
    CaseKind,
    cases_by_id,
    caseworkers,
    open_deadlines,
    workload,
)
from app.core.audit import record_list
from app.core.roles import Role
from app.listing import export_file, list_page
from app.security import download_limit, role_required

bp = Blueprint("abroad", __name__, url_prefix="/utland", template_folder="templates")

PER_PAGE = 50
ABROAD_KINDS = (CaseKind.ABROAD_APPLICATION, CaseKind.ABROAD_APPEAL)


@bp.get("/")
@role_required(Role.ABROAD_CASEWORKER)
def index():
    """The caseworker's dashboard: applications flagged by Nye Metoder, own open cases and appeals at the office."""
    today = date.today()
    flagged, mine, appeals = dashboard_boxes(current_user, limit=PER_PAGE)
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


@bp.get("/arbeidsko")
@role_required(Role.ABROAD_CASEWORKER)
def queue():
    """The office's work queue: applications still worked on by queue (new, without a caseworker, mine, deadline
    passed, awaiting a medical opinion, appeal under way), each assignable to a caseworker of the office; and
    the workload per caseworker."""
    office = current_user.office
    return list_page(QUEUE, "abroad/queue.html", caseworkers=caseworkers(CaseKind.ABROAD_APPLICATION, office),
                     workload=workload(ABROAD_KINDS, office, date.today()))


@bp.get("/klager")
@role_required(Role.ABROAD_CASEWORKER)
def appeals():
    return list_page(APPEALS, "abroad/appeals.html")


from app.abroad import appeal_views, application_views, hospital_views, import_views, phrase_views, scheme_views  # noqa: E402,F401  (routes on bp)
