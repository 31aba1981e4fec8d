"""The hash chain over the audit log. Sealing runs apart from the requests that write audit rows (a
CLI command on a timer, or the admin's button), so no request waits for a chain lock: each unsealed
event, in id order, gets the next position and a SHA-256 over its content and the previous hash.
Verification recomputes the chain and names every row that no longer matches.

A list event names the patients it showed in its own content (`changes["patients"]`), so the seal covers
them; the same pairs in audit_event_patients are the index a patient's log is read through, and
verification checks that the index of every sealed event still says what the sealed content says (a pair
removed there would hide the list from the patient's log, one added would put it in another's)."""
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import func, select, text, true

from app.cases.models import AuditSeal
from app.core.audit import AuditEvent, listed_in, named_patients
from app.db import utcnow
from app.extensions import db

GENESIS = "0" * 64
SEAL_BATCH = 5_000
# Events still unsealed after this long mean sealing has stopped running.
SEAL_LAG_LIMIT = timedelta(hours=1)

audit_cli = AppGroup("audit", help="The audit log's hash chain.")


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC), PostgreSQL aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _utc(moment: datetime) -> str:
    """The same text on both databases, for the hash."""
    return _aware(moment).astimezone(UTC).isoformat(timespec="microseconds")


def event_digest(event: AuditEvent, previous_hash: str) -> str:
    content = {
        "id": event.id, "at": _utc(event.at), "user_id": event.user_id, "user_email": event.user_email,
        "role": event.role, "office": event.office, "action": event.action.value, "object_type": event.object_type,
        "object_id": event.object_id, "case_id": event.case_id, "patient_id": event.patient_id,
        "changes": event.changes, "remote_addr": event.remote_addr, "session_id": event.session_id,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def _lock() -> None:
    """One sealer at a time (PostgreSQL); SQLite serialises writers itself."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('helsesak-audit-seal'))"))


def seal(batch: int = SEAL_BATCH) -> int:
    """Seal the events not yet in the chain, oldest first, up to `batch` of them. Commits."""
    _lock()
    last = db.session.scalars(select(AuditSeal).order_by(AuditSeal.position.desc()).limit(1)).first()
    position, previous = (last.position, last.row_hash) if last else (0, GENESIS)
    unsealed = db.session.scalars(
        select(AuditEvent).outerjoin(AuditSeal, AuditSeal.event_id == AuditEvent.id)
        .where(AuditSeal.event_id.is_(None)).order_by(AuditEvent.id).limit(batch)).all()
    rows = []
    for event in unsealed:
        position += 1
        previous = event_digest(event, previous)
        rows.append({"position": position, "event_id": event.id, "row_hash": previous, "sealed_at": utcnow()})
    if rows:
        db.session.execute(AuditSeal.__table__.insert(), rows)
    db.session.commit()
    return len(rows)


def seal_all() -> int:
    total = 0
    while sealed := seal():
        total += sealed
    return total


@dataclass
class ChainReport:
    sealed: int = 0
    unsealed: int = 0
    oldest_unsealed: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify(now: datetime | None = None) -> ChainReport:
    """Recompute the chain from the first seal. A changed event, a missing one or a broken order is a
    problem; so is an event left unsealed for longer than SEAL_LAG_LIMIT."""
    report = ChainReport()
    previous, expected_position = GENESIS, 1
    rows = db.session.execute(select(AuditSeal, AuditEvent).outerjoin(AuditEvent, AuditEvent.id == AuditSeal.event_id)
                              .order_by(AuditSeal.position).execution_options(yield_per=SEAL_BATCH))
    for chunk in rows.partitions():
        listed = listed_in(event.id for _, event in chunk if event is not None)
        for seal_row, event in chunk:
            report.sealed += 1
            if seal_row.position != expected_position:
                report.problems.append(f"Posisjon {expected_position} mangler i kjeden (neste er {seal_row.position}).")
                expected_position = seal_row.position
            if problem := _mismatch(seal_row, event, previous, listed):
                report.problems.append(problem)
            previous, expected_position = seal_row.row_hash, expected_position + 1
    unsealed = _unsealed()
    report.unsealed, oldest = db.session.execute(select(func.count(), func.min(unsealed.c.at))).one()
    if oldest is not None:
        report.oldest_unsealed = _aware(oldest)
        if (now or utcnow()) - report.oldest_unsealed > SEAL_LAG_LIMIT:
            report.problems.append(f"{report.unsealed} loggrader er ikke forseglet; den eldste er fra "
                                   f"{report.oldest_unsealed:%d.%m.%Y %H:%M} UTC. Kjører forseglingen?")
    return report


def _mismatch(seal_row: AuditSeal, event: AuditEvent | None, previous: str,
              listed: dict[int, list[tuple[int, int]]]) -> str | None:
    """What is wrong with one sealed event: removed, changed, or its patient index disagreeing with it."""
    where = f"Loggrad {seal_row.event_id} (posisjon {seal_row.position})"
    if event is None:
        return f"{where} er slettet."
    if event_digest(event, previous) != seal_row.row_hash:
        return f"{where} er endret etter at den ble forseglet."
    if listed.get(event.id, []) != named_patients(event):
        return f"{where}: pasientene i registeret over viste pasienter stemmer ikke med den forseglede raden."
    return None


# The log page counts the events written after the highest sealed one up to this many, then says «over».
STATUS_COUNT_CAP = 10_000


@dataclass(frozen=True)
class ChainStatus:
    """What the log page says of the chain: how far it reaches, and what was written after it."""

    sealed: int
    last_sealed_at: datetime | None
    waiting: int
    oldest_waiting_at: datetime | None = None

    @property
    def waiting_text(self) -> str:
        """The count as the page prints it: «over 10 000» beyond the cap."""
        if self.waiting > STATUS_COUNT_CAP:
            return f"over {STATUS_COUNT_CAP:,}".replace(",", "\u00a0")
        return str(self.waiting)

    @property
    def lagging(self) -> bool:
        """Sealing has stopped: an event written after the chain's end has waited longer than the limit (the
        same limit `verify` reports)."""
        return (self.oldest_waiting_at is not None
                and utcnow() - _aware(self.oldest_waiting_at) > SEAL_LAG_LIMIT)


def _unsealed():
    return select(AuditEvent).outerjoin(AuditSeal, AuditSeal.event_id == AuditEvent.id).where(
        AuditSeal.event_id.is_(None)).subquery()


def status() -> ChainStatus:
    """How far sealing has come, for the admin's log page, in reads by index that do not grow with the log:
    the newest seal with the highest sealed event id, then the events above it by the primary key (counted up to
    STATUS_COUNT_CAP) with the oldest time among them.

    Every event above the highest sealed id is unsealed, so that count is exact for what it counts. What it
    leaves out is an event with a lower id committed after the sealing run read the log: on PostgreSQL an event
    takes its id at INSERT and becomes visible at COMMIT, so a transaction still open while a run sealed a
    higher id commits later below it. No bounded query can find such rows (nothing bounds how long a
    transaction stays open), so the page does not claim to count them: it says what its count covers, the next
    run seals them (a run takes every unsealed event, whatever its id), and `verify` (the page's button,
    `flask audit verify`) counts every unsealed event by the full anti-join and reports one left too long. On
    SQLite writers are serialised, so ids commit in order and the count is the whole truth."""
    last = db.session.execute(select(
        AuditSeal.position, AuditSeal.sealed_at,
        # Not the newest seal's own event: a late event sealed after it has a lower id.
        select(func.max(AuditSeal.event_id)).scalar_subquery().label("highest_event_id"),
    ).order_by(AuditSeal.position.desc()).limit(1)).first()
    after = AuditEvent.id > last.highest_event_id if last else true()
    waiting_rows = select(AuditEvent.at).where(after).order_by(AuditEvent.id).limit(STATUS_COUNT_CAP + 1).subquery()
    waiting, oldest = db.session.execute(select(func.count(), func.min(waiting_rows.c.at))).one()
    return ChainStatus(sealed=last.position if last else 0, last_sealed_at=last.sealed_at if last else None,
                       waiting=waiting, oldest_waiting_at=oldest)


def seal_of(event_id: int) -> AuditSeal | None:
    """The event's place in the chain, if it has been sealed (the event's page shows it)."""
    return db.session.scalar(select(AuditSeal).where(AuditSeal.event_id == event_id))


@audit_cli.command("seal")
def seal_command() -> None:
    """Seal every audit row not yet in the chain (run it every minute from a timer)."""
    click.echo(f"{seal_all()} loggrader forseglet.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Recompute the chain; exit 1 when a row was changed or removed, or sealing lags behind."""
    report = verify()
    for problem in report.problems:
        click.echo(problem)
    click.echo(f"{report.sealed} forseglede og {report.unsealed} uforseglede loggrader.")
    if not report.intact:
        raise SystemExit(1)
    click.echo("Kjeden er hel.")
