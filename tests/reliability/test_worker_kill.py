"""Exactly-once jobs (quality goal A9): a job whose work-horse, or whole worker, is killed with SIGKILL halfway
is run again and leaves its effect exactly once.

Each run uses the real pieces: a Redis (REDIS_TEST_URL), RQ workers in processes of their own, and a database of
its own, migrated like the suite's (an SQLite file, or a PostgreSQL database next to TEST_DATABASE_URL's). The
job is queued the way the pages queue it, with the app's retry policy (app.background).
tests/reliability/worker_app.py stops a run at a checkpoint so it can be killed there:

1. the work-horse is killed before its commit: the worker sees it die and requeues the job at once;
2. the next work-horse commits and is killed, with its worker, before it can report the job done: the job is
   left "started" with nobody working on it;
3. the sweeper (StartedJobRegistry.cleanup, which every worker runs, here with its clock moved past the dead
   worker's heartbeat) requeues it, and a new worker finishes it: the run finds the receipt the killed run
   committed, and files nothing twice.

The workers are forked from the test process (rq.Worker, which forks a work-horse per job): what happens when a
horse or a worker dies is RQ's worker logic, the same in the production worker. RELIABILITY_KILL_WORKER=flask runs
the production command, `flask rq worker`, instead (it starts a new interpreter per work-horse: slow). The goal
is 20/20 runs; the suite runs RELIABILITY_KILL_RUNS of the printout and the import (3 by default) to stay
fast.
"""
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import date

import pytest
from flask_migrate import upgrade
from flask_rq._job_class import FlaskJob
from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app import create_app
from app.abroad import import_jobs
from app.abroad.models import Application
from app.auth import services as account_services
from app.auth.models import User
from app.cases import jobs
from app.cases import services as case_services
from app.cases.models import CaseKind, Document, JournalEntryType
from app.core.audit import AuditEvent
from app.core.roles import Role
from app.extensions import db, rq
from app.listing import run_list
from app.reports import orders
from app.reports.lists import ORDERS
from app.reports.registry import get_kind
from config import BASE_DIR
from tests.abroad.fixtures.import_files import application_rows, to_csv
from tests.conftest import PASSWORD, database_of_its_own
from tests.reliability.worker_app import fork_worker, next_pause, sweep, worker_config

REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
RUNS = int(os.environ.get("RELIABILITY_KILL_RUNS", "3"))
PRODUCTION_WORKER = os.environ.get("RELIABILITY_KILL_WORKER") == "flask"
WAIT = 120        # seconds a worker may take to reach a checkpoint or to finish (a loaded CI machine)

pytestmark = pytest.mark.real_commits   # in a database of its own: the suite's database is not touched


# The database, the app that queues the jobs, and Redis

@pytest.fixture(scope="module")
def database(database_url, tmp_path_factory):
    """The URL of a new, migrated database of the suite's kind, dropped afterwards."""
    with database_of_its_own(database_url, tmp_path_factory.mktemp("worker-kill"), "workerkill") as url:
        yield url


@pytest.fixture(scope="module")
def kill_app(database):
    """The app (as the web server runs it, with Redis) on the test's database; it queues the jobs."""
    app = create_app(worker_config(database, REDIS_URL, "unused"))
    with app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def redis():
    connection = Redis.from_url(REDIS_URL, socket_timeout=WAIT + 10)   # blocking pops wait up to WAIT
    connection.ping()   # a missing Redis fails the test
    yield connection
    connection.close()


class WorkerProcess:
    """A worker started by the test: forked (pid) or the production command (popen)."""

    def __init__(self, pid: int, popen: subprocess.Popen | None = None) -> None:
        self.pid = pid
        self.popen = popen
        self.done = False

    def wait(self, timeout: float) -> bool:
        """Wait for the worker to exit; False when it is still running after `timeout` seconds."""
        if self.popen is not None:
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return False
            self.done = True
            return True
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0] == self.pid:
                self.done = True
                return True
            time.sleep(0.05)
        return False

    def kill(self) -> None:
        if not self.done:
            os.kill(self.pid, signal.SIGKILL)
            self.wait(WAIT)


