"""The referral list, registration and page, the members and experts on a case, and the member
register. Thin views: the rules are in app/panel/services.py, access in the core's
get_case_or_404()/visible_cases() (secretariat: every panel case; member: assigned ones only)."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, exists, or_, select
from sqlalchemy import case as when

from app.auth.models import User
from app.cases.interface import Case, can_edit, cases_by_id, load_record, visible_cases
from app.core.audit import AuditAction, record_access, record_list
from app.core.regions import REGIONS
from app.core.roles import Role
from app.exports import ROW_LIMIT, table_file
from app.extensions import db
from app.formatting import as_local_date
from app.forms import choices, saved
from app.pagination import page_arg, paginate
from app.panel import services
from app.panel.forms import (
    AssignMemberForm,
    EditMemberForm,
    ExpertForm,
    NewMemberForm,
    ReferralFilterForm,
    ReferralForm,
)
from app.panel.models import PanelMember, Participant, Referral, ReferralStatus
from app.panel.views import bp
from app.security import download_limit, role_required

PANEL_ROLES = (Role.PANEL_SECRETARIAT, Role.PANEL_MEMBER)
OPEN = (ReferralStatus.RECEIVED, ReferralStatus.UNDER_ASSESSMENT)
PER_PAGE = 50


def _missing_regions() -> list[str]:
    return [REGIONS[region] for region in services.regions_without_members()]


# Referrals

def _filtered_referrals(form: ReferralFilterForm, today: date):
    """The referrals the list's filters select among those the user may see (unordered, unpaged)."""
    query = select(Referral).join(Case, Case.id == Referral.case_id).where(visible_cases(current_user))
    if form.status.data in {status.value for status in ReferralStatus}:
        query = query.where(Referral.status == ReferralStatus(form.status.data))
    if form.overdue.data:
        query = query.where(Referral.status.in_(OPEN), Referral.due_on < today)
    if form.mine.data:
        # Mine: cases I am responsible for, or that I work on as a panel member.
        on_case = exists(select(Participant.id).join(PanelMember, PanelMember.id == Participant.member_id).where(
            Participant.referral_id == Referral.id, PanelMember.user_id == current_user.id))
        query = query.where(or_(Case.responsible_id == current_user.id, on_case))
    return query


# The list's order: open referrals first, then by answer deadline.
LIST_ORDER = (when((Referral.status.in_(OPEN), 0), else_=1), Referral.due_on, Referral.id)


@bp.get("/")
@role_required(*PANEL_ROLES)
def index():
    form = ReferralFilterForm(request.args)
    today = date.today()
    result = paginate(_filtered_referrals(form, today), *LIST_ORDER,
                      page=page_arg(), per_page=PER_PAGE)
    case_ids = [referral.case_id for referral in result.items]
    cases = cases_by_id(case_ids)
    secretariat = current_user.role is Role.PANEL_SECRETARIAT
    page = render_template("panel/index.html", form=form, result=result, cases=cases, today=today, open_statuses=OPEN,
                           can_register=secretariat, missing_regions=_missing_regions() if secretariat else [])
    record_list([cases[case_id] for case_id in case_ids], context="panel_referrals")
    return page


EXPORT_HEADERS = ["Saksnummer", "Pasient", "Fødselsdato", "Henvisende helseforetak", "Henvisende lege", "Mottatt",
                  "Svarfrist", "Status", "Ny beslutning i Nye Metoder"]


@bp.get("/eksport.<any(csv, xlsx):fmt>")
@role_required(*PANEL_ROLES)
@download_limit
def export_referrals(fmt: str):
    """The filtered referral list, every row in the list's order (not just the page), as CSV or XLSX;
    each patient in it is logged."""
    form = ReferralFilterForm(request.args)
    referrals = db.session.scalars(_filtered_referrals(form, date.today()).order_by(*LIST_ORDER)
                                   .limit(ROW_LIMIT)).all()
    cases = cases_by_id(referral.case_id for referral in referrals)
    rows = []
    for referral in referrals:
        case = cases[referral.case_id]
        rows.append([case.number, case.patient.name if case.patient else None,
                     case.patient.birth_date if case.patient else None, referral.referring_trust,
                     referral.referring_doctor, as_local_date(referral.created_at), referral.due_on,
                     referral.status.label, "ja" if referral.flag else "nei"])
    response = table_file(fmt, filename=f"henvisninger-ekspertpanelet-{date.today():%Y-%m-%d}",
                          title="Henvisninger", headers=EXPORT_HEADERS, rows=rows)
    record_list([cases[referral.case_id] for referral in referrals], context=f"panel_export_{fmt}")
    record_access(AuditAction.EXPORT, "panel_referrals", details={
        "format": fmt, "rows": len(rows), "filters": request.args.to_dict(flat=False)})
    return response


@bp.route("/henvisninger/ny", methods=["GET", "POST"])
@role_required(Role.PANEL_SECRETARIAT)
def new_referral():
    form = ReferralForm()
    created: list[Referral] = []
    if form.validate_on_submit() and saved(form, lambda: created.append(
            services.register_referral(form.to_command(), actor=current_user))):
        referral = created[0]
        flash(f"Henvisningen er registrert. Svarfrist {referral.due_on:%d.%m.%Y}.", "success")
        return redirect(url_for("panel.referral", case_id=referral.case_id))
    return render_template("panel/referral_new.html", form=form)


