"""The referral list, registration and page, the members and experts on a case, and the member
register. Thin views: the rules are in app/panel/services.py, access in the core's
get_case_or_404()/visible_cases() (secretariat: every panel case; member: assigned ones only)."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import and_, or_, select

from app.auth.models import User
from app.cases.interface import can_edit, load_record
from app.core.audit import AuditAction, record_access
from app.core.regions import REGIONS
from app.core.roles import Role
from app.extensions import db
from app.forms import FlagReviewForm, choices, saved, submitted
from app.listing import export_file, list_page
from app.methods.interface import decision_links
from app.panel import services
from app.panel.forms import AssignMemberForm, EditMemberForm, ExpertForm, NewMemberForm, ReferralForm
from app.panel.lists import MEMBERS, OPEN, REFERRALS
from app.panel.models import PanelMember, Referral
from app.panel.views import bp
from app.security import download_limit, role_required

PANEL_ROLES = (Role.PANEL_SECRETARIAT, Role.PANEL_MEMBER)


def _missing_regions() -> list[str]:
    return [REGIONS[region] for region in services.regions_without_members()]


# Referrals

@bp.get("/")
@role_required(*PANEL_ROLES)
def index():
    secretariat = current_user.role is Role.PANEL_SECRETARIAT
    return list_page(REFERRALS, "panel/index.html", today=date.today(), open_statuses=OPEN, can_register=secretariat,
                     missing_regions=_missing_regions() if secretariat else [])


@bp.get("/eksport.<any(csv, xlsx):fmt>")
@role_required(*PANEL_ROLES)
@download_limit
def export_referrals(fmt: str):
    return export_file(REFERRALS, fmt, filename="henvisninger-ekspertpanelet", title="Henvisninger")


@bp.route("/henvisninger/ny", methods=["GET", "POST"])
@role_required(Role.PANEL_SECRETARIAT)
def new_referral():
    form = ReferralForm()
    created: list[Referral] = []
    if submitted(form, lambda: created.append(services.register_referral(form.to_command(), actor=current_user)),
                 check=services.check_referral):
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
                           is_open=referral.status in OPEN, today=date.today(),
                           flag_links=decision_links(referral.flag),
                           takes_part=services.participant_of(referral, current_user) is not None)
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


@bp.route("/saker/<int:case_id>/ny-beslutning", methods=["GET", "POST"])
@login_required
def review_method_flag(case_id: int):
    """A new Nye Metoder decision the referral rests on: the secretariat notes what was assessed and decided (e.g.
    whether the hospital gets a letter about a statement already sent)."""
    case, referral = load_record(case_id, Referral, "edit")
    if not referral.flag:
        flash("Henvisningen har ikke noe flagg om ny beslutning i Nye Metoder.", "info")
        return redirect(url_for("panel.referral", case_id=case.id))
    form = FlagReviewForm()
    if submitted(form, lambda: services.review_method_flag(referral, form.note.data, actor=current_user)):
        flash("Flagget er merket som vurdert, og vurderingen er ført i journalen.", "success")
        return redirect(url_for("panel.referral", case_id=case.id))
    return _participant_form(form, case, referral, "Vurder ny beslutning i Nye Metoder", no_choices=False,
                             intro=referral.flag)


def _participant_form(form, case, referral, heading: str, *, no_choices: bool, intro: str | None = None) -> str:
    """The form names the patient (the case title): it is logged like the referral page (Normen)."""
    page = render_template("panel/participant_form.html", form=form, case=case, referral=referral, heading=heading,
                           no_choices=no_choices, intro=intro)
    record_access(AuditAction.VIEW, "panel_referral", referral.id, case=case, details={"page": heading.lower()})
    return page


# The member register

@bp.get("/medlemmer")
@role_required(*PANEL_ROLES)
def members():
    return list_page(MEMBERS, "panel/members.html", missing_regions=_missing_regions(),
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
