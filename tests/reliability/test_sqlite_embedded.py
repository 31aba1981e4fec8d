"""SQLite as the embedded default (`make run`): several caseworkers at once get no error, and a database
locked past the busy timeout answers a bokmål 503 with Retry-After, saving nothing.

Each test uses an SQLite file of its own (whatever database the suite runs on), migrated as `make run`
migrates it, and real commits from several threads, as the development server's threads make them.
"""
import sqlite3
import threading
from datetime import date

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select

from app import create_app
from app.abroad import services as abroad
from app.auth import services as accounts
from app.core.audit import AuditEvent
from app.core.roles import Role
from app.extensions import db
from config import BASE_DIR, TestConfig
from tests.conftest import PASSWORD, logged_in_client
from tests.factories import abroad_application

CASEWORKERS = 6
ROUNDS = 8

pytestmark = pytest.mark.real_commits   # in a database file of its own


@pytest.fixture
def embedded(tmp_path, request):
    """An app on a new SQLite file with one office's caseworkers and one application per caseworker."""
    path = tmp_path / "helsesak.db"

    class EmbeddedConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{path}"
        DOCUMENT_DIR = str(tmp_path / "documents")
        SQLITE_BUSY_TIMEOUT_SECONDS = getattr(request, "param", 10)

    application = create_app(EmbeddedConfig)
    with application.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
        cases = []
        for number in range(CASEWORKERS):
            user = accounts.create_user(email=f"saksbehandler{number}@test.example", name=f"Saksbehandler {number}",
                                        role=Role.ABROAD_CASEWORKER, office="helse-vest", password=PASSWORD)
            registered = abroad.register_application(abroad_application(
                national_id=None, patient_name=f"Pasient {number}", birth_date=date(1970, 1, 1 + number),
                municipality="4601 Bergen", home_region="helse-vest", received_on=date(2026, 10, 1),
                requested_treatment="Behandling", icd10="C50.9"), actor=user, today=date(2026, 11, 1))
            cases.append((user.id, registered.case_id))
        db.session.commit()
    yield application, path, cases
    with application.app_context():
        db.engine.dispose()


def audit_rows(application) -> int:
    with application.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_the_database_file_uses_write_ahead_logging(embedded):
    _application, path, _cases = embedded
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_six_caseworkers_at_once_get_no_error(embedded):
    """Every page here reads and then writes its audit row; deferred transactions made the second writer fail
    at once with «database is locked»."""
    application, _path, cases = embedded
    clients = [(logged_in_client(application, user_id), case_id) for user_id, case_id in cases]
    before = audit_rows(application)
    statuses: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(len(clients))

    def work(client, case_id: int) -> None:
        try:
            start.wait()
            for _ in range(ROUNDS):
                for url in (f"/utland/soknader/{case_id}", "/utland/soknader", f"/saker/{case_id}"):
                    status = client.get(url).status_code
                    with lock:
                        statuses.append(status)
        except BaseException as error:  # reported below; a thread's exception would vanish
            errors.append(error)

    threads = [threading.Thread(target=work, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert statuses == [200] * (CASEWORKERS * ROUNDS * 3), sorted(set(statuses))
    assert audit_rows(application) > before + CASEWORKERS * ROUNDS   # the pages did write


@pytest.mark.parametrize("embedded", [0.2], indirect=True)   # a busy timeout of 0.2 s
def test_a_lock_held_past_the_busy_timeout_answers_503_and_saves_nothing(embedded):
    application, path, cases = embedded
    user_id, case_id = cases[0]
    client = logged_in_client(application, user_id)
    before = audit_rows(application)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        response = client.get(f"/utland/soknader/{case_id}")
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "Prøv igjen om litt" in page and "Ingenting er lagret" in page
    assert "Traceback" not in page and "OperationalError" not in page
    assert audit_rows(application) == before
    assert client.get(f"/utland/soknader/{case_id}").status_code == 200
    assert audit_rows(application) > before


def test_a_database_server_out_of_reach_answers_503_in_bokmal():
    class UnreachableConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://helsesak:helsesak@127.0.0.1:1/helsesak"   # nothing listens

    application = create_app(UnreachableConfig)
    client = application.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "a-session-token"   # loading the user needs the database
    response = client.get("/saker")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert "Helsesak får ikke kontakt med databasen" in response.get_data(as_text=True)
    api = client.get("/api/v1/abroad/applications", headers={"Authorization": "Bearer hs_unknown"})
    assert api.status_code == 503 and "databasen" in api.get_json()["message"]
