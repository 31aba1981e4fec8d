"""Report orders: a report requested in the web UI is a row (who, which report, year and region, when) and an
RQ job whose id carries the row's id, so its page survives a reload and can be polled. The progress lives in
the job's meta and the finished report and its files in the job's result, for ORDER_TTL; after that the order
is listed as expired. An order is shown only to the person who placed it, and only while that person may
still read the report.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import and_, false, or_, select

from app.background import queue_available, retry_policy
from app.core.regions import REGIONS
from app.db import utcnow
from app.errors import InvalidInput, JobsUnavailable, NotAllowed
from app.extensions import db, rq
from app.reports.jobs import QUEUE, UNEXPECTED, build_report
from app.reports.models import ReportOrder
from app.reports.registry import ReportKind, get_kind, may_read_region, readable_kinds, regions_for

ORDER_TTL = 7 * 24 * 3600          # a finished or failed order's files are kept for a week
JOB_TIMEOUT = 60 * 60              # a national report over many years may take a while
NOTE_MAX_LENGTH = 4000


def _job_id(order_id: int) -> str:
    return f"report-{order_id}"


def _connection():
    return rq.get_queue(QUEUE).connection


STATE_LABELS = {"queued": "I kø", "started": "Lages", "finished": "Ferdig", "failed": "Feilet",
                "expired": "Utløpt", "unknown": "Ukjent"}


@dataclass(frozen=True)
class Order:
    id: int
    kind: ReportKind
    year: int
    region: str | None
    notes: dict
    user_id: int
    ordered_at: datetime
    state: str                    # queued, started, finished, failed; expired when the job is gone, unknown
    percent: int                  # when the job queue cannot be reached
    step: str
    error: str | None
    job: Job | None

    @property
    def done(self) -> bool:
        return self.state not in ("queued", "started")

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


_EXPIRED_STEP = "Filene er slettet etter en uke. Bestill rapporten på nytt."
_UNKNOWN_STEP = "Jobbkøen svarer ikke nå, så status kan ikke vises."


def _order(row: ReportOrder, job: Job | None, *, reachable: bool = True) -> Order:
    """The order as shown: its row, with the job's state and progress while the queue still holds the job."""
    fields = {"id": row.id, "kind": get_kind(row.kind), "year": row.year, "region": row.region,
              "notes": row.notes or {}, "user_id": row.user_id, "ordered_at": row.ordered_at}
    if job is None:
        state = "expired" if reachable else "unknown"
        return Order(**fields, state=state, percent=0, step=_EXPIRED_STEP if reachable else _UNKNOWN_STEP,
                     error=None, job=None)
    meta = job.meta or {}
    state = _state(job)
    progress = meta.get("progress") or {}
    percent = 100 if state == "finished" else int(progress.get("percent", 0))
    step = progress.get("step") or ("Venter på ledig kapasitet" if state == "queued" else "Starter")
    error = (meta.get("error") or UNEXPECTED) if state == "failed" else None
    return Order(**fields, state=state, percent=percent, step="Ferdig" if state == "finished" else step,
                 error=error, job=job)


def with_jobs(rows: list[ReportOrder]) -> list[Order]:
    """The rows as orders, their jobs fetched from the queue in one round trip; when the queue cannot be reached
    the orders are listed with an unknown state (the list is shown all the same)."""
    try:
        with queue_available():
            jobs = Job.fetch_many([_job_id(row.id) for row in rows], connection=_connection())
    except JobsUnavailable:
        return [_order(row, None, reachable=False) for row in rows]
    return [_order(row, job) for row, job in zip(rows, jobs, strict=True)]


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
    """Record the order and queue its report; the caller commits. Without Redis the job runs at once, in this
    process. JobsUnavailable when Redis cannot be reached (the caller then rolls back: no order without a job).
    The job only reads, and its result lives in the job, so a run after its worker died (see app.background)
    leaves one report for the order, as any run does."""
    notes = check_request(user, kind, year=year, region=region, notes=notes)
    row = ReportOrder(kind=kind.name, year=year, region=region, notes=notes, user_id=user.id)
    db.session.add(row)
    db.session.flush()
    with queue_available():
        job = build_report.enqueue(kind.name, year, region, notes, job_id=_job_id(row.id), result_ttl=ORDER_TTL,
                                   failure_ttl=ORDER_TTL, job_timeout=JOB_TIMEOUT, retry=retry_policy(),
                                   meta={"progress": {"percent": 0, "step": ""}},
                                   description=f"Rapport {kind.name} {year} {region or 'hele landet'}")
        return _order(row, Job.fetch(job.id, connection=_connection()))


def find_order(order_id: int, user) -> Order | None:
    """The order, when `user` placed it and may still read that report; None otherwise. JobsUnavailable when
    the queue cannot be reached."""
    row = db.session.get(ReportOrder, order_id)
    if row is None or row.user_id != user.id or get_kind(row.kind) is None \
            or not may_read_region(user, get_kind(row.kind), row.region):
        return None
    with queue_available():
        try:
            job = Job.fetch(_job_id(row.id), connection=_connection())
        except NoSuchJobError:
            job = None
    return _order(row, job)


def retry(order: Order, user) -> Order:
    """Order the same report again (a failed or expired order stays as it was)."""
    return place_order(user, order.kind, year=order.year, region=order.region, notes=order.notes)


def readable_rule(user, kind_column, region_column):
    """The reports and regions `user` may read, as a condition on a kind and a region column (the same rule as
    may_read_region, so a role change hides old orders and publications at once)."""
    allowed = []
    for kind in readable_kinds(user):
        regions = regions_for(user, kind)
        if not kind.regional:
            region_rule = region_column.is_(None)
        elif regions is None:
            region_rule = or_(region_column.is_(None), region_column.in_(list(REGIONS)))
        else:
            region_rule = region_column.in_(list(regions))
        allowed.append(and_(kind_column == kind.name, region_rule))
    return or_(false(), *allowed)


def readable_orders(user):
    """The access rule in SQL: the user's own orders of the reports and regions the user may still read."""
    return select(ReportOrder).where(ReportOrder.user_id == user.id,
                                     readable_rule(user, ReportOrder.kind, ReportOrder.region))


def latest_order(user, kind: ReportKind, year: int, region: str | None) -> Order | None:
    """The newest order of this report, year and region whose report can still be shown or is on its way (the
    page for a report and a year opens it instead of the form). JobsUnavailable when the queue cannot be
    reached."""
    rows = db.session.scalars(readable_orders(user).where(
        ReportOrder.kind == kind.name, ReportOrder.year == year,
        ReportOrder.region.is_(None) if region is None else ReportOrder.region == region,
        ReportOrder.ordered_at >= utcnow() - timedelta(seconds=ORDER_TTL))
        .order_by(ReportOrder.ordered_at.desc(), ReportOrder.id.desc())).all()
    for order in with_jobs(rows):
        if order.state == "unknown":
            raise JobsUnavailable()
        if order.state in ("queued", "started", "finished"):
            return order
    return None