class Workers:
    """The test's queue, its workers and the checkpoints' keys; everything is cleaned up."""

    def __init__(self, app, database: str, redis: Redis, logs) -> None:
        self.app = app
        self.database = database
        self.redis = redis
        self.logs = logs
        token = uuid.uuid4().hex
        self.queue = Queue(f"reliability-{token}", connection=redis, job_class=FlaskJob)
        self.keys = f"reliability:{token}"
        self.processes: list[WorkerProcess] = []
        self.horses: list[int] = []

    def start(self, *, pause_at: str = "", burst: bool = False) -> WorkerProcess:
        log = self.logs / f"worker-{len(self.processes) + 1}.log"
        if PRODUCTION_WORKER:
            env = {**os.environ, "FLASK_APP": "tests.reliability.worker_app:create_worker_app()",
                   "REDIS_URL": REDIS_URL, "RELIABILITY_DATABASE_URL": self.database,
                   "RELIABILITY_QUEUE": self.queue.name, "RELIABILITY_PAUSE_AT": pause_at,
                   "RELIABILITY_KEYS": self.keys}
            with open(log, "wb") as output:
                popen = subprocess.Popen([sys.executable, "-m", "flask", "rq", "worker", self.queue.name,
                                          *(["--burst"] if burst else [])],
                                         cwd=BASE_DIR, env=env, stdout=output, stderr=subprocess.STDOUT)
            process = WorkerProcess(popen.pid, popen)
        else:
            process = WorkerProcess(fork_worker(self.app, redis_url=REDIS_URL, queue=self.queue.name,
                                                keys=self.keys, pause_at={name for name in pause_at.split(",") if name},
                                                burst=burst, log=str(log)))
        self.processes.append(process)
        return process

    def log(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-4000:]}"
                         for path in sorted(self.logs.glob("worker-*.log")))

    def paused(self, checkpoint: str) -> dict:
        """Wait for a work-horse to stop at `checkpoint`; returns its pid and its worker's."""
        paused = next_pause(self.redis, self.keys, WAIT)
        assert paused is not None, f"no work-horse reached {checkpoint}\n{self.log()}"
        self.horses.append(paused["pid"])
        assert paused["checkpoint"] == checkpoint, f"{paused}\n{self.log()}"
        return paused

    def finish(self, process: WorkerProcess) -> None:
        assert process.wait(WAIT), f"the worker did not finish\n{self.log()}"

    @staticmethod
    def kill_work_horse(paused: dict) -> None:
        os.kill(paused["pid"], signal.SIGKILL)

    @staticmethod
    def kill_worker(process: WorkerProcess, paused: dict) -> None:
        """The machine dies: the worker and its work-horse (a process group of its own) are gone at once."""
        assert paused["worker"] == process.pid
        process.kill()
        os.kill(paused["pid"], signal.SIGKILL)

    def sweep(self) -> None:
        sweep(self.queue)

    def close(self) -> None:
        for process in self.processes:
            process.kill()
        for pid in self.horses:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.queue.delete(delete_jobs=True)
        self.redis.delete(*(self.redis.keys(f"{self.keys}:*") or [f"{self.keys}:none"]))


@pytest.fixture
def workers(kill_app, database, redis, tmp_path):
    workers = Workers(kill_app, database, redis, tmp_path)
    yield workers
    workers.close()


@pytest.fixture
def on_test_queue(kill_app, workers, monkeypatch):
    """The app's queues, as the pages use them, send their jobs to the test's queue."""
    with kill_app.app_context():
        for name in list(rq.queues):
            monkeypatch.setitem(rq.queues, name, workers.queue)
    return kill_app


def _user(app, role: Role, office: str | None = None) -> int:
    with app.app_context():
        user = account_services.create_user(email=f"{uuid.uuid4().hex[:12]}@test.example", name="Kari Saksbehandler",
                                            role=role, office=office, password=PASSWORD)
        db.session.commit()
        return user.id


def _sequence_of_kills(workers: Workers, job: Job, *, before: str, after: str) -> None:
    """Kill the work-horse at `before`, then the worker and its horse at `after`; the sweeper and a new worker
    take over."""
    worker = workers.start(pause_at=f"{before},{after}")
    workers.kill_work_horse(workers.paused(before))
    workers.kill_worker(worker, workers.paused(after))
    assert job.get_status(refresh=True) == JobStatus.STARTED   # abandoned: nobody works on it any more
    workers.sweep()
    assert job.get_status(refresh=True) == JobStatus.QUEUED, workers.log()
    workers.finish(workers.start(burst=True))
    assert job.get_status(refresh=True) == JobStatus.FINISHED, workers.log()


