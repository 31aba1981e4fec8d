"""Each role's dashboard shows its own deadlines and work, and nothing of the other roles': the commissions'
delivery for the methods secretariat, the statements for the panel secretariat, a member's referrals, the
medical opinions and appeals for an abroad office. Patients' names are masked (the cases' public titles)."""
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from app.abroad import services as abroad
from app.abroad.models import Decision
from app.auth.models import User
from app.cases.models import Case
from app.core.audit import AuditAction, AuditEvent
from app.extensions import db
from app.methods import services as methods
from app.methods.models import Forum, OrderingKind
from app.panel import services as panel
from tests.factories import (
    abroad_appeal,
    abroad_application,
    abroad_decision,
    abroad_opinion_request,
    abroad_reconsideration,
    agenda_item,
    new_meeting,
    new_method,
    ordering_decision,
    panel_contribution,
    panel_member,
    panel_referral,
)

TODAY = date.today()


@dataclass
class World:
    users: dict[str, int]
    method: str            # the method's reference
    referral: str          # case numbers
    application: str
    appeal: str


@pytest.fixture
def world(app, make_user) -> World:
    users = {role: make_user(role) for role in ("methods_secretariat", "bestillerforum", "panel_secretariat",
                                                 "panel_member", "admin")}
    users["abroad_own"] = make_user("abroad_caseworker", office="helse-sor-ost")
    users["abroad_other"] = make_user("abroad_caseworker", office="helse-vest")
    with app.app_context():
        def actor(name):
            return db.session.get(User, users[name])
        method = methods.register_method(new_method(), actor=actor("methods_secretariat"))
        meeting = methods.create_meeting(new_meeting(Forum.BESTILLERFORUM, date(2024, 5, 27)),
                                         actor=actor("methods_secretariat"))
        item = methods.add_agenda_item(meeting, agenda_item(method), actor=actor("methods_secretariat"))
        methods.record_ordering_decision(method, ordering_decision(
            item, OrderingKind.SINGLE_TECHNOLOGY, assessing_body="DMP", aspects=(), decided_on=date(2024, 5, 27),
            due_on=date(2027, 6, 1)), actor=actor("methods_secretariat"))

        referral = panel.register_referral(panel_referral(referred_on=TODAY, regional_review_on=TODAY),
                                           actor=actor("panel_secretariat"), today=TODAY)
        member = panel.save_member(None, panel_member(user_id=users["panel_member"]), actor=actor("panel_secretariat"))
        panel.assign_member(referral, member, actor=actor("panel_secretariat"))

        application = abroad.register_application(abroad_application(), actor=actor("abroad_own"), today=TODAY)
        abroad.request_opinion(application, abroad_opinion_request(requested_on=TODAY, due_on=date(2027, 1, 15)),
                               actor=actor("abroad_own"), today=TODAY)
        refused = abroad.register_application(abroad_application(patient_name="Per Klagesen", national_id=None,
                                                                 birth_date=date(1980, 1, 1)),
                                              actor=actor("abroad_own"), today=TODAY)
        abroad.decide(refused, abroad_decision(Decision.DENIED, decided_on=date(2026, 9, 20)),
                      actor=actor("abroad_own"), letter=b"%PDF-1.7", today=date(2026, 11, 20))
        appeal = abroad.register_appeal(refused, abroad_appeal(), actor=actor("abroad_own"), today=date(2026, 11, 20))
        abroad.reconsider(appeal, abroad_reconsideration(), actor=actor("abroad_own"), letter=b"%PDF-1.7",
                          today=date(2026, 11, 20))
        db.session.commit()
        return World(users, method.reference, *(db.session.get(Case, record.case_id).number
                                                for record in (referral, application, appeal)))


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    end = html.find("<section", start)
    return html[start:end if end != -1 else len(html)]


def _dashboard(login, world, name: str) -> str:
    response = login(world.users[name]).get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_methods_secretariat_sees_the_commissions_delivery_deadline(login, world):
    deadlines = _section(_dashboard(login, world, "methods_secretariat"), "frister")
    assert "01.06.2027" in deadlines and "Leveranse av oppdrag" in deadlines and world.method in deadlines
    assert world.referral not in deadlines and world.application not in deadlines


def test_the_panel_secretariat_sees_the_statement_deadline_only(login, world):
    html = _dashboard(login, world, "panel_secretariat")
    deadlines = _section(html, "frister")
    assert world.referral in deadlines and "Frist for uttalelse" in deadlines
    assert "01.06.2027" not in html and world.application not in html and world.appeal not in html


def test_a_member_sees_the_assigned_referral_and_what_waits_for_them(app, login, world):
    html = _dashboard(login, world, "panel_member")
    box = _section(html, "mine-henvisninger")
    assert world.referral in box and "Venter på ditt utkast til funn og råd" in box
    assert "Hanne" not in html and "Hagen" not in html          # the public title: the name masked
    assert "Ingen åpne frister å vise." in _section(html, "frister")
    with app.app_context():
        referral = panel.find_referral(db.session.scalar(select(Case.id).where(Case.number == world.referral)))
        panel.add_contribution(referral, panel_contribution(), actor=db.session.get(User, world.users["panel_member"]))
        db.session.commit()
    assert "Utkastet ditt venter på sekretariatet" in _section(_dashboard(login, world, "panel_member"),
                                                               "mine-henvisninger")
    assert "Utkast til spørsmål 2" in _section(_dashboard(login, world, "panel_secretariat"), "utkast")


def test_an_abroad_office_sees_its_opinion_deadlines_and_appeals(app, login, world):
    html = _dashboard(login, world, "abroad_own")
    deadlines = _section(html, "frister")
    assert world.application in deadlines and "Frist for uttalelse" in deadlines and "15.01.2027" in deadlines
    appeals = _section(html, "klager")
    assert world.appeal in appeals and "Oversendt Klagenemnda" in appeals
    assert "Nora" not in html and "Klagesen" not in html
    assert "01.06.2027" not in html and world.referral not in html
    with app.app_context():   # the dashboard logs the patients' cases it showed (the refused one is «mine»)
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == world.users["abroad_own"])
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.action is AuditAction.LIST and len(event.changes["patients"]) == 3
    other = _dashboard(login, world, "abroad_other")
    assert world.application not in other and world.appeal not in other


@pytest.mark.parametrize("role", ["bestillerforum", "admin"])
def test_roles_without_case_work_see_no_one_elses_deadlines(login, world, role):
    html = _dashboard(login, world, role)
    assert "Ingen åpne frister å vise." in _section(html, "frister")
    for number in (world.method, world.referral, world.application, world.appeal, "01.06.2027"):
        assert number not in html
