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
