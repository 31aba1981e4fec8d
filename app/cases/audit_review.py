"""Log review (Normen fact sheet 15: keep the logs and review them): the access an admin should look at.

Three flags over a period of Oslo days, each one aggregate query over `audit_events`:

- many patients: a user opened (viewed or downloaded) at least `patients` different patients within
  `window` (a sliding window: a burst that straddles a clock boundary counts);
- denied: attempts at cases or reports outside the user's scope (the rows `get_case_or_404()` writes);
- off hours: reads and changes of patient data outside working hours in Oslo time, at weekends or on
  public holidays. A list counts as a read of the patients it showed: its rows of the old shape (one per
  case) each count, its `list` event (one per request, naming its patients) counts once. The database groups
  the rows per user and UTC hour; only those groups are classified here (Oslo's offset from UTC is whole hours,
  so a UTC hour is one Oslo hour).
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, and_, cast, distinct, extract, func, or_, select
from sqlalchemy.orm import aliased

from app.cases.workdays import holiday_name, is_working_day
from app.core.audit import LIST_OBJECT, AuditAction, AuditEvent
from app.extensions import db

OSLO = ZoneInfo("Europe/Oslo")
# What counts as opening a patient's data, or probing for it: a look-up by national ID counts whether or not the
# patient is in the user's scope (many look-ups in a short time is someone searching for a person). Lists are
# left out, in either shape (a row per case before, one event naming its patients since): one page of a list
# shows dozens of patients without opening any of them.
READS = (AuditAction.VIEW, AuditAction.DOWNLOAD, AuditAction.LOOKUP)
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


@dataclass(frozen=True)
class Thresholds:
    patients: int                 # this many different patients ...
    window: timedelta             # ... within this long is flagged
    workday_start: int            # working hours in Oslo time, [start, end) in whole hours
    workday_end: int

    @classmethod
    def from_config(cls, config) -> "Thresholds":
        start, end = config["LOG_REVIEW_WORKING_HOURS"]
        return cls(patients=config["LOG_REVIEW_PATIENTS"],
                   window=timedelta(minutes=config["LOG_REVIEW_WINDOW_MINUTES"]),
                   workday_start=start, workday_end=end)


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    email: str | None
    role: str | None
    office: str | None


@dataclass
class Burst:
    """A user opened `patients` different patients within one window (the most of any window in the burst)."""
    actor: Actor
    first: datetime
    last: datetime
    patients: int


@dataclass(frozen=True)
class Denials:
    actor: Actor
    attempts: int
    cases: int
    first: datetime
    last: datetime


@dataclass
class OffHours:
    """A user's access to patient data outside working hours on one Oslo day."""
    actor: Actor
    day: date
    why: str
    events: int
    first: datetime
    last: datetime