@bp.get("/saker/<int:case_id>")
@login_required
def referral(case_id: int):
    case, referral = load_record(case_id, Referral)
    editable = can_edit(current_user, case)
    page = render_template("panel/referral.html", case=case, referral=referral, editable=editable,
                           is_open=referral.status in OPEN, today=date.today())
    record_access(AuditAction.VIEW, "panel_referral", referral.id, case=case)
    return page


@bp.route("/saker/<int:case_id>/medlemmer/ny", methods=["GET", "POST"])
@login_required
def assign_member(case_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    on_case = {participant.member_id for participant in referral.participants}
    members = [member for member in db.session.scalars(
        select(PanelMember).where(PanelMember.active.is_(True)).order_by(PanelMember.name)) if member.id not in on_case]
    form = AssignMemberForm()
    form.member_id.choices = choices(
        (member.id, f"{member.name} – {member.specialty}, {member.hospital} ({REGIONS[member.appointing_region]})")
        for member in members)
    if form.validate_on_submit() and saved(form, lambda: services.assign_member(
            referral, db.session.get(PanelMember, form.member_id.data), actor=current_user)):
        flash("Medlemmet er satt på saken.", "success")
        return redirect(url_for("panel.referral", case_id=case.id, _anchor="deltakere"))
    return _participant_form(form, case, referral, "Sett medlem på saken", no_choices=not members)


@bp.route("/saker/<int:case_id>/eksperter/ny", methods=["GET", "POST"])
@login_required
def add_expert(case_id: int):
    case, referral = load_record(case_id, Referral, "edit")
    form = ExpertForm()
    if form.validate_on_submit() and saved(form, lambda: services.add_expert(
            referral, form.to_command(), actor=current_user)):
        flash("Den innleide eksperten er lagt til saken.", "success")
        return redirect(url_for("panel.referral", case_id=case.id, _anchor="deltakere"))
    return _participant_form(form, case, referral, "Legg til innleid ekspert", no_choices=False)


def _participant_form(form, case, referral, heading: str, *, no_choices: bool) -> str:
    """The form names the patient (the case title): it is logged like the referral page (Normen)."""
    page = render_template("panel/participant_form.html", form=form, case=case, referral=referral, heading=heading,
                           no_choices=no_choices)
    record_access(AuditAction.VIEW, "panel_referral", referral.id, case=case, details={"page": heading.lower()})
    return page


# The member register

@bp.get("/medlemmer")
@role_required(*PANEL_ROLES)
def members():
    members = list(db.session.scalars(select(PanelMember).order_by(
        PanelMember.active.desc(), PanelMember.appointing_region, PanelMember.name)))
    user_ids = [member.user_id for member in members if member.user_id]
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(user_ids)))} \
        if user_ids else {}
    return render_template("panel/members.html", members=members, users=users, missing_regions=_missing_regions(),
                           editable=current_user.role is Role.PANEL_SECRETARIAT)


def _login_choices(member: PanelMember | None) -> list:
    """Active panel-member logins not linked to another member (and the member's own, whatever its state)."""
    linked = select(PanelMember.user_id).where(PanelMember.user_id.is_not(None))
    if member is not None:
        linked = linked.where(PanelMember.id != member.id)
    offered = and_(User.role == Role.PANEL_MEMBER, User.active.is_(True), User.id.not_in(linked))
    if member is not None and member.user_id:
        offered = or_(offered, User.id == member.user_id)
    users = db.session.scalars(select(User).where(offered).order_by(User.name))
    return choices([(0, "Ingen pålogging"), *((user.id, f"{user.name} ({user.email})") for user in users)])


def _save_member(form, member: PanelMember | None):
    return lambda: services.save_member(member, form.to_command(), actor=current_user,
                                        expected_version=form.version.data if member is not None else None)


@bp.route("/medlemmer/ny", methods=["GET", "POST"])
@role_required(Role.PANEL_SECRETARIAT)
def new_member():
    form = NewMemberForm()
    form.user_id.choices = _login_choices(None)
    if form.validate_on_submit() and saved(form, _save_member(form, None)):
        flash("Medlemmet er registrert.", "success")
        return redirect(url_for("panel.members"))
    return render_template("panel/member_form.html", form=form, member=None, heading="Nytt medlem")


@bp.route("/medlemmer/<int:member_id>", methods=["GET", "POST"])
@role_required(Role.PANEL_SECRETARIAT)
def edit_member(member_id: int):
    member = db.session.get(PanelMember, member_id)
    if member is None:
        abort(404)
    form = EditMemberForm(obj=member)
    form.user_id.choices = _login_choices(member)
    if request.method == "GET":
        form.user_id.data = member.user_id or 0
    if form.validate_on_submit() and saved(form, _save_member(form, member)):
        flash("Endringene er lagret.", "success")
        return redirect(url_for("panel.members"))
    if form.conflict:
        # The stored version is shown above what the user typed; saving again overwrites it.
        form.adopt_version(member.version)
    return (render_template("panel/member_form.html", form=form, member=member, heading=f"Endre {member.name}"),
            409 if form.conflict else 200)
