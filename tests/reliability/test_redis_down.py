"""Redis down (quality goal A9): with REDIS_URL set but Redis unreachable, the web UI still works, and where
a job would be queued (the journal printout, a report order, an import) the page says in bokmål that background
jobs are temporarily unavailable instead of answering 500. Pages that show a job's progress answer 503 with the
same message.

Every Redis client of the app, the job queues (with RQ_ASYNC, as with REDIS_URL) and the rate limiter's
storage, is pointed at a closed port.
"""
import io

import pytest
from flask_rq._job_class import FlaskJob
from limits.storage import storage_from_string
from redis import Redis
from rq import Queue
from sqlalchemy import func, select

from app.abroad.models import Application
from app.cases.models import Document
from app.errors import JOBS_UNAVAILABLE
from app.extensions import db, limiter, rq
from app.reports.models import ReportOrder
from tests.abroad.fixtures.import_files import application_rows, to_csv
from tests.conftest import PASSWORD

DOWN = "redis://127.0.0.1:1/0"   # nothing listens on port 1


@pytest.fixture
def redis_down(app, monkeypatch):
    connection = Redis.from_url(DOWN)
    with app.app_context():
        for name in list(rq.queues):
            monkeypatch.setitem(rq.queues, name, Queue(name, connection=connection, is_async=True,
                                                       job_class=FlaskJob))
    storage = storage_from_string(DOWN)
    monkeypatch.setattr(limiter, "_storage", storage)
    monkeypatch.setattr(limiter, "_limiter", type(limiter._limiter)(storage))
    monkeypatch.setattr(limiter, "_storage_dead", False)
    yield
    connection.close()


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_login_works_and_is_still_rate_limited(app, client, make_user, redis_down):
    make_user("abroad_caseworker", email="kari@test.example")
    response = client.post("/login", data={"email": "kari@test.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200

    other = app.test_client()
    statuses = [other.post("/login", data={"email": "kari@test.example", "password": "feil-passord-123"}).status_code
                for _ in range(6)]
    # five failures per account (the successful login does not count), counted in the database, not in Redis
    assert statuses == [200, 200, 200, 200, 200, 429]


def test_a_journal_printout_says_background_jobs_are_unavailable(app, login, make_user, make_case, redis_down):
    user = make_user("abroad_caseworker")
    case_id = make_case(user)
    client = login(user)

    response = client.post(f"/saker/{case_id}/journalutskrift", follow_redirects=True)

    assert response.status_code == 200 and response.request.path == f"/saker/{case_id}"
    assert JOBS_UNAVAILABLE in response.get_data(as_text=True)
    assert count(app, Document, Document.case_id == case_id) == 0


def test_report_pages_work_and_an_order_says_background_jobs_are_unavailable(app, login, make_user, redis_down):
    analyst_id = make_user("analyst")
    analyst = login(analyst_id)
    with app.app_context():   # an order placed before the queue went down
        placed = ReportOrder(kind="methods", year=2024, region=None, notes={}, user_id=analyst_id)
        db.session.add(placed)
        db.session.commit()
        order_id = placed.id

    index = analyst.get("/rapporter/")
    assert index.status_code == 200 and index.get_data(as_text=True).count(JOBS_UNAVAILABLE) == 1
    assert ">Ukjent<" in index.get_data(as_text=True)          # the order is listed, its state unknown
    assert analyst.get("/rapporter/nye-metoder/2025").status_code == 200

    ordered = analyst.post("/rapporter/nye-metoder/", data={"year": "2025", "region": ""})
    page = ordered.get_data(as_text=True)
    assert ordered.status_code == 200 and page.count(JOBS_UNAVAILABLE) == 1
    with app.app_context():   # no order without its job
        assert db.session.scalar(select(func.count()).select_from(ReportOrder)) == 1

    progress = analyst.get(f"/rapporter/bestillinger/{order_id}")
    assert progress.status_code == 503 and JOBS_UNAVAILABLE in progress.get_data(as_text=True)
    assert analyst.get(f"/rapporter/bestillinger/{order_id}/status").status_code == 503


def test_an_import_says_background_jobs_are_unavailable(app, login, make_user, redis_down):
    caseworker = login(make_user("abroad_caseworker"))

    response = caseworker.post("/utland/import", content_type="multipart/form-data", data={
        "kind": "applications", "file": (io.BytesIO(to_csv(application_rows(3))), "søknader.csv")})

    assert response.status_code == 200 and JOBS_UNAVAILABLE in response.get_data(as_text=True)
    assert count(app, Application) == 0
    progress = caseworker.get("/utland/import/jobber/12345")
    assert progress.status_code == 503 and JOBS_UNAVAILABLE in progress.get_data(as_text=True)
