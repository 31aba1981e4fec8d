"""The workers of tests/reliability/test_worker_kill.py: the app's jobs on the test's own database and queue,
with checkpoints where a run stops and waits, so that the test can SIGKILL the process there.

fork_worker() forks the test process into an RQ forking worker (rq.Worker, which forks a work-horse per job).
With RELIABILITY_KILL_WORKER=flask the test runs the production command instead, `flask rq worker` (a new
interpreter per work-horse, much slower to start), with FLASK_APP "tests.reliability.worker_app:create_worker_app()"
and the environment saying where things are:

- RELIABILITY_DATABASE_URL, REDIS_URL, RELIABILITY_QUEUE: the database, the Redis and the test's queue;
- RELIABILITY_PAUSE_AT: checkpoints to stop at, comma-separated: `before_commit` and `after_commit` (the
  session's commit of the job's work) and `report` (a report job, halfway through its files);
- RELIABILITY_KEYS: the prefix of the Redis keys the checkpoints use. Each checkpoint stops once per test (the
  first run to reach it): it pushes {"checkpoint", "pid", "worker"} onto `<keys>:paused` and waits for the test
  to kill it (or, should the test die first, for PAUSE_LIMIT seconds).

The scale-out test (tests/cluster) runs the production app with the same checkpoints in the workers that
scripts/cluster.sh starts: FLASK_APP "tests.reliability.worker_app:create_checkpointed_app()". Its workers run
every other job of that test too, so it holds the checkpoint (hold) until the run it kills is queued (release).
"""
import json
import logging
import os
import sys
import time
import traceback
from typing import ClassVar

from flask_rq._job_class import FlaskJob
from redis import Redis
from rq import Queue, Worker
from rq.registry import StartedJobRegistry
from sqlalchemy import event

from app import create_app
from app.extensions import db
from config import Config

PAUSE_LIMIT = 120
SWEEP_AHEAD = 3600  # the sweeper runs as if an hour had passed: a dead worker's heartbeat has expired


def worker_config(database_url: str, redis_url: str, queue: str) -> type[Config]:
    class WorkerConfig(Config):
        SECRET_KEY = "worker-kill-test-" + "x" * 32
        SQLALCHEMY_DATABASE_URI = database_url
        SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {}
        REDIS_URL = redis_url
        RQ_CONNECTION = redis_url
        RQ_CONNECTION_CLASS = None
        RQ_ASYNC = True
        RQ_QUEUES: ClassVar[list[str]] = ["default", "pdf", queue]
        RATELIMIT_STORAGE_URI = "memory://"
        DOCUMENT_STORAGE = "database"
        PASSWORD_HASH_TIME_COST = 1
        PASSWORD_HASH_MEMORY_COST = 8
    return WorkerConfig


class Checkpoints:
    def __init__(self, redis_url: str, keys: str, names: set[str]) -> None:
        self.redis = Redis.from_url(redis_url, socket_timeout=PAUSE_LIMIT + 10)
        self.keys = keys
        self.names = names

    def reach(self, name: str) -> None:
        if name not in self.names or self.redis.incr(f"{self.keys}:reached:{name}") != 1:
            return
        self.redis.rpush(f"{self.keys}:paused", json.dumps({"checkpoint": name, "pid": os.getpid(),
                                                            "worker": os.getppid()}))
        self.redis.blpop([f"{self.keys}:release"], timeout=PAUSE_LIMIT)


def hold(redis: Redis, keys: str, name: str) -> None:
    """No run stops at checkpoint `name` (it counts as reached) until release()."""
    redis.set(f"{keys}:reached:{name}", 1)


def release(redis: Redis, keys: str, name: str) -> None:
    """The next run to reach checkpoint `name` stops there."""
    redis.delete(f"{keys}:reached:{name}")


def next_pause(redis: Redis, keys: str, timeout: float) -> dict | None:
    """The next run to stop at a checkpoint: {"checkpoint", "pid" (the work-horse), "worker"}; None when no run
    stopped within `timeout` seconds."""
    popped = redis.blpop([f"{keys}:paused"], timeout=timeout)
    return None if popped is None else json.loads(popped[1])


def sweep(queue: Queue) -> None:
    """What every worker's registry cleanup does once a dead worker's heartbeat has expired: requeue its job."""
    StartedJobRegistry(queue=queue).cleanup(timestamp=time.time() + SWEEP_AHEAD)


def install_checkpoints(checkpoints: Checkpoints) -> None:
    event.listen(db.session, "before_commit", lambda _session: checkpoints.reach("before_commit"))
    event.listen(db.session, "after_commit", lambda _session: checkpoints.reach("after_commit"))

    from app.reports.formats import RENDERERS

    render_xlsx = RENDERERS["xlsx"]

    def paused_xlsx(report):
        checkpoints.reach("report")
        return render_xlsx(report)

    RENDERERS["xlsx"] = paused_xlsx


def _checkpoints_from_environment(redis_url: str) -> None:
    names = {name for name in os.environ.get("RELIABILITY_PAUSE_AT", "").split(",") if name}
    if names:
        install_checkpoints(Checkpoints(redis_url, os.environ["RELIABILITY_KEYS"], names))


def create_worker_app():
    redis_url = os.environ["REDIS_URL"]
    app = create_app(worker_config(os.environ["RELIABILITY_DATABASE_URL"], redis_url,
                                   os.environ["RELIABILITY_QUEUE"]))
    _checkpoints_from_environment(redis_url)
    return app


def create_checkpointed_app():
    """The production app, as wsgi.py makes it from the environment, with RELIABILITY_PAUSE_AT's checkpoints."""
    from wsgi import app

    _checkpoints_from_environment(app.config["REDIS_URL"])
    return app


def fork_worker(app, *, redis_url: str, queue: str, keys: str, pause_at: set[str], burst: bool, log: str) -> int:
    """Fork a forking RQ worker on `queue` that runs the jobs in `app`; returns its pid. The child never
    returns: it ends with os._exit, so nothing of the test process (its connections) is closed or flushed."""
    pid = os.fork()
    if pid:
        return pid
    try:
        output = open(log, "a", buffering=1)  # noqa: SIM115 (the child's output until it exits)
        os.dup2(output.fileno(), 1)
        os.dup2(output.fileno(), 2)
        sys.stdout = sys.stderr = output
        logging.basicConfig(stream=output, level=logging.INFO, force=True)
        with app.app_context():
            db.engine.dispose(close=False)   # the test process's pooled connections stay the test's
            if pause_at:
                install_checkpoints(Checkpoints(redis_url, keys, pause_at))
            connection = Redis.from_url(redis_url)
            worker = Worker([Queue(queue, connection=connection, job_class=FlaskJob)], connection=connection,
                            job_class=FlaskJob)
            worker.work(burst=burst, logging_level="INFO")
    except BaseException:  # noqa: BLE001 (whatever ends the child, its log says why)
        traceback.print_exc()
        os._exit(1)
    os._exit(0)
