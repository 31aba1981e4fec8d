"""Report orders: a report requested in the web UI is an RQ job whose id carries a number (the order),
so its page survives a reload and can be polled. Who ordered it, what and the progress live in the job's
meta; the finished report and its files in the job's result. An order is shown only to the person who
placed it, and only while that person may still read the report.
"""
from dataclasses import dataclass
from datetime import date, datetime

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app.background import queue_available, retry_policy
from app.db import utcnow
from app.errors import InvalidInput, NotAllowed
from app.extensions import rq
from app.reports.jobs import QUEUE, UNEXPECTED, build_report
from app.reports.registry import ReportKind, get_kind, may_read_region

ORDER_TTL = 7 * 24 * 3600          # a finished or failed order is kept for a week
JOB_TIMEOUT = 60 * 60              # a national report over many years may take a while
NOTE_MAX_LENGTH = 4000
RECENT = 20
_COUNTER = "helsesak:reports:order-counter"


def _user_key(user_id: int) -> str:
    return f"helsesak:reports:user:{user_id}"


def _job_id(order_id: int) -> str:
    return f"report-{order_id}"


def _connection():
    return rq.get_queue(QUEUE).connection


STATE_LABELS = {"queued": "I kø", "started": "Lages", "finished": "Ferdig", "failed": "Feilet"}


@dataclass(frozen=True)
class Order:
    id: int
    kind: ReportKind
    year: int
    region: str | None
    notes: dict
    user_id: int
    ordered_at: datetime
    state: str                    # queued, started, finished or failed
    percent: int
    step: str
    error: str | None
    job: Job

    @property
    def done(self) -> bool:
        return self.state in ("finished", "failed")

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    def result(self) -> dict | None:
        """{"report": Report, "files": {format: bytes}} once finished."""
        return self.job.return_value() if self.state == "finished" else None

    def status(self) -> dict:
        """What the progress page polls."""
        return {"state": self.state, "label": self.state_label, "percent": self.percent, "step": self.step,
                "error": self.error}


def _state(job: Job) -> str:
    status = job.get_status(refresh=False)
    if status == JobStatus.FINISHED:
        return "finished"
    if status in (JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED):
        return "failed"
    if status == JobStatus.STARTED:
        return "started"
    return "queued"


def _order(job: Job) -> Order | None:
    meta = job.meta or {}
    kind = get_kind(meta.get("kind", ""))
    if kind is None or "user_id" not in meta:
        return None
    state = _state(job)
    progress = meta.get("progress") or {}
    percent = 100 if state == "finished" else int(progress.get("percent", 0))
    step = progress.get("step") or ("Venter på ledig kapasitet" if state == "queued" else "Starter")
    error = (meta.get("error") or UNEXPECTED) if state == "failed" else None
    return Order(id=meta["order_id"], kind=kind, year=meta["year"], region=meta.get("region"),
                 notes=meta.get("notes") or {}, user_id=meta["user_id"],
                 ordered_at=datetime.fromisoformat(meta["ordered_at"]), state=state, percent=percent,
                 step="Ferdig" if state == "finished" else step, error=error, job=job)


def check_request(user, kind: ReportKind, *, year: int, region: str | None, notes: dict | None,
                  today: date | None = None) -> dict:
    """Refuse what the user may not order; returns the cleaned notes."""
    today = today or date.today()
    if not may_read_region(user, kind, region):
        raise NotAllowed("Du har ikke tilgang til denne rapporten for dette området.")
    if not kind.first_year <= year <= today.year:
        raise InvalidInput(f"Velg et år mellom {kind.first_year} og {today.year}.", field="year")
    cleaned = {}
    allowed = {note.name: note for note in kind.notes}
    for name, text in (notes or {}).items():
        if name not in allowed:
            raise InvalidInput(f"Rapporten har ikke feltet «{name}».")
        text = (text or "").strip()
        if len(text) > NOTE_MAX_LENGTH:
            raise InvalidInput(f"{allowed[name].label} kan være høyst {NOTE_MAX_LENGTH} tegn.", field=name)
        if text:
            cleaned[name] = text
    return cleaned


def place_order(user, kind: ReportKind, *, year: int, region: str | None, notes: dict | None = None) -> Order:
    """Queue the report. Without Redis the job runs at once, in this process. JobsUnavailable when Redis cannot
    be reached. The job only reads, and its result lives in the job, so a run after its worker died (see
    app.background) leaves one report for the order, as any run does."""
    notes = check_request(user, kind, year=year, region=region, notes=notes)
    with queue_available():
        connection = _connection()
        order_id = int(connection.incr(_COUNTER))
        meta = {"order_id": order_id, "kind": kind.name, "year": year, "region": region, "notes": notes,
                "user_id": user.id, "ordered_at": utcnow().isoformat(), "progress": {"percent": 0, "step": ""}}
        key = _user_key(user.id)
        connection.lpush(key, order_id)
        connection.ltrim(key, 0, RECENT - 1)
        connection.expire(key, ORDER_TTL)
        job = build_report.enqueue(kind.name, year, region, notes, job_id=_job_id(order_id), meta=meta,
                                   result_ttl=ORDER_TTL, failure_ttl=ORDER_TTL, job_timeout=JOB_TIMEOUT,
                                   retry=retry_policy(),
                                   description=f"Rapport {kind.name} {year} {region or 'hele landet'}")
        return _order(Job.fetch(job.id, connection=connection))


def find_order(order_id: int, user) -> Order | None:
    """The order, when `user` placed it and may still read that report; None otherwise."""
    try:
        job = Job.fetch(_job_id(order_id), connection=_connection())
    except NoSuchJobError:
        return None
    order = _order(job)
    if order is None or order.user_id != user.id or not may_read_region(user, order.kind, order.region):
        return None
    return order


def retry(order: Order, user) -> Order:
    """Order the same report again (a failed order stays as it was)."""
    return place_order(user, order.kind, year=order.year, region=order.region, notes=order.notes)


def recent_orders(user, kind: ReportKind | None = None) -> list[Order]:
    """The user's latest orders, newest first (those that have expired are gone). JobsUnavailable when Redis
    cannot be reached."""
    orders = []
    with queue_available():
        for raw in _connection().lrange(_user_key(user.id), 0, RECENT - 1):
            order = find_order(int(raw), user)
            if order is not None and (kind is None or order.kind.name == kind.name):
                orders.append(order)
    return orders


def latest_order(user, kind: ReportKind, year: int, region: str | None) -> Order | None:
    """The newest order of this report that has not failed (the page for a report and a year)."""
    return next((order for order in recent_orders(user, kind)
                 if order.year == year and order.region == region and order.state != "failed"), None)
