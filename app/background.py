"""Background jobs (RQ): the retry policy every job is queued with, and a queue that cannot be reached.

A job runs again when it fails or its worker dies, up to RETRIES more times: a worker requeues a job whose
work-horse was killed at once, and any worker's registry cleanup (StartedJobRegistry) requeues one whose whole
worker died, once that worker's heartbeat has expired. So jobs are idempotent: each run first looks for the
receipt a run before it committed together with its work (an audit row keyed by the job's id) and, when there
is one, returns what that run made instead of filing a document or importing a file a second time.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from redis.exceptions import RedisError
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job

from app.errors import JobsUnavailable

RETRIES = 3
CLOCK_SKEW = timedelta(hours=1)   # the web server that queued a job and the worker that runs it may disagree


def retry_policy() -> Retry:
    return Retry(max=RETRIES)


@contextmanager
def queue_available() -> Iterator[None]:
    """Turn an unreachable Redis into JobsUnavailable: the page says so in bokmål instead of failing."""
    try:
        yield
    except RedisError as error:
        raise JobsUnavailable() from error


def receipts_since(job) -> datetime:
    """Where a job's receipt can start in the audit log: when the job was created (the same for every run of
    it), less the clock skew allowed between servers."""
    created = job.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return created - CLOCK_SKEW


def owned_job(queue, job_id: str, user) -> Job | None:
    """The job with this id, when `user` queued it (its meta's user_id); None otherwise, so its page answers 404
    to anyone else."""
    try:
        job = Job.fetch(job_id, connection=queue.connection)
    except NoSuchJobError:
        return None
    return job if job.meta.get("user_id") == user.id else None


def job_progress(job: Job) -> tuple[str, dict]:
    """The job's state as a progress page names it (queued, started, finished, failed) and its meta."""
    status = job.get_status(refresh=True)
    state = {"finished": "finished", "failed": "failed", "started": "started"}.get(
        getattr(status, "value", status), "queued")
    return state, job.get_meta(refresh=True)