# The journal printout: one PDF document filed on the case

@pytest.mark.parametrize("run", range(1, RUNS + 1))
def test_a_killed_journal_printout_is_filed_exactly_once(run, on_test_queue, workers):
    app = on_test_queue
    user_id = _user(app, Role.ABROAD_CASEWORKER, "helse-sor-ost")
    with app.app_context():
        user = db.session.get(User, user_id)
        patient = case_services.register_patient(national_id=None, name="Kari Nordmann", birth_date=date(1980, 5, 17),
                                                 municipality="Oslo", home_region="helse-sor-ost", actor=user)
        case = case_services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Nordmann",
                                       patient=patient, actor=user)
        case_services.add_journal_entry(case, entry_type=JournalEntryType.NOTE, title=f"Notat, kjøring {run}",
                                        actor=user)
        db.session.commit()
        case_id = case.id
        jobs.order_journal_printout(case, user)
    (job,) = workers.queue.get_jobs()
    assert job.retries_left > 0

    _sequence_of_kills(workers, job, before="before_commit", after="after_commit")

    with app.app_context():
        printouts = db.session.scalars(select(Document).where(Document.case_id == case_id)).all()
        assert [document.id for document in printouts] == [job.return_value()], workers.log()
        assert printouts[0].title.startswith("Journalutskrift") and len(printouts[0].versions) == 1
        receipts = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == jobs.PRINTOUT, AuditEvent.object_id == job.id))
        assert receipts == 1


# The bulk import: every record once, and one import in the audit log

@pytest.mark.parametrize("run", range(1, RUNS + 1))
def test_a_killed_import_imports_its_file_exactly_once(run, on_test_queue, workers):
    app = on_test_queue
    user_id = _user(app, Role.ABROAD_CASEWORKER, "helse-sor-ost")
    prefix = f"KILL{uuid.uuid4().hex[:6].upper()}"
    data = to_csv(application_rows(5, prefix=prefix))
    with app.app_context():
        number = import_jobs.start_import("applications", data, "historikk.csv", db.session.get(User, user_id))
    job = Job.fetch(import_jobs.job_id(number), connection=workers.redis)
    assert job.retries_left > 0

    _sequence_of_kills(workers, job, before="before_commit", after="after_commit")

    result = job.return_value()
    assert (result["created"], result["errors"], result["batch"]) == (5, [], job.meta["batch"]), workers.log()
    with app.app_context():
        imported = db.session.execute(select(Application.reference, Application.case_id).where(
            Application.reference.like(f"{prefix}-%"))).all()
        assert sorted(reference for reference, _case in imported) == [f"{prefix}-{i:06d}" for i in range(1, 6)]
        assert len({case_id for _reference, case_id in imported}) == 5
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "abroad_import", AuditEvent.object_id == job.meta["batch"])) == 1
    assert workers.redis.exists(f"helsesak:abroad-import-upload:{number}") == 0


# A report: the order's job finishes once, with its report (it writes nothing to the database; one run)

def test_a_report_whose_worker_was_killed_is_made_once(on_test_queue, workers):
    app = on_test_queue
    user_id = _user(app, Role.METHODS_SECRETARIAT)
    with app.app_context():
        order = orders.place_order(db.session.get(User, user_id), get_kind("methods"), year=2025, region=None)
        db.session.commit()
    job = order.job
    assert job.retries_left > 0

    worker = workers.start(pause_at="report")
    workers.kill_worker(worker, workers.paused("report"))
    assert job.get_status(refresh=True) == JobStatus.STARTED
    workers.sweep()
    workers.finish(workers.start(burst=True))

    with app.app_context():
        user = db.session.get(User, user_id)
        finished = orders.find_order(order.id, user)
        assert finished.state == "finished", workers.log()
        listed = run_list(ORDERS, MultiDict(), user).items
        assert [(placed.id, placed.state) for placed in listed] == [(order.id, "finished")]
        result = finished.result()
        assert result["report"].subtitle == "Statistikk 2025"
        assert result["files"]["pdf"].startswith(b"%PDF") and result["files"]["xlsx"].startswith(b"PK")