@dataclass(frozen=True)
class Review:
    start: date
    end: date
    thresholds: Thresholds
    bursts: list[Burst]
    denials: list[Denials]
    off_hours: list[OffHours]


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The period's first and last Oslo day as UTC instants [from, to). SQLite stores what it is given
    without converting, so the bounds are handed over in UTC like the stored rows."""
    return (datetime.combine(start, time.min, OSLO).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time.min, OSLO).astimezone(UTC))


def _epoch_seconds(column):
    """Whole seconds since 1970 (UTC) of a timestamp column, in SQL."""
    if db.session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", column), BigInteger)
    return cast(func.floor(extract("epoch", column)), BigInteger)


def _actor(row) -> Actor:
    return Actor(row.user_id, row.user_email, row.role, row.office)


def many_patients(start: date, end: date, thresholds: Thresholds) -> list[Burst]:
    """Users who opened at least `thresholds.patients` different patients within `thresholds.window`,
    for windows starting in the period. Each read starts a window; the database counts the different
    patients in every window and returns the windows over the threshold, which are merged here into
    one burst per run of overlapping windows."""
    first, other = aliased(AuditEvent), aliased(AuditEvent)
    since, until = _utc_bounds(start, end)
    seconds = int(thresholds.window.total_seconds())
    patients = func.count(distinct(other.patient_id))
    windows = db.session.execute(
        select(first.user_id, first.user_email, first.role, first.office, first.at.label("start"),
               func.max(other.at).label("end"), patients.label("patients"))
        .join(other, and_(other.user_id == first.user_id, other.action.in_(READS), other.patient_id.is_not(None),
                          other.at >= first.at, other.at < until + thresholds.window,
                          _epoch_seconds(other.at) < _epoch_seconds(first.at) + seconds))
        .where(first.action.in_(READS), first.patient_id.is_not(None), first.user_id.is_not(None),
               first.at >= since, first.at < until)
        .group_by(first.id, first.user_id, first.user_email, first.role, first.office, first.at)
        .having(patients >= thresholds.patients)
        .order_by(first.user_id, first.at))
    bursts: list[Burst] = []
    for window in windows:
        begin, finish = _aware(window.start), _aware(window.end)
        latest = bursts[-1] if bursts else None
        if latest is not None and latest.actor.user_id == window.user_id and begin <= latest.last:
            latest.last = max(latest.last, finish)
            latest.patients = max(latest.patients, window.patients)
        else:
            bursts.append(Burst(_actor(window), begin, finish, window.patients))
    return sorted(bursts, key=lambda burst: burst.first, reverse=True)


def denied_attempts(start: date, end: date) -> list[Denials]:
    """Per user: how often access outside their scope was refused in the period, most attempts first."""
    since, until = _utc_bounds(start, end)
    attempts = func.count(AuditEvent.id)
    rows = db.session.execute(
        select(AuditEvent.user_id, AuditEvent.user_email, AuditEvent.role, AuditEvent.office,
               attempts.label("attempts"), func.count(distinct(AuditEvent.case_id)).label("cases"),
               func.min(AuditEvent.at).label("first"), func.max(AuditEvent.at).label("last"))
        .where(AuditEvent.action == AuditAction.DENIED, AuditEvent.at >= since, AuditEvent.at < until)
        .group_by(AuditEvent.user_id, AuditEvent.user_email, AuditEvent.role, AuditEvent.office)
        .order_by(attempts.desc(), AuditEvent.user_email))
    return [Denials(_actor(row), row.attempts, row.cases, _aware(row.first), _aware(row.last)) for row in rows]


def _outside_hours(moment: datetime, thresholds: Thresholds) -> str | None:
    """Why an Oslo time is outside working hours, or None when it is inside them."""
    day = moment.date()
    if holiday := holiday_name(day):
        return f"helligdag ({holiday})"
    if not is_working_day(day):
        return WEEKDAYS[day.weekday()]
    if not thresholds.workday_start <= moment.hour < thresholds.workday_end:
        return "utenfor arbeidstid"
    return None


def off_hours_access(start: date, end: date, thresholds: Thresholds) -> list[OffHours]:
    """Per user and Oslo day: reads and changes of patient data outside working hours."""
    since, until = _utc_bounds(start, end)
    hour = _epoch_seconds(AuditEvent.at) // 3600
    groups = db.session.execute(
        select(AuditEvent.user_id, AuditEvent.user_email, AuditEvent.role, AuditEvent.office, hour.label("hour"),
               func.count(AuditEvent.id).label("events"), func.min(AuditEvent.at).label("first"),
               func.max(AuditEvent.at).label("last"))
        .where(or_(AuditEvent.patient_id.is_not(None), AuditEvent.object_type == LIST_OBJECT),
               AuditEvent.user_id.is_not(None),
               AuditEvent.action != AuditAction.DENIED, AuditEvent.at >= since, AuditEvent.at < until)
        .group_by(AuditEvent.user_id, AuditEvent.user_email, AuditEvent.role, AuditEvent.office, hour))
    days: dict[tuple, OffHours] = {}
    for group in groups:
        local = datetime.fromtimestamp(group.hour * 3600, UTC).astimezone(OSLO)
        why = _outside_hours(local, thresholds)
        if why is None:
            continue
        actor, first, last = _actor(group), _aware(group.first), _aware(group.last)
        seen = days.get((actor, local.date()))
        if seen is None:
            days[(actor, local.date())] = OffHours(actor, local.date(), why, group.events, first, last)
        else:
            seen.events += group.events
            seen.first, seen.last = min(seen.first, first), max(seen.last, last)
    return sorted(days.values(), key=lambda entry: entry.first, reverse=True)


def review(start: date, end: date, thresholds: Thresholds) -> Review:
    """Everything the log review flags in the Oslo days `start`..`end` (both included)."""
    return Review(start, end, thresholds, bursts=many_patients(start, end, thresholds),
                  denials=denied_attempts(start, end), off_hours=off_hours_access(start, end, thresholds))
