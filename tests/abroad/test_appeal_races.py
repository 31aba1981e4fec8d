"""One appeal under way per refusal, and each appeal decided once: in the service (the application's row is
locked while an appeal is registered or a reversal grants), in the database (a partial unique index on the
open appeals), and in the answer to the request that lost (409 in bokmål, a page or JSON)."""
import threading
from datetime import date

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, Table, event, func, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import create_app
from app.abroad import services
from app.abroad.models import Appeal, AppealStatus, Application, ApplicationStatus, Decision
from app.auth import services as account_services
from app.auth.models import User
from app.cases.models import Case
from app.core.roles import Role
from app.extensions import db
from config import TestConfig
from tests.conftest import PASSWORD
from tests.factories import abroad_appeal, abroad_application, abroad_decision
from tests.migrations import MIGRATIONS, demo_database

TODAY = date.today()
APPEAL = {"received_on": TODAY.isoformat(), "notified_on": TODAY.isoformat(), "grounds": "Uenig i avslaget."}


def _denied_application(actor) -> Application:
    application = services.register_application(abroad_application(received_on=TODAY), actor=actor)
    services.decide(application, abroad_decision(Decision.DENIED, decided_on=TODAY, legal_basis=services.LEGAL_BASIS,
                                                 reasoning="Tilbudet i Norge er faglig forsvarlig."),
                    actor=actor, letter=b"%PDF-1.7 avslag")
    return application


@pytest.fixture
def refusal(app, make_user):
    """(caseworker id, API token secret, the refused application's case id), committed."""
    user_id = make_user("abroad_caseworker", office="helse-sor-ost")
    with app.app_context():
        user = db.session.get(User, user_id)
        application = _denied_application(user)
        _token, secret = account_services.create_api_token(user, name="Test")
        db.session.commit()
        return user_id, secret, application.case_id


def _open_appeals(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Appeal).where(
            Appeal.status.in_((AppealStatus.RECEIVED, AppealStatus.FORWARDED))))


