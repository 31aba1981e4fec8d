"""Who may see and change which case: role and office scope, 404 and audit outside it."""
import pytest
from sqlalchemy import select

from app.auth.models import User
from app.cases import access
from app.cases.models import Case, CaseKind
from app.cases.services import assign_user
from app.core.audit import AuditEvent
from app.core.roles import Role
from app.extensions import db

ROLES_AND_OFFICES = [
    *[(Role.ABROAD_CASEWORKER, office) for office in ("helse-sor-ost", "helse-vest", "helse-midt-norge")],
    *[(role, None) for role in Role if role is not Role.ABROAD_CASEWORKER]]


def _audit(app, action, case_id):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action,
                                                                AuditEvent.case_id == case_id)))


def test_helse_vest_caseworker_gets_404_on_a_helse_sor_ost_case_and_it_is_logged(app, login, make_user, make_case):
    owner = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(owner, home_region="helse-sor-ost")
    intruder = make_user("abroad_caseworker", "helse-vest")

    response = login(intruder).get(f"/saker/{case_id}")

    assert response.status_code == 404
    assert "Kari Nordmann" not in response.get_data(as_text=True)
    [denied] = _audit(app, "denied", case_id)
    assert (denied.user_id, denied.office) == (intruder, "helse-vest")
    assert denied.patient_id is not None


def test_helse_sor_ost_caseworker_opens_a_helse_nord_patients_case_and_it_is_logged(app, login, make_user, make_case):
    creator = make_user("abroad_caseworker", "helse-sor-ost")
    case_id = make_case(creator, home_region="helse-nord")
    reader = make_user("abroad_caseworker", "helse-sor-ost")

    response = login(reader).get(f"/saker/{case_id}")

    assert response.status_code == 200
    assert "Kari Nordmann" in response.get_data(as_text=True)
    views = [event for event in _audit(app, "view", case_id) if event.user_id == reader]
    assert len(views) == 1 and views[0].patient_id is not None


def test_unknown_case_is_404(login, make_user):
    assert login(make_user("abroad_caseworker")).get("/saker/987654").status_code == 404


def test_panel_member_sees_only_assigned_cases(app, login, make_user, make_case):
    secretary = make_user("panel_secretariat")
    member = make_user("panel_member")
    assigned = make_case(secretary, kind=CaseKind.PANEL_REFERRAL, title="Henvisning – Kari Nordmann")
    other = make_case(secretary, kind=CaseKind.PANEL_REFERRAL, title="Henvisning – Ola", name="Ola",
                      national_id=None)
    with app.app_context():
        assign_user(db.session.get(Case, assigned), db.session.get(User, member),
                    actor=db.session.get(User, secretary))
        db.session.commit()
    client = login(member)
    assert client.get(f"/saker/{assigned}").status_code == 200
    assert client.get(f"/saker/{other}").status_code == 404
    assert client.get(f"/saker/{assigned}/endre").status_code == 403


def test_bestillerforum_reads_method_cases_but_cannot_change_them(login, make_user, make_case):
    case_id = make_case(make_user("methods_secretariat"), kind=CaseKind.METHOD, title="ID2025_102 Endoskopi")
    client = login(make_user("bestillerforum"))
    assert client.get(f"/saker/{case_id}").status_code == 200
    assert client.get(f"/saker/{case_id}/endre").status_code == 403
    assert client.post(f"/saker/{case_id}/endre", data={"title": "x", "version": 1}).status_code == 403


def test_analyst_sees_no_case(login, make_user, make_case):
    case_id = make_case(make_user("methods_secretariat"), kind=CaseKind.METHOD, title="ID2025_102")
    client = login(make_user("analyst"))
    assert client.get(f"/saker/{case_id}").status_code == 404
    assert "ID2025_102" not in client.get("/saker").get_data(as_text=True)


@pytest.mark.parametrize(("role", "office"), ROLES_AND_OFFICES)
def test_the_sql_scope_and_the_object_check_agree(app_ctx, make_user, make_case, role, office):
    """visible_cases() (lists) and can_view() (single objects) must never disagree."""
    abroad_author = make_user("abroad_caseworker", "helse-vest")
    cases = [
        make_case(abroad_author, home_region="helse-vest"),
        make_case(make_user("abroad_caseworker", "helse-sor-ost"), home_region="helse-nord"),
        make_case(make_user("abroad_caseworker", "helse-midt-norge"), home_region="helse-midt-norge"),
        make_case(make_user("panel_secretariat"), kind=CaseKind.PANEL_REFERRAL),
        make_case(make_user("methods_secretariat"), kind=CaseKind.METHOD, title="ID2025_102"),
    ]
    user = db.session.get(User, make_user(role, office))
    listed = set(db.session.scalars(select(Case.id).where(access.visible_cases(user), Case.id.in_(cases))))
    for case_id in cases:
        case = db.session.get(Case, case_id)
        assert access.can_view(user, case) == (case_id in listed)
        if access.can_edit(user, case):
            assert access.can_view(user, case)
    expected_visible = {
        Role.ABROAD_CASEWORKER: 2,  # own office's case + the method case
        Role.PANEL_SECRETARIAT: 2, Role.PANEL_MEMBER: 1, Role.METHODS_SECRETARIAT: 1, Role.BESTILLERFORUM: 1,
        Role.ADMIN: 1, Role.ANALYST: 0,
    }[role]
    assert len(listed) == expected_visible
