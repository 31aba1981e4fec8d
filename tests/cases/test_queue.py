"""The work queue of the cases a user may change (/saker/arbeidsko): by queue and caseworker, only within the
user's own units, each case assignable to a caseworker of its unit; the workload per caseworker."""
from datetime import date, timedelta

from sqlalchemy import update

from app.auth.models import User
from app.cases.deadlines import set_deadline
from app.cases.models import Case, CaseKind
from app.cases.queries import work_units
from app.extensions import db


def _queue(client, **args) -> str:
    response = client.get("/saker/arbeidsko", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _shown(page: str, cases: dict) -> set[str]:
    return {name for name, case_id in cases.items() if f"/saker/{case_id}\"" in page
            or f"/henvisninger/{case_id}\"" in page}


def test_each_role_queues_the_open_cases_it_may_change(app, login, make_user, make_case):
    methods = make_user("methods_secretariat", name="Mona Metode")
    colleague = make_user("methods_secretariat", name="Kari Kollega")
    panel = make_user("panel_secretariat")
    new = make_case(methods, kind=CaseKind.METHOD, title="ID2026_001 Ny metode")
    overdue = make_case(methods, kind=CaseKind.METHOD, title="ID2026_002 Metode med frist")
    unassigned = make_case(methods, kind=CaseKind.METHOD, title="ID2026_003 Importert metode")
    referral = make_case(panel, kind=CaseKind.PANEL_REFERRAL, title="Henvisning – Per Pasient")
    with app.app_context():
        set_deadline(db.session.get(Case, overdue), kind="svarfrist", due_date=date.today() - timedelta(days=3),
                     responsible_id=methods, description="Svar", actor=db.session.get(User, methods),
                     today=date.today() - timedelta(days=20))
        db.session.execute(update(Case).where(Case.id == unassigned).values(responsible_id=None))
        db.session.commit()
    cases = {"new": new, "overdue": overdue, "unassigned": unassigned, "referral": referral}
    client = login(methods)
    page = _queue(client)
    assert _shown(page, cases) == {"new", "overdue", "unassigned"}
    assert "Kari Kollega" in page and "Arbeidsmengde per saksbehandler" in page
    assert _shown(_queue(client, ko="frist"), cases) == {"overdue"}
    assert _shown(_queue(client, ko="ufordelte"), cases) == {"unassigned"}
    assert _shown(_queue(client, saksbehandler=colleague), cases) == set()
    assert _shown(_queue(login(panel)), cases) == {"referral"}
    for role in ("analyst", "bestillerforum", "admin"):
        assert login(make_user(role)).get("/saker/arbeidsko").status_code == 403


def test_a_case_is_assigned_from_the_queue_within_its_unit(app, login, make_user, make_case):
    methods = make_user("methods_secretariat")
    colleague = make_user("methods_secretariat", name="Kari Kollega")
    panel = make_user("panel_secretariat")
    case_id = make_case(methods, kind=CaseKind.METHOD, title="ID2026_004 Metode")
    client = login(methods)
    refused = client.post(f"/saker/{case_id}/saksbehandler", data={"user_id": panel, "next": "/saker/arbeidsko"})
    assert refused.headers["Location"] == "/saker/arbeidsko"
    assert "Velg en aktiv saksbehandler ved Sekretariatet for Nye Metoder" in _queue(client)
    client.post(f"/saker/{case_id}/saksbehandler", data={"user_id": colleague, "next": "https://evil.example/"})
    with app.app_context():
        assert db.session.get(Case, case_id).responsible_id == colleague
    assert "er tildelt Kari Kollega" in client.get(f"/saker/{case_id}").get_data(as_text=True)


def test_the_units_a_user_works_on(app_ctx, make_user):
    def units(role, office=None):
        return work_units(db.session.get(User, make_user(role, office=office)))
    assert units("abroad_caseworker", "helse-vest") == [
        ((CaseKind.ABROAD_APPLICATION, CaseKind.ABROAD_APPEAL), "helse-vest")]
    assert units("methods_secretariat") == [((CaseKind.METHOD,), "nye-metoder")]
    assert units("panel_secretariat") == [((CaseKind.PANEL_REFERRAL,), "ekspertpanelet")]
    assert units("analyst") == [] and units("panel_member") == []