def test_a_second_appeal_on_the_same_refusal_is_a_409_on_the_page_and_in_the_api(app, login, refusal):
    user_id, secret, case_id = refusal
    browser = login(user_id)
    form = {"received_on": f"{TODAY:%d.%m.%Y}", "notified_on": f"{TODAY:%d.%m.%Y}", "grounds": "Uenig."}
    assert browser.post(f"/utland/soknader/{case_id}/klage/ny", data=form).status_code == 302

    again = browser.post(f"/utland/soknader/{case_id}/klage/ny", data=form)
    assert again.status_code == 409 and "allerede en klage under behandling" in again.get_data(as_text=True)
    api = app.test_client().post(f"/api/v1/abroad/applications/{case_id}/appeals", json=APPEAL,
                                 headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 409 and "allerede en klage under behandling" in api.get_json()["message"]
    assert _open_appeals(app) == 1


def test_the_database_holds_at_most_one_open_appeal_per_decision(app_ctx, make_user):
    actor = db.session.get(User, make_user("abroad_caseworker", office="helse-sor-ost"))
    application = _denied_application(actor)
    first = services.register_appeal(application, abroad_appeal(received_on=TODAY, notified_on=TODAY), actor=actor)
    # Written past the service (as a second request that did not see the first would): the index refuses it.
    duplicate = Appeal(case_id=application.case_id, application_id=application.id, office=application.office,
                       appealed_decision=first.appealed_decision, appealed_decided_on=first.appealed_decided_on,
                       received_on=TODAY, notified_on=TODAY, deadline_on=first.deadline_on, late=False,
                       status=AppealStatus.FORWARDED)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(duplicate)
        db.session.flush()
    # A decided appeal does not count: the next one may be registered beside it.
    first.status = AppealStatus.UPHELD_BY_BOARD
    db.session.flush()
    with db.session.begin_nested():
        db.session.add(Appeal(case_id=application.case_id, application_id=application.id,
                              office=application.office, appealed_decision=first.appealed_decision,
                              appealed_decided_on=first.appealed_decided_on, received_on=TODAY, notified_on=TODAY,
                              deadline_on=first.deadline_on, late=False, status=AppealStatus.RECEIVED))
        db.session.flush()


def _overtaking(model, row_id):
    """Bump the row's version just before the request flushes its change to it: another request saved first."""
    table = model.__table__
    overtaken = []

    def overtake(session, _context, _instances) -> None:
        if not overtaken and any(isinstance(obj, model) and sa_inspect(obj).identity == (row_id,)
                                 for obj in session.dirty):
            overtaken.append(True)
            session.connection().execute(update(table).where(table.c.id == row_id)
                                         .values(version=table.c.version + 1))
    return overtake, overtaken


@pytest.mark.parametrize("outcome", ["reversed", "forwarded"])
def test_a_reconsideration_overtaken_by_a_concurrent_one_is_a_409_in_the_api_and_on_the_page(
        app, login, refusal, outcome):
    user_id, secret, case_id = refusal
    with app.app_context():
        application = db.session.scalar(select(Application).where(Application.case_id == case_id))
        appeal = services.register_appeal(application, abroad_appeal(received_on=TODAY, notified_on=TODAY),
                                          actor=db.session.get(User, user_id))
        db.session.commit()
        appeal_id, appeal_case_id, application_id = appeal.id, appeal.case_id, application.id
    body = {"outcome": outcome, "decided_on": TODAY.isoformat(), "reasoning": "Vurdert på nytt."}
    for send in (lambda: app.test_client().post(f"/api/v1/abroad/appeals/{appeal_case_id}/reconsideration",
                                                json=body, headers={"Authorization": f"Bearer {secret}"}),
                 lambda: login(user_id).post(f"/utland/klager/{appeal_case_id}/kontorets-behandling",
                                             data={**body, "decided_on": f"{TODAY:%d.%m.%Y}"})):
        overtake, overtaken = _overtaking(Appeal, appeal_id)
        event.listen(Session, "before_flush", overtake)
        try:
            response = send()
        finally:
            event.remove(Session, "before_flush", overtake)
        assert overtaken, "the step never reached the database"
        text = response.get_json()["message"] if response.is_json else response.get_data(as_text=True)
        assert response.status_code == 409 and "endret av en annen bruker" in text
        with app.app_context():
            assert db.session.get(Appeal, appeal_id).status is AppealStatus.RECEIVED
            assert db.session.get(Application, application_id).status is ApplicationStatus.DENIED


def test_a_first_instance_decision_overtaken_by_a_concurrent_one_is_a_409_in_the_api(app, make_user):
    user_id = make_user("abroad_caseworker", office="helse-sor-ost")
    with app.app_context():
        user = db.session.get(User, user_id)
        application = services.register_application(abroad_application(received_on=TODAY), actor=user)
        _token, secret = account_services.create_api_token(user, name="Test")
        db.session.commit()
        application_id, case_id = application.id, application.case_id
    overtake, overtaken = _overtaking(Application, application_id)
    event.listen(Session, "before_flush", overtake)
    try:
        response = app.test_client().post(
            f"/api/v1/abroad/applications/{case_id}/decision", headers={"Authorization": f"Bearer {secret}"},
            json={"decision": "withdrawn", "decided_on": TODAY.isoformat()})
    finally:
        event.remove(Session, "before_flush", overtake)
    assert overtaken and response.status_code == 409
    assert "endret av en annen bruker" in response.get_json()["message"]


# Real concurrency: separate connections, real commits, in a database of the test's own.

@pytest.fixture
def own_app(scratch_database, tmp_path):
    class RaceConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = scratch_database("appeal_races")
        DOCUMENT_DIR = str(tmp_path / "documents")

    race_app = create_app(RaceConfig)
    with race_app.app_context():
        upgrade(directory=MIGRATIONS)
        user = account_services.create_user(email="klage@test.example", name="Klage Behandler",
                                            role=Role.ABROAD_CASEWORKER, office="helse-sor-ost",
                                            password=PASSWORD)
        application = _denied_application(user)
        _token, secret = account_services.create_api_token(user, name="Test")
        db.session.commit()
        race_app.config["RACE"] = (secret, application.case_id)
    yield race_app
    with race_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _at_once(app, requests: list) -> list[int]:
    """Send the requests from one thread each, released together; the status codes in the order given.
    SQLite lets one writer at a time (a second transaction that read first gets "database is locked" instead
    of waiting), so there the requests go one after another; PostgreSQL gets them at the same moment."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return [send().status_code for send in requests]
    start = threading.Barrier(len(requests))
    statuses: list[int | BaseException] = [0] * len(requests)

    def run(index: int) -> None:
        try:
            start.wait()
            statuses[index] = requests[index]().status_code
        except BaseException as error:  # noqa: BLE001  (reported below; a thread's exception would vanish)
            statuses[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(isinstance(status, int) for status in statuses), statuses
    return statuses


@pytest.mark.real_commits
def test_three_parallel_appeals_on_one_refusal_register_one_and_the_others_get_409(own_app):
    secret, case_id = own_app.config["RACE"]
    headers = {"Authorization": f"Bearer {secret}"}

    def appeal():
        return own_app.test_client().post(f"/api/v1/abroad/applications/{case_id}/appeals", json=APPEAL,
                                          headers=headers)

    assert sorted(_at_once(own_app, [appeal, appeal, appeal])) == [201, 409, 409]
    with own_app.app_context():
        appeals = db.session.scalars(select(Appeal)).all()
        assert [appeal.status for appeal in appeals] == [AppealStatus.RECEIVED]
        appeal_case_id = appeals[0].case_id

    # The office reverses and forwards the one appeal at the same moment: one step stands.
    def reconsider(outcome: str):
        return lambda: own_app.test_client().post(
            f"/api/v1/abroad/appeals/{appeal_case_id}/reconsideration", headers=headers,
            json={"outcome": outcome, "decided_on": TODAY.isoformat(), "reasoning": "Vurdert på nytt."})

    statuses = _at_once(own_app, [reconsider("reversed"), reconsider("forwarded")])
    with own_app.app_context():
        appeal = db.session.scalars(select(Appeal)).one()
        application = db.session.get(Application, appeal.application_id)
        assert (appeal.status, application.status) in (
            (AppealStatus.REVERSED_BY_OFFICE, ApplicationStatus.GRANTED),
            (AppealStatus.FORWARDED, ApplicationStatus.DENIED))
    winner = 0 if appeal.status is AppealStatus.REVERSED_BY_OFFICE else 1
    assert statuses[winner] == 200
    # The loser is the 409 of a concurrent step, or (when it came second) the rule's own refusal.
    assert statuses[1 - winner] in (409, 422)
    if appeal.status is AppealStatus.FORWARDED:
        board = own_app.test_client().post(
            f"/api/v1/abroad/appeals/{appeal_case_id}/reconsideration", headers=headers,
            json={"outcome": "reversed", "decided_on": TODAY.isoformat(), "reasoning": "Likevel omgjort."})
        assert board.status_code == 422


APPEAL_INDEX_REVISION = "c3a1e7f05b2d"


def test_the_migration_stops_and_names_the_cases_when_a_refusal_already_has_two_open_appeals(scratch_database,
                                                                                             tmp_path, capfd,
                                                                                             demo_rows):
    # Demo data is loaded through today's models on today's schema; then the history is run down to just before
    # this migration (the table is read as that schema has it: later migrations add columns).
    with demo_database(scratch_database("appeal_migration"), demo_rows, tmp_path / "documents"):
        before = ScriptDirectory(MIGRATIONS).get_revision(APPEAL_INDEX_REVISION).down_revision
        downgrade(directory=MIGRATIONS, revision=before)
        table = Table("abroad_appeals", MetaData(), autoload_with=db.engine)
        forwarded = db.session.execute(select(table).where(table.c.status == "forwarded")).mappings().first()
        application_case = db.session.scalar(select(Application.case_id).where(
            Application.id == forwarded["application_id"]))
        # What the race left behind: a second appeal under way on the same refusal.
        db.session.execute(table.insert().values({**{key: value for key, value in forwarded.items() if key != "id"},
                                                  "case_id": application_case, "status": "received"}))
        db.session.commit()
        numbers = set(db.session.scalars(select(Case.number).where(   # columns this schema has
            Case.id.in_((forwarded["case_id"], application_case)))))
        db.session.remove()
        with pytest.raises(SystemExit):   # Flask-Migrate logs the migration's error and exits 1
            upgrade(directory=MIGRATIONS)
        error = capfd.readouterr().err
        assert "more than one appeal under way" in error and all(number in error for number in numbers)
