"""Background jobs: through a real Redis queue and a worker, and in-process without Redis."""
import os
import subprocess
import uuid

import pytest
from flask_rq._job_class import FlaskJob
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import select

from app.auth.models import User
from app.cases import services
from app.cases.documents import read_version
from app.cases.jobs import render_journal_printout
from app.cases.models import Case, Document, JournalEntryType
from app.extensions import db, rq


@pytest.fixture
def redis_queue():
    """A throwaway queue on the local Redis that `make test` starts; a missing Redis fails the test."""
    connection = Redis.from_url(os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15"))
    connection.ping()
    queue = Queue(f"test-pdf-{uuid.uuid4().hex}", connection=connection, job_class=FlaskJob)
    yield queue
    queue.delete(delete_jobs=True)
    connection.close()


def test_journal_printout_runs_through_a_real_redis_queue(app, make_user, make_case, redis_queue):
    user_id = make_user("abroad_caseworker")
    case_id = make_case(user_id)
    with app.app_context():
        job = redis_queue.enqueue(render_journal_printout.func, case_id, user_id)
        assert job.get_status().value == "queued"

        SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)

        job.refresh()
        assert job.is_finished, job.latest_result().exc_string if job.latest_result() else job.get_status()
        document = db.session.get(Document, job.return_value())
        assert document.case_id == case_id
        assert document.current_version.mime_type == "application/pdf"


def test_a_job_for_a_vanished_case_does_nothing(app, redis_queue, make_user):
    with app.app_context():
        job = redis_queue.enqueue(render_journal_printout.func, 987654, make_user("abroad_caseworker"))
        SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
        job.refresh()
        assert job.is_finished and job.return_value() is None


def test_a_crashing_job_is_reported_as_failed_with_its_error(app, redis_queue):
    with app.app_context():
        job = redis_queue.enqueue(render_journal_printout.func)  # missing arguments: a TypeError in the worker
        SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
        job.refresh()
        assert job.is_failed
        assert "TypeError" in job.latest_result().exc_string


def test_without_redis_jobs_run_in_process(app, make_user, make_case):
    user_id = make_user("abroad_caseworker")
    case_id = make_case(user_id)
    with app.app_context():
        assert not rq.get_queue("pdf").is_async
        job = render_journal_printout.enqueue(case_id, user_id)
        assert job.is_finished
        assert db.session.scalars(select(Document).where(Document.case_id == case_id)).one().id == job.return_value()


def test_printout_pdf_contains_the_journal_in_bokmal(app_ctx, make_user, make_case, tmp_path):
    user = db.session.get(User, make_user("abroad_caseworker"))
    case = db.session.get(Case, make_case(user.id))
    services.add_journal_entry(case, entry_type=JournalEntryType.NOTE, title="Vurdering av søknad – æøå ÆØÅ",
                               actor=user)
    db.session.commit()
    document = db.session.get(Document, render_journal_printout(case.id, user.id))
    pdf = tmp_path / "journal.pdf"
    pdf.write_bytes(read_version(document.current_version))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert f"Journalutskrift for sak {case.number}" in text
    assert "Vurdering av søknad – æøå ÆØÅ" in text
    assert "Side 1 av 1" in text


def test_a_printout_queued_by_a_user_who_lost_access_does_nothing(app_ctx, make_user, make_case):
    user = db.session.get(User, make_user("abroad_caseworker"))
    case_id = make_case(user.id)
    user.active = False
    db.session.commit()
    assert render_journal_printout(case_id, user.id) is None
    assert db.session.scalars(select(Document).where(Document.case_id == case_id)).all() == []
