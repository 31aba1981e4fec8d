"""The panel's part of the dashboard. A member sees the open referrals they are on, each with what waits for
them (their draft, or the secretariat's work on it), by the answer deadline; the secretariat sees the members'
drafts not yet taken into an assessment. (The statements' deadlines are deadlines on the referral's case, shown
by the case core to the roles that change referrals.)"""
from datetime import date

from flask import url_for
from sqlalchemy import select

from app.cases.interface import cases_by_id
from app.core.roles import Role
from app.extensions import db
from app.modules import DashboardBox, DashboardPart, DashboardRow
from app.panel.models import Contribution, ContributionKind, PanelMember, Participant, Referral, ReferralStatus

LIMIT = 50
_OPEN = (ReferralStatus.RECEIVED, ReferralStatus.UNDER_ASSESSMENT)


def _rows(referrals_and_work: list[tuple[Referral, str]]) -> tuple[DashboardRow, ...]:
    cases = cases_by_id(referral.case_id for referral, _ in referrals_and_work)
    return tuple(DashboardRow(case_id=referral.case_id, patient_id=cases[referral.case_id].patient_id,
                              case_number=cases[referral.case_id].number, title=cases[referral.case_id].public_title,
                              what=what, url=url_for("panel.referral", case_id=referral.case_id, _anchor="bidrag"),
                              due_on=referral.due_on)
                 for referral, what in referrals_and_work)


def _waiting_for_member(referral: Referral, user) -> str:
    drafts = [item for item in referral.contributions
              if item.author_id == user.id and item.kind is ContributionKind.DRAFT]
    if not drafts:
        return "Venter på ditt utkast til funn og råd"
    if any(item.adopted_at is None for item in drafts):
        return "Utkastet ditt venter på sekretariatet"
    return "Utkastet ditt er tatt inn; sekretariatet ferdigstiller uttalelsen"


def dashboard_part(user, today: date) -> DashboardPart:
    if user.role is Role.PANEL_MEMBER:
        referrals = db.session.scalars(
            select(Referral).join(Participant, Participant.referral_id == Referral.id)
            .join(PanelMember, PanelMember.id == Participant.member_id)
            .where(PanelMember.user_id == user.id, Referral.status.in_(_OPEN))
            .order_by(Referral.due_on, Referral.id).limit(LIMIT)).all()
        return DashboardPart(boxes=(DashboardBox(
            "mine-henvisninger", "Henvisninger du er med på", "Åpne henvisninger du er satt på, og hva som venter",
            _rows([(referral, _waiting_for_member(referral, user)) for referral in referrals]),
            "Du er ikke satt på noen åpne henvisninger."),))
    if user.role is Role.PANEL_SECRETARIAT:
        waiting = db.session.execute(
            select(Referral, Contribution.question).join(Contribution, Contribution.referral_id == Referral.id)
            .where(Contribution.kind == ContributionKind.DRAFT, Contribution.adopted_at.is_(None),
                   Referral.status.in_(_OPEN))
            .order_by(Referral.due_on, Referral.id, Contribution.id).limit(LIMIT)).all()
        return DashboardPart(boxes=(DashboardBox(
            "utkast", "Utkast fra medlemmene", "Utkast som ikke er tatt inn i vurderingen ennå",
            _rows([(referral, f"Utkast til spørsmål {question}") for referral, question in waiting]),
            "Ingen utkast venter."),))
    return DashboardPart()
