"""Treatment-abroad pages. The office's dashboard and lists are here; one application's pages in
application_views.py; appeals in appeal_views.py. Access is the core's: a caseworker sees the cases of
the office that handles the patient's home region (Helse Sør-Øst's office also Helse Nord's)."""
from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.abroad.forms import AppealFilterForm, ApplicationFilterForm
from app.abroad.models import OPEN_STATUSES, Appeal, AppealStatus, Application, ApplicationStatus, Stream
from app.cases.interface import (
    Case,
    CaseKind,
    cases_by_id,
    has_overdue_deadline,
    open_deadlines,
    visible_cases,
)
from app.core.audit import AuditAction, record_access, record_list
from app.core.regions import REGIONS
from app.core.roles import Role
from app.exports import ROW_LIMIT, table_file
from app.extensions import db
from app.forms import choices
from app.pagination import keyset_paginate, year_value
from app.security import download_limit, role_required

bp = Blueprint("abroad", __name__, url_prefix="/utland", template_folder="templates")

PER_PAGE = 50
ABROAD_KINDS = (CaseKind.ABROAD_APPLICATION, CaseKind.ABROAD_APPEAL)
# Applications a caseworker still works on: being prepared, or granted/referred and being administered.
ACTIVE_STATUSES = (*OPEN_STATUSES, ApplicationStatus.GRANTED, ApplicationStatus.REFERRED)
FIRST_YEAR = 2004  # the national network was set up in 2004


def _year_choices():
    return choices(((str(year), str(year)) for year in range(date.today().year, FIRST_YEAR - 1, -1)), blank="Alle")


def _in_year(column, year: int):
    """A date column within a year, as a range the column's index can serve."""
    return column.between(date(year, 1, 1), date(year, 12, 31))


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


def filtered_applications(form: ApplicationFilterForm, today: date):
    query = select(Application).join(Case, Case.id == Application.case_id).where(visible_cases(current_user))
    if current_user.office:
        # Narrows nothing (a caseworker sees the cases whose unit is their office, and an application's office is
        # its case's unit) but lets the (office, received_on, id) index serve the filter and the newest-first
        # order: without it the list sorts every visible row for each page (docs/performance.md, B1–B3).
        query = query.where(Application.office == current_user.office)
    if form.stream.data in {stream.value for stream in Stream}:
        query = query.where(Application.stream == Stream(form.stream.data))
    if form.status.data in {status.value for status in ApplicationStatus}:
        query = query.where(Application.status == ApplicationStatus(form.status.data))
    if form.region.data:
        query = query.where(Application.home_region == form.region.data)
    if (year := year_value(form.year.data)) is not None:
        query = query.where(_in_year(Application.received_on, year))
    if form.mine.data:
        query = query.where(Case.responsible_id == current_user.id)
    if form.flagged.data:
        query = query.where(Application.flag.is_not(None))
    if form.overdue.data:
        query = query.where(has_overdue_deadline(Application.case_id, today))
    text = (form.q.data or "").strip()
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(Case.number.ilike(pattern), Application.reference.ilike(pattern),
                                Case.title.ilike(pattern)))
    return query


@bp.get("/soknader")
@role_required(Role.ABROAD_CASEWORKER)
def applications():
    form = ApplicationFilterForm(request.args)
    form.year.choices = _year_choices()
    today = date.today()
    result = keyset_paginate(filtered_applications(form, today), Application.received_on, Application.id,
                             after=request.args.get("etter"), before=request.args.get("foer"), per_page=PER_PAGE,
                             key_of=lambda application: (application.received_on, application.id))
    cases = cases_by_id(record.case_id for record in result.items)
    page = render_template("abroad/applications.html", form=form, result=result, cases=cases, today=today,
                           open_statuses=OPEN_STATUSES)
    record_list([cases[application.case_id] for application in result.items], context="abroad_applications")
    return page


EXPORT_HEADERS = ["Saksnummer", "Referanse", "Pasient", "Fødselsdato", "Hjemregion", "Type", "ICD-10", "Kapittel",
                  "Mottatt", "Barn", "Status", "Vedtak", "Vedtaksdato", "Land", "Sykehus", "Kostnader NOK"]


@bp.get("/soknader/eksport.<any(csv, xlsx):fmt>")
@role_required(Role.ABROAD_CASEWORKER)
@download_limit
def export_applications(fmt: str):
    """The filtered list, every row (not just the page), as CSV or XLSX; each patient in it is logged."""
    form = ApplicationFilterForm(request.args)
    query = filtered_applications(form, date.today()).options(selectinload(Application.costs))
    applications = db.session.scalars(query.order_by(Application.received_on.desc(), Application.id.desc())
                                      .limit(ROW_LIMIT)).all()
    cases = cases_by_id(record.case_id for record in applications)
    rows = []
    for application in applications:
        case = cases[application.case_id]
        rows.append([case.number, application.reference, case.patient.name, case.patient.birth_date,
                     REGIONS[application.home_region], application.stream.label, application.icd10,
                     application.icd10_chapter, application.received_on, "ja" if application.child else "nei",
                     application.status.label, application.decision.label if application.decision else None,
                     application.decided_on, application.country, application.hospital, application.total_nok])
    response = table_file(fmt, filename=f"søknader-utlandet-{date.today():%Y-%m-%d}", title="Søknader",
                          headers=EXPORT_HEADERS, rows=rows)
    record_list([cases[application.case_id] for application in applications], context=f"abroad_export_{fmt}")
    record_access(AuditAction.EXPORT, "abroad_applications", details={
        "format": fmt, "rows": len(rows), "filters": {key: value for key, value in request.args.items()}})
    return response


@bp.get("/klager")
@role_required(Role.ABROAD_CASEWORKER)
def appeals():
    form = AppealFilterForm(request.args)
    form.year.choices = _year_choices()
    query = select(Appeal).join(Case, Case.id == Appeal.case_id).where(visible_cases(current_user))
    if form.status.data in {status.value for status in AppealStatus}:
        query = query.where(Appeal.status == AppealStatus(form.status.data))
    if (year := year_value(form.year.data)) is not None:
        query = query.where(_in_year(Appeal.received_on, year))
    if form.late.data:
        query = query.where(Appeal.late.is_(True))
    result = keyset_paginate(query, Appeal.received_on, Appeal.id, after=request.args.get("etter"),
                             before=request.args.get("foer"), per_page=PER_PAGE,
                             key_of=lambda appeal: (appeal.received_on, appeal.id))
    cases = cases_by_id(record.case_id for record in result.items)
    page = render_template("abroad/appeals.html", form=form, result=result, cases=cases)
    record_list([cases[appeal.case_id] for appeal in result.items], context="abroad_appeals")
    return page


from app.abroad import appeal_views, application_views, import_views  # noqa: E402,F401  (routes on bp)
