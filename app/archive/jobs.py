"""The extraction as a background job (Flask-RQ, queue "default"), with its progress in the job's meta; in
process, at once, without Redis (config.py).

A deposit goes to its own new directory under ARCHIVE_DIR, named by the period and the job's number, so a run
of the job again after its worker died finds the deposit the first run finished (the directory is moved into
place only when whole: app/archive/deposit.py) and returns it instead of extracting the period twice.
"""
import secrets
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from rq import get_current_job
from rq.job import Job

from app.archive.deposit import verify, write_deposit
from app.archive.extraction import ArchiveError, Period
from app.auth.models import User
from app.background import job_progress, owned_job, queue_available, retry_policy
from app.core.roles import Role
from app.db import utcnow
from app.extensions import db, rq

RESULT_TTL = 7 * 24 * 60 * 60   # seconds the page still shows the result (the directory, counts and notes)
JOB_TIMEOUT = 30 * 60           # the demo data's ten years take under half a minute (docs/archive.md)
STEP_QUEUED = "Venter på tur"
MAX_NUMBER = 2 ** 31 - 2        # app.DatabaseIdConverter: <int:...> stops at 2**31 - 1


@dataclass(frozen=True)
class ExtractionResult:
    directory: str
    cases: int
    documents: int
    notes: list[str]
    error: str | None = None


def _queue():
    return rq.get_queue("default")


def job_id(number: int) -> str:
    return f"archive-extraction-{number}"


def output_for(period: Period, number: int) -> Path:
    return Path(current_app.config["ARCHIVE_DIR"]) / f"arkivuttrekk-{period.start}-{period.end}-{number}"


def start_extraction(period: Period, user) -> int:
    """Queue the extraction of `period` for `user`; returns the job's number (its page's address).
    JobsUnavailable when Redis cannot be reached."""
    with queue_available():
        queue = _queue()
        number = secrets.randbelow(MAX_NUMBER) + 1   # unguessable, and fits <int:number> in the page's address
        while Job.exists(job_id(number), connection=queue.connection):
            number = secrets.randbelow(MAX_NUMBER) + 1
        run_extraction.enqueue(period.start.isoformat(), period.end.isoformat(), number, user.id,
                               job_id=job_id(number), retry=retry_policy(), job_timeout=JOB_TIMEOUT,
                               result_ttl=RESULT_TTL, failure_ttl=RESULT_TTL,
                               meta={"user_id": user.id, "period": period.label, "percent": 0,
                                     "step": STEP_QUEUED})
    return number


def find_job(number: int, user) -> Job | None:
    """The extraction job with this number, when `user` started it (None otherwise: the page answers 404)."""
    return owned_job(_queue(), job_id(number), user)


def job_state(job: Job) -> dict:
    """What the page shows: state (queued, started, finished, failed), percent, step, period and result."""
    state, meta = job_progress(job)
    value = job.return_value() if state == "finished" else None
    return {"state": state, "percent": 100 if state == "finished" else meta.get("percent", 0),
            "step": meta.get("step", STEP_QUEUED), "period": meta.get("period"),
            "result": ExtractionResult(**value) if value else None}


@rq.job(queue="default")
def run_extraction(start: str, end: str, number: int, user_id: int) -> dict:
    """Extract the period into its directory for the admin who asked; returns ExtractionResult as a dict."""
    job = get_current_job()
    period = Period(date.fromisoformat(start), date.fromisoformat(end))
    output = output_for(period, number)
    if output.is_dir() and not verify(output):
        return asdict(ExtractionResult(str(output), 0, 0, ["Uttrekket ble laget av et tidligere forsøk."]))
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.role is not Role.ADMIN:
        return asdict(ExtractionResult(str(output), 0, 0, [], "Du har ikke lenger tilgang til arkivuttrekk."))

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total if total else 100
        if job is not None and percent != job.meta.get("percent"):
            job.meta.update(percent=percent, step=f"Sak {done} av {total}")
            job.save_meta()

    output.parent.mkdir(parents=True, exist_ok=True)
    try:
        extraction = write_deposit(period, output, made_at=utcnow(), via="job", user=user, progress=progress)
    except ArchiveError as error:
        return asdict(ExtractionResult(str(output), 0, 0, [], str(error)))
    return asdict(ExtractionResult(str(output), len(extraction.cases), len(extraction.documents),
                                   extraction.notes))
