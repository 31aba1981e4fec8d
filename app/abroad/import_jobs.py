"""The import as a background job (Flask-RQ, queue "default"), with its progress in the job's meta.

The uploaded file does not travel as a job argument (arguments stay in Redis as long as the job, and the
job as long as RESULT_TTL): it is kept under its own key, read by each run, and deleted as soon as no run
will need it again: when the import is committed or refused, when the user has lost access, and when a run
fails with no retry to follow. A run that fails with a retry to come leaves it for that retry (app.background).
UPLOAD_TTL only removes what no run got to delete: the file of a job no worker picked up in time, or of a
last run whose process was killed. The import's batch is chosen when
the job is queued: a run that finds the batch's audit row returns that import's result instead of importing
the file again. The job's result (the counts, or the list of errors) is kept for RESULT_TTL so the progress
page survives a reload. Without REDIS_URL the queue runs the job in-process, at once (see config.py).
"""
import secrets

from rq import get_current_job
from rq.job import Job

from app.abroad.importing import (
    ImportResult,
    RowError,
    imported_result,
    may_import,
    new_batch,
    run_import,
)
from app.auth.models import User
from app.background import job_progress, owned_job, queue_available, receipts_since, retry_policy
from app.extensions import db, rq

RESULT_TTL = 24 * 60 * 60      # seconds the progress page can still show the result (counts and errors only)
# An import of the largest file it reads (importing.MAX_ROWS rows) takes well under a minute
# (docs/performance.md, B6); a run still going after five minutes is stopped and, with retries left, run again.
JOB_TIMEOUT = 5 * 60
# The national IDs in an upload are kept no longer than the job can need them (data minimisation, GDPR art.
# 5(1)(c) and (e)): the wait in the queue plus a retry after a dead worker (its heartbeat expires after about
# 90 seconds, and a worker's sweep every 10 minutes requeues the job) with a full run on each side. A job
# that starts later says the file is no longer there and asks for it again; nothing is saved.
UPLOAD_TTL = 30 * 60
STEP_QUEUED = "Venter på tur"
MAX_NUMBER = 2 ** 31 - 2        # app.DatabaseIdConverter: <int:...> stops at 2**31 - 1


def _queue():
    return rq.get_queue("default")


def job_id(number: int) -> str:
    return f"abroad-import-{number}"


def _upload_key(number: int) -> str:
    return f"helsesak:abroad-import-upload:{number}"


def start_import(kind: str, data: bytes, filename: str, user) -> int:
    """Queue an import of `data` for `user`; returns the job's number (its page's address). JobsUnavailable
    when Redis cannot be reached."""
    with queue_available():
        queue = _queue()
        number = secrets.randbelow(MAX_NUMBER) + 1   # unguessable, and fits <int:number> in the page's address
        while Job.exists(job_id(number), connection=queue.connection):
            number = secrets.randbelow(MAX_NUMBER) + 1
        queue.connection.set(_upload_key(number), data, ex=UPLOAD_TTL)
        run_import_job.enqueue(kind, number, filename, user.id, job_id=job_id(number), retry=retry_policy(),
                               job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL, failure_ttl=RESULT_TTL,
                               meta={"user_id": user.id, "kind": kind, "filename": filename, "batch": new_batch(),
                                     "percent": 0, "step": STEP_QUEUED})
    return number


def find_job(number: int, user) -> Job | None:
    """The import job with this number, when `user` started it (None otherwise: the page answers 404)."""
    return owned_job(_queue(), job_id(number), user)


def job_state(job: Job) -> dict:
    """What the progress page shows: state (queued, started, finished, failed), percent, step and result."""
    state, meta = job_progress(job)
    result = None
    if state == "finished":
        value = job.return_value()
        result = ImportResult.from_dict(value) if value else None
    return {"state": state, "percent": 100 if state == "finished" else meta.get("percent", 0),
            "step": meta.get("step", STEP_QUEUED), "result": result, "kind": meta.get("kind"),
            "filename": meta.get("filename")}


@rq.job(queue="default")
def run_import_job(kind: str, number: int, filename: str, user_id: int) -> dict:
    """Import the uploaded file for the user who uploaded it; returns ImportResult.to_dict()."""
    job = get_current_job()
    connection = job.connection if job is not None else _queue().connection
    key = _upload_key(number)
    batch = job.meta.get("batch") if job is not None else None
    if batch and (done := imported_result(batch, since=receipts_since(job))) is not None:
        connection.delete(key)   # an earlier run imported it, and its worker died before finishing
        return done.to_dict()
    data = connection.get(key)
    user = db.session.get(User, user_id)
    if data is None:
        return ImportResult(kind=kind, batch="", errors=[RowError(
            None, None, "Filen er ikke lenger tilgjengelig. Last den opp på nytt.")]).to_dict()
    if user is None or not user.active or not may_import(user):
        # The user lost access (deactivated, moved) since the file was queued.
        connection.delete(key)
        return ImportResult(kind=kind, batch="", errors=[RowError(
            None, None, "Du har ikke lenger tilgang til å importere saker.")]).to_dict()
    last = {"percent": -1}

    def progress(percent: int, step: str) -> None:
        if job is None or (percent == last["percent"] and step == job.meta.get("step")):
            return
        last["percent"] = percent
        job.meta.update(percent=percent, step=step)
        job.save_meta()

    # In the worker, a failed run with retries left is run again and needs the file; the in-process queue
    # (no REDIS_URL) never retries.
    retried = job is not None and _queue().is_async and bool(job.retries_left)
    try:
        result = run_import(kind, data, filename, actor=user, progress=progress, batch=batch)
    except BaseException:
        if not retried:
            connection.delete(key)
        raise
    connection.delete(key)
    return result.to_dict()
