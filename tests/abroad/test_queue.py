"""The office's work queue (/utland/arbeidsko): each queue holds the applications it names, within the office;
a case is assigned from it to a caseworker of the case's unit (app.cases.services.assign_responsible, audited,
refused for anyone else, on the queue's path and on «Endre sak»); the workload per caseworker."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.abroad import services
from app.abroad.models import Decision
from app.auth import services as account_services
from app.auth.models import User
from app.cases.interface import Case, CaseKind, assign_responsible, workload
from app.cases.services import update_case
from app.core.audit import AuditAction, AuditEvent
from app.demo import synthetic_national_id
from app.errors import InvalidInput
from app.extensions import db
from tests.factories import abroad_appeal, abroad_application, abroad_decision, abroad_opinion_request

TODAY = date.today()
KINDS = (CaseKind.ABROAD_APPLICATION, CaseKind.ABROAD_APPEAL)


def _register(actor, number: int, **changes):
    return services.register_application(abroad_application(
        national_id=synthetic_national_id(date(1990, 1, 1) + timedelta(days=number), 110 + number),
        received_on=TODAY - timedelta(days=90), **changes), actor=actor, today=TODAY)


@pytest.fixture
def queue_cases(app, worker_id, make_user):
    """Applications of the Helse Sør-Øst office in each queue, and one of Helse Vest's."""
    west_id = make_user("abroad_caseworker", office="helse-vest")
    with app.app_context():
        worker, west = db.session.get(User, worker_id), db.session.get(User, west_id)
        new = _register(worker, 1)
        awaiting = _register(worker, 2)
        services.request_opinion(awaiting, abroad_opinion_request(
            requested_on=TODAY - timedelta(days=60), due_on=TODAY - timedelta(days=10)), actor=worker, today=TODAY)
        appealed = _register(worker, 3)
        services.decide(appealed, abroad_decision(Decision.DENIED, decided_on=TODAY - timedelta(days=30),
                                                  reasoning="Tilbudet i Norge er faglig forsvarlig."),
                        actor=worker, letter=b"%PDF-1.7 avslag", today=TODAY)
        services.register_appeal(appealed, abroad_appeal(received_on=TODAY - timedelta(days=20),
                                                         notified_on=TODAY - timedelta(days=28)),
                                 actor=worker, today=TODAY)
        unassigned = _register(worker, 4)
        db.session.execute(update(Case).where(Case.id == unassigned.case_id).values(responsible_id=None))
        west_case = _register(west, 5, home_region="helse-vest", municipality="4601 Bergen")
        db.session.commit()
        return {"new": new.case_id, "awaiting": awaiting.case_id, "appealed": appealed.case_id,
                "unassigned": unassigned.case_id, "west": west_case.case_id}


def _queue(client, **args) -> str:
    response = client.get("/utland/arbeidsko", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _shown(page: str, cases: dict) -> set[str]:
    return {name for name, case_id in cases.items() if f"/utland/soknader/{case_id}\"" in page}


def test_each_queue_holds_its_applications_of_the_office(worker, queue_cases):
    assert _shown(_queue(worker), queue_cases) == {"new", "awaiting", "appealed", "unassigned"}
    assert _shown(_queue(worker, ko="nye"), queue_cases) == {"new", "unassigned"}
    assert _shown(_queue(worker, ko="ufordelte"), queue_cases) == {"unassigned"}
    assert _shown(_queue(worker, ko="mine"), queue_cases) == {"new", "awaiting", "appealed"}
    assert _shown(_queue(worker, ko="frist"), queue_cases) == {"awaiting"}
    assert _shown(_queue(worker, ko="uttalelse"), queue_cases) == {"awaiting"}
    assert _shown(_queue(worker, ko="klage"), queue_cases) == {"appealed"}
    page = _queue(worker, ko="ukjent")
    assert "er ikke en gyldig verdi for kø" in page and _shown(page, queue_cases) >= {"new"}


def test_a_case_is_assigned_from_the_queue_with_an_audit_row(app, worker, worker_id, make_user, queue_cases):
    colleague = make_user("abroad_caseworker", office="helse-sor-ost", name="Kari Kollega")
    case_id = queue_cases["unassigned"]
    response = worker.post(f"/saker/{case_id}/saksbehandler",
                           data={"user_id": colleague, "next": "/utland/arbeidsko?ko=ufordelte"})
    assert response.status_code == 302 and response.headers["Location"] == "/utland/arbeidsko?ko=ufordelte"
    page = worker.get(response.headers["Location"]).get_data(as_text=True)
    assert "er tildelt Kari Kollega" in page and _shown(page, queue_cases) == set()
    with app.app_context():
        assert db.session.get(Case, case_id).responsible_id == colleague
        changes = db.session.scalars(select(AuditEvent.changes).where(
            AuditEvent.action == AuditAction.UPDATE, AuditEvent.object_type == "case",
            AuditEvent.case_id == case_id).order_by(AuditEvent.id.desc())).first()
        assert changes == {"responsible_id": [None, colleague]}


def test_assigning_to_someone_outside_the_unit_or_role_is_refused(app, worker, make_user, queue_cases):
    west = make_user("abroad_caseworker", office="helse-vest")
    analyst = make_user("analyst")
    case_id = queue_cases["unassigned"]
    for user_id in (west, analyst, 999_999):
        response = worker.post(f"/saker/{case_id}/saksbehandler",
                               data={"user_id": user_id, "next": "/utland/arbeidsko"})
        assert response.status_code == 302
        assert "Velg en aktiv saksbehandler ved" in worker.get("/utland/arbeidsko").get_data(as_text=True)
    # The other office's case is not theirs to assign: 404, as for an unknown case.
    assert worker.post(f"/saker/{queue_cases['west']}/saksbehandler", data={"user_id": west}).status_code == 404
    with app.app_context():
        assert db.session.get(Case, case_id).responsible_id is None


def test_the_rule_holds_in_the_service_and_on_the_edit_path(app, worker_id, make_user, queue_cases):
    west = make_user("abroad_caseworker", office="helse-vest")
    gone = make_user("abroad_caseworker", office="helse-sor-ost")
    with app.app_context():
        actor = db.session.get(User, worker_id)
        account_services.set_active(db.session.get(User, gone), False)
        case = db.session.get(Case, queue_cases["new"])
        for user_id in (west, gone):
            with pytest.raises(InvalidInput) as refused:
                assign_responsible(case, user_id, actor=actor)
            assert refused.value.field == "user_id"
            with pytest.raises(InvalidInput) as refused:
                update_case(case, expected_version=case.version, title=case.title, responsible_id=user_id,
                            actor=actor)
            assert refused.value.field == "responsible_id"
        assert assign_responsible(case, worker_id, actor=actor) == {}   # already theirs: nothing changes
        db.session.rollback()


def test_the_workload_counts_open_cases_and_overdue_deadlines_per_caseworker(app, worker, worker_id, make_user,
                                                                             queue_cases):
    idle = make_user("abroad_caseworker", office="helse-sor-ost", name="Ledig Saksbehandler")
    with app.app_context():
        loads = {load.user_id: (load.open_cases, load.overdue_deadlines)
                 for load in workload(KINDS, "helse-sor-ost", TODAY)}
    # new, awaiting, appealed and the appeal's own case; the opinion's deadline is past due
    assert loads[worker_id] == (4, 1) and loads[idle] == (0, 0)
    page = _queue(worker)
    assert "Arbeidsmengde per saksbehandler" in page and "Ledig Saksbehandler" in page
