"""Shared fixtures: one app and schema per run (built by the Alembic migrations), a rolled-back
transaction per test, and helpers that make users, cases and logged-in clients.

The database comes from TEST_DATABASE_URL (`make test` runs the suite on SQLite and PostgreSQL);
without it, an SQLite file in a temporary directory.
"""
import os
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import create_app
from app.auth import services as account_services
from app.auth.models import User
from app.cases import services as case_services
from app.cases.models import CaseKind
from app.core.roles import Role
from app.extensions import db, limiter
from app.methods import services as methods
from app.methods.commands import StatusChange
from app.methods.models import DecisionOutcome, Forum, MethodStatus, MethodType, SubmissionKind
from config import BASE_DIR, TestConfig
from tests.factories import agenda_item, forum_decision, new_meeting, new_method

PASSWORD = "korrekt-hest-batteri-stift"


def reset_schema(url: str) -> None:
    """Start every run from an empty database, so the migrations are tested too."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        else:
            existing = sa.MetaData()
            existing.reflect(connection)
            existing.drop_all(connection)
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'helsesak.db'}"
    reset_schema(url)
    return url


@pytest.fixture
def scratch_database(database_url, tmp_path):
    """new(name): the URL of a new, empty database of the suite's kind (for tests that commit for real or
    restore whole databases); all are dropped afterwards."""
    with ExitStack() as stack:
        yield lambda name: stack.enter_context(database_of_its_own(database_url, tmp_path, name))


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    class SuiteConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        DOCUMENT_DIR = str(tmp_path_factory.mktemp("documents"))

    app = create_app(SuiteConfig)
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _rollback(request, app, monkeypatch):
    """Run each test inside one outer transaction that is rolled back afterwards; the code
    under test commits to SAVEPOINTs (style-examples §7)."""
    with app.app_context():
        limiter.reset()
    if request.node.get_closest_marker("real_commits"):
        yield
        return
    connection, outer = _one_outer_transaction(app, monkeypatch)
    yield
    with app.app_context():
        db.session.remove()
    outer.rollback()
    connection.close()


def _one_outer_transaction(app, monkeypatch):
    """Bind the app's session to one connection inside an outer transaction the caller rolls back."""
    with app.app_context():
        engines = db.engines
    connection = engines[None].connect()
    outer = connection.begin()
    monkeypatch.setitem(engines, None, connection)
    monkeypatch.setitem(db.session.session_factory.kw, "join_transaction_mode", "create_savepoint")
    return connection, outer


def _rows_by_key(connection) -> dict[str, dict[tuple, dict]]:
    # By primary key, the order the rows were written in: a row that refers to an earlier row of its own table (an
    # amended decision) is put back after it. Unordered, PostgreSQL returns its physical order, which reuses the
    # space of rows earlier tests rolled back.
    return {table.name: {tuple(row[column.name] for column in table.primary_key.columns): dict(row)
                         for row in connection.execute(sa.select(table).order_by(*table.primary_key.columns))
                         .mappings()}
            for table in db.metadata.sorted_tables}


@pytest.fixture(scope="session")
def demo_rows(app) -> dict[str, list[dict]]:
    """What `flask demo load` adds to the empty database, table by table. The demo renders a hundred letters and
    statements and imports ten years of history (about 20 s), so it is loaded once per run, in a transaction that
    is rolled back; `demo` and `restore_demo` put its rows back in a fraction of that."""
    with pytest.MonkeyPatch.context() as patch:
        connection, outer = _one_outer_transaction(app, patch)
        try:
            before = _rows_by_key(connection)
            result = app.test_cli_runner().invoke(args=["demo", "load"])
            assert result.exit_code == 0, f"flask demo load failed: {result.output}{result.exception!r}"
            after = _rows_by_key(connection)
        finally:
            outer.rollback()
            connection.close()
    changed = [(name, key) for name, rows in before.items() for key, row in rows.items() if after[name][key] != row]
    assert not changed, f"the demo changes rows it did not add, which restore_demo would not repeat: {changed[:5]}"
    return {name: [row for key, row in rows.items() if key not in before[name]] for name, rows in after.items()}


def restore_demo(connection, demo_rows: dict[str, list[dict]]) -> None:
    """Insert the demo's rows as `flask demo load` wrote them, parents first; the search indexes follow by their
    triggers. On PostgreSQL each id sequence moves past the demo's ids, as the load itself would have left it."""
    for table in db.metadata.sorted_tables:
        if demo_rows.get(table.name):
            connection.execute(table.insert(), demo_rows[table.name])
    if connection.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if demo_rows.get(table.name) and len(key) == 1 and key[0].autoincrement in (True, "auto") \
                and isinstance(key[0].type, sa.Integer):
            connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key[0].name}'), "
                                       f"(SELECT max({key[0].name}) FROM {table.name}))"))


