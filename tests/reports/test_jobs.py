"""The report job through a real Redis queue and a worker (as in production), like tests/test_jobs.py:
the progress lands in the job's meta and the report with its files comes back from Redis."""
import os
import uuid

import pytest
from flask_rq._job_class import FlaskJob
from redis import Redis
from rq import Queue, SimpleWorker

from app.reports.jobs import build_report
from app.reports.model import Report


@pytest.fixture
def redis_queue():
    """A throwaway queue on the local Redis that `make test` starts; a missing Redis fails the test."""
    connection = Redis.from_url(os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15"))
    connection.ping()
    queue = Queue(f"test-reports-{uuid.uuid4().hex}", connection=connection, job_class=FlaskJob)
    yield queue
    queue.delete(delete_jobs=True)
    connection.close()


def test_a_report_job_runs_through_a_real_redis_queue(app, redis_queue):
    with app.app_context():
        job = redis_queue.enqueue(build_report.func, "methods", 2024, None, {}, meta={"order_id": 1})
        SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
        job.refresh()

        assert job.is_finished, job.latest_result().exc_string if job.latest_result() else job.get_status()
        assert job.meta["progress"] == {"percent": 100, "step": "Ferdig"}
        result = job.return_value()
        assert isinstance(result["report"], Report) and result["report"].subtitle == "Statistikk 2024"
        assert result["files"]["pdf"].startswith(b"%PDF") and result["files"]["xlsx"].startswith(b"PK")


def test_a_failing_report_job_leaves_a_bokmal_message_in_its_meta(app, redis_queue):
    with app.app_context():
        job = redis_queue.enqueue(build_report.func, "no-such-report", 2024, None, {})
        SimpleWorker([redis_queue], connection=redis_queue.connection).work(burst=True)
        job.refresh()

        assert job.is_failed
        assert job.meta["error"] == "Denne rapporttypen finnes ikke lenger."