@pytest.fixture
def demo(app, demo_rows) -> None:
    """The demo data of `flask demo load` in this test's transaction (rolled back with it)."""
    with app.app_context():
        restore_demo(db.session.connection(), demo_rows)
        db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app):
    """For service tests; make no requests inside it (they would share its session)."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def make_user(app):
    counter = iter(range(1, 10_000))

    def make(role: Role | str = Role.ABROAD_CASEWORKER, office: str | None = None, email: str | None = None,
             name: str | None = None) -> int:
        role = Role(role)
        if role is Role.ABROAD_CASEWORKER and office is None:
            office = "helse-sor-ost"
        number = next(counter)
        with app.app_context():
            user = account_services.create_user(
                email=email or f"{role.value}{number}@test.example", name=name or f"Bruker {number}", role=role,
                office=office, password=PASSWORD)
            db.session.commit()
            return user.id
    return make


@pytest.fixture
def make_case(app):
    def make(actor_id: int, kind: CaseKind = CaseKind.ABROAD_APPLICATION, home_region: str = "helse-sor-ost",
             title: str = "Søknad om behandling i utlandet – Kari Nordmann", name: str = "Kari Nordmann",
             national_id: str | None = None, birth_date: date | None = date(1980, 5, 17)) -> int:
        with app.app_context():
            actor = db.session.get(User, actor_id)
            patient = None
            if kind.concerns_patient:
                patient = case_services.register_patient(
                    national_id=national_id, name=name, birth_date=None if national_id else birth_date,
                    municipality="Oslo", home_region=home_region, actor=actor)
            case = case_services.open_case(kind=kind, title=title, patient=patient, actor=actor)
            db.session.commit()
            return case.id
    return make


def logged_in_client(app, user_id: int):
    """A test client of `app` logged in as the user, through a real server-side session."""
    with app.app_context():
        token = account_services.start_session(db.session.get(User, user_id))
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


@pytest.fixture
def login(app):
    """log_in(user_id): a test client logged in as the user, through a real server-side session."""
    return lambda user_id: logged_in_client(app, user_id)


@pytest.fixture
def method_with_outcome(make_user):
    """A Nye Metoder method that is under assessment, or decided with `outcome`."""
    def make(outcome: DecisionOutcome | None, reference: str = "ID2024_090"):
        secretariat = db.session.get(User, make_user("methods_secretariat"))
        method = methods.register_method(new_method(
            "Legemiddel X ved eggstokkreft", date(2024, 5, 2), reference=reference, method_type=MethodType.DRUG,
            submission_kind=SubmissionKind.REQUEST, organisation="Leverandør AS"), actor=secretariat)
        if outcome is None:
            return method
        decide_method(method, outcome, secretariat)
        return method
    return make


def decide_method(method, outcome: DecisionOutcome, secretariat, on: date = date(2025, 6, 16)) -> None:
    """Take a method under assessment to a Beslutningsforum meeting on `on` and decide `outcome` there."""
    for status in (MethodStatus.AWAITING_ORDERING, MethodStatus.ASSESSMENT, MethodStatus.CLEARANCE,
                   MethodStatus.FOR_DECISION):
        methods.change_status(method, StatusChange(status, date(2025, 1, 6)), actor=secretariat)
    meeting = methods.create_meeting(new_meeting(Forum.BESLUTNINGSFORUM, on), actor=secretariat)
    points = ["Innføres."] if outcome is DecisionOutcome.INTRODUCED else ["Metoden innføres ikke."]
    item = methods.add_agenda_item(meeting, agenda_item(method), actor=secretariat)
    methods.record_forum_decision(method, forum_decision(item, on, outcome, points=points), actor=secretariat)


def amend_decision(method, outcome: DecisionOutcome, secretariat, on: date) -> None:
    """Beslutningsforum changes the method's current decision to `outcome` at a later meeting on `on`."""
    meeting = methods.create_meeting(new_meeting(Forum.BESLUTNINGSFORUM, on), actor=secretariat)
    item = methods.add_agenda_item(meeting, agenda_item(method), actor=secretariat)
    methods.record_forum_decision(method, forum_decision(item, on, outcome, points=["Beslutningen endres."],
                                                         amends=method.current_decision), actor=secretariat)


@contextmanager
def database_of_its_own(database_url: str, directory: Path, label: str):
    """The URL of a new, empty database of the suite's kind (SQLite or PostgreSQL), dropped afterwards: for a
    test that commits for real, or runs several apps on one database, without touching the suite's."""
    if make_url(database_url).get_backend_name() == "sqlite":
        yield f"sqlite:///{directory / f'{label}.db'}"
        return
    server = sa.create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"{make_url(database_url).database}_{label}_{os.getpid()}"[:63]
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\'')
    try:
        yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()
