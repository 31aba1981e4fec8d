"""Backup and restore drill (quality goal A10), on the suite's database kind (SQLite or PostgreSQL).

A scratch database is migrated and given real case data through the services; a thread keeps appending audit
rows over its own connection while `flask backup` runs; `flask restore` puts the backup into a second, new
database. The restored database must pass the integrity check and equal the source as it was at the backup's
snapshot: every table the writer did not touch equals the source table, and the audit log holds exactly the
writer's first k rows for some k between the rows committed before the backup started and after it returned
(a prefix: nothing torn, no gap), with the same checksum as the source's rows up to there.

The drill's databases are its own (SQLite files in a temporary directory; PostgreSQL databases created next to
TEST_DATABASE_URL's and dropped afterwards), so the suite's database is neither read nor written.
"""
import hashlib
import sqlite3
import threading
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import backup, create_app
from app.auth import services as account_services
from app.backup import (
    BackupError,
    TableSummary,
    backup_database,
    integrity_problems,
    rows_summary,
    summarize,
)
from app.cases import documents
from app.cases import services as case_services
from app.cases.models import CaseKind, CaseStatus, JournalEntryType
from app.core.audit import AuditAction, AuditEvent
from app.core.roles import Role
from app.db import utcnow
from app.extensions import db
from config import BASE_DIR, TestConfig
from tests.conftest import PASSWORD

DRILL_OBJECT = "backup_drill"     # the writer thread's audit rows
EPICRISIS = b"Epikrise\nPasienten er vurdert for behandling i utlandet.\n"


def _migrated_app(url: str, tmp_path: Path):
    class DrillConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        DOCUMENT_DIR = str(tmp_path / "documents")

    drill_app = create_app(DrillConfig)
    with drill_app.app_context():
        upgrade(directory=str(BASE_DIR / "migrations"))
    return drill_app


def _seed(drill_app) -> None:
    """A caseworker, a screened case with a journal post and a document that is closed, and a discarded one."""
    with drill_app.app_context():
        user = account_services.create_user(email="drill@test.example", name="Drill Saksbehandler",
                                            role=Role.ABROAD_CASEWORKER, office="helse-sor-ost", password=PASSWORD)
        patient = case_services.register_patient(national_id=None, name="Kari Nordmann", birth_date=date(1980, 5, 17),
                                                 municipality="Oslo", home_region="helse-sor-ost", actor=user)
        kept = case_services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Nordmann",
                                       patient=patient, actor=user)
        entry = case_services.add_journal_entry(kept, entry_type=JournalEntryType.INCOMING, title="Epikrise",
                                                party_name="Oslo universitetssykehus", actor=user)
        documents.attach_document(kept, title="Epikrise", filename="epikrise.txt", content=EPICRISIS, actor=user,
                                  journal_entry=entry)
        discarded = case_services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Nordmann",
                                            patient=patient, actor=user)
        case_services.change_status(kept, CaseStatus.CLOSED, expected_version=kept.version, comment=None, actor=user)
        case_services.change_status(discarded, CaseStatus.DISCARDED, expected_version=discarded.version,
                                    comment="Registrert to ganger", actor=user)
        db.session.commit()


class AuditWriter(threading.Thread):
    """Appends numbered audit rows (1, 2, 3, …), one transaction each, over its own engine until halted."""

    def __init__(self, url: str) -> None:
        super().__init__(name="backup-drill-writer", daemon=True)
        self.url = url
        self.committed = 0
        self.error: BaseException | None = None
        self.halt = threading.Event()
        self._progress = threading.Condition()

    def run(self) -> None:
        engine = sa.create_engine(self.url)
        try:
            while not self.halt.is_set():
                number = self.committed + 1
                with engine.begin() as connection:
                    connection.execute(sa.insert(AuditEvent.__table__).values(
                        at=utcnow(), action=AuditAction.VIEW, object_type=DRILL_OBJECT, object_id=str(number)))
                with self._progress:
                    self.committed = number
                    self._progress.notify_all()
        except BaseException as error:  # reported by the test; an exception in a thread would vanish
            self.error = error
        finally:
            engine.dispose()
            with self._progress:
                self._progress.notify_all()

    def wait_for(self, count: int) -> bool:
        """Block until `count` rows are committed (False if the writer died or made no progress)."""
        with self._progress:
            return self._progress.wait_for(lambda: self.committed >= count or self.error is not None, timeout=120) \
                and self.error is None

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=120)


def _printed_summary(output: str) -> dict[str, TableSummary]:
    """The per-table lines the commands print: name, rows, sha256."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split() == ["table", "rows", "sha256"]) + 1
    summary = {}
    for line in lines[start:]:
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit() or len(parts[2]) != 64:
            break
        summary[parts[0]] = TableSummary(int(parts[1]), parts[2])
    return summary


def _drill_numbers(url: str) -> list[int]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [int(number) for number in connection.scalars(
                sa.select(AuditEvent.object_id).where(AuditEvent.object_type == DRILL_OBJECT).order_by(AuditEvent.id))]
    finally:
        engine.dispose()


@pytest.mark.real_commits   # writes only to the drill's own databases, which are removed afterwards
def test_backup_during_writes_restores_the_snapshot_intact(app, scratch_database, tmp_path):
    source_url, target_url = scratch_database("source"), scratch_database("restored")
    drill_app = _migrated_app(source_url, tmp_path)
    archive = tmp_path / "helsesak.backup"
    try:
        _seed(drill_app)
        cli = drill_app.test_cli_runner()
        writer = AuditWriter(source_url)
        writer.start()
        try:
            assert writer.wait_for(5), writer.error
            before = writer.committed
            backed_up = cli.invoke(args=["backup", str(archive), "--checksums"])
            after = writer.committed
            assert writer.wait_for(after + 3), writer.error   # the source moves on past the snapshot
        finally:
            writer.stop()
        assert writer.error is None
        assert backed_up.exit_code == 0, backed_up.output
        assert archive.stat().st_size > 0

        restored = cli.invoke(args=["restore", str(archive), "--database-url", target_url])
        assert restored.exit_code == 0, restored.output
        assert "Integrity check: ok" in restored.output
    finally:
        with drill_app.app_context():
            db.engine.dispose()

    # The restored database is the snapshot the backup printed, and passes the checks on its own.
    snapshot, result = _printed_summary(backed_up.output), summarize(target_url)
    assert integrity_problems(target_url) == []
    assert _printed_summary(restored.output) == result
    assert result == snapshot
    assert {"cases", "case_patients", "case_journal_entries", "case_documents", "case_stored_files",
            "audit_events", "alembic_version"} <= set(result)

    # … and equals the source at that snapshot: the writer's rows are a prefix 1..k, k within the backup's run.
    numbers = _drill_numbers(target_url)
    k = len(numbers)
    assert numbers == list(range(1, k + 1))
    assert before <= k <= after
    assert len(_drill_numbers(source_url)) > k   # rows committed after the snapshot are not in the backup
    source = summarize(source_url)
    assert {name: table for name, table in source.items() if name != "audit_events"} == \
           {name: table for name, table in result.items() if name != "audit_events"}
    engine = sa.create_engine(source_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            last_id = connection.scalar(sa.select(AuditEvent.id).where(
                AuditEvent.object_type == DRILL_OBJECT, AuditEvent.object_id == str(k))) if k else 0
            at_snapshot = rows_summary(connection, backup.table_query(connection, "audit_events").where(
                sa.column("id") <= last_id))
    finally:
        engine.dispose()
    assert at_snapshot == result["audit_events"]

    # The restored data is usable: statuses, the document's bytes against their checksum, new rows get new ids.
    engine = sa.create_engine(target_url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            statuses = connection.execute(sa.text("SELECT status FROM cases ORDER BY id")).scalars().all()
            assert statuses == [CaseStatus.CLOSED.value, CaseStatus.DISCARDED.value]
            sha256, content = connection.execute(sa.text(
                "SELECT v.sha256, f.content FROM case_document_versions v "
                "JOIN case_stored_files f ON f.sha256 = v.sha256")).one()
            assert hashlib.sha256(bytes(content)).hexdigest() == sha256 == hashlib.sha256(EPICRISIS).hexdigest()
            new_id = connection.execute(sa.insert(AuditEvent.__table__).values(
                at=utcnow(), action=AuditAction.VIEW, object_type=DRILL_OBJECT, object_id="after-restore")
                .returning(AuditEvent.__table__.c.id)).scalar_one()
            assert new_id > last_id
    finally:
        engine.dispose()


def _small_database(url: str, *, orphan: bool = False) -> None:
    """One parent and one child table; with `orphan`, a child row whose parent is missing."""
    if make_url(url).get_backend_name() == "sqlite":
        with closing(sqlite3.connect(make_url(url).database)) as connection, connection:
            connection.executescript(
                "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT);"
                "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id));"
                "INSERT INTO parent VALUES (1, 'Kari');"
                f"INSERT INTO child VALUES (1, {2 if orphan else 1});")
        return
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            for statement in ("CREATE TABLE parent (id integer PRIMARY KEY, name text)",
                              "CREATE TABLE child (id integer PRIMARY KEY, parent_id integer)",
                              "INSERT INTO parent VALUES (1, 'Kari')",
                              f"INSERT INTO child VALUES (1, {2 if orphan else 1})",
                              ("ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) "
                               "REFERENCES parent (id) NOT VALID")):
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_restore_refuses_a_database_that_is_not_empty(app, scratch_database, tmp_path):
    source, occupied = scratch_database("small"), scratch_database("occupied")
    _small_database(source)
    archive = tmp_path / "small.backup"
    backup_database(source, archive)
    _small_database(occupied)

    result = app.test_cli_runner().invoke(args=["restore", str(archive), "--database-url", occupied])

    assert result.exit_code == 1
    assert "is not empty; restore into a new, empty database" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert summarize(occupied) == summarize(source)   # untouched: its own two rows, nothing added


def test_restore_reports_a_database_that_fails_the_integrity_check(app, scratch_database, tmp_path):
    source, target = scratch_database("orphan"), scratch_database("orphan_restored")
    _small_database(source, orphan=True)
    archive = tmp_path / "orphan.backup"
    backup_database(source, archive)

    result = app.test_cli_runner().invoke(args=["restore", str(archive), "--database-url", target])

    assert result.exit_code == 1
    assert "failed the integrity check (1 problems)" in result.output
    problem = next(line for line in result.output.splitlines() if line.startswith("Integrity problem:"))
    assert "child" in problem
    assert summarize(target)["child"].rows == 1   # the summary is printed all the same
    assert _printed_summary(result.output) == summarize(target)


def test_restore_explains_unreadable_and_foreign_files(app, database_url, scratch_database, tmp_path):
    cli, target = app.test_cli_runner(), scratch_database("never")
    missing = cli.invoke(args=["restore", str(tmp_path / "missing.backup"), "--database-url", target])
    text = tmp_path / "notes.txt"
    text.write_text("ikke en sikkerhetskopi\n")
    foreign = cli.invoke(args=["restore", str(text), "--database-url", target])
    other_kind = tmp_path / "other.backup"   # the other database kind's format
    sqlite = make_url(database_url).get_backend_name() == "sqlite"
    other_kind.write_bytes((backup.PG_CUSTOM_HEADER if sqlite else backup.SQLITE_HEADER) + b"\x00" * 64)
    mismatched = cli.invoke(args=["restore", str(other_kind), "--database-url", target])

    assert [missing.exit_code, foreign.exit_code, mismatched.exit_code] == [1, 1, 1]
    assert "Cannot read" in missing.output and "No such file or directory" in missing.output
    assert "neither an SQLite database nor a pg_dump custom-format archive" in foreign.output
    assert ("restore it into a PostgreSQL database" if sqlite else "restore it into an SQLite database") \
        in mismatched.output
    assert all("Traceback" not in result.output for result in (missing, foreign, mismatched))


def test_backup_never_overwrites_a_file(scratch_database, tmp_path):
    source = scratch_database("overwrite")
    _small_database(source)
    archive = tmp_path / "existing.backup"
    archive.write_bytes(b"an earlier backup")

    with pytest.raises(BackupError, match="already exists"):
        backup_database(source, archive)
    assert archive.read_bytes() == b"an earlier backup"


def test_pg_tools_of_the_servers_version_or_a_clear_message(monkeypatch, tmp_path):
    """Debian's per-version directory first, then PATH; a missing or older tool names the package to install."""
    monkeypatch.setattr(backup, "PG_BIN_ROOT", tmp_path / "postgresql")
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match=r"pg_dump for PostgreSQL 15 was not found.*postgresql-client-15"):
        backup.pg_tool("pg_dump", 15)

    old = tmp_path / "bin" / "pg_dump"
    old.parent.mkdir()
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 13.4'\n")
    old.chmod(0o755)
    monkeypatch.setattr(backup.shutil, "which", lambda name: str(old))
    with pytest.raises(BackupError, match=r"pg_dump is version 13"):
        backup.pg_tool("pg_dump", 15)
    assert backup.pg_tool("pg_dump", 13) == str(old)

    versioned = tmp_path / "postgresql" / "15" / "bin" / "pg_restore"
    versioned.parent.mkdir(parents=True)
    versioned.write_text("#!/bin/sh\necho 'pg_restore (PostgreSQL) 15.2 (Debian 15.2-1)'\n")
    versioned.chmod(0o755)
    assert backup.pg_tool("pg_restore", 15) == str(versioned)


def test_a_failed_backup_says_why_and_leaves_no_file(database_url, monkeypatch, tmp_path):
    """SQLite: the database file is missing. PostgreSQL: no pg_dump of the server's version is installed."""
    archive = tmp_path / "out" / "helsesak.backup"
    archive.parent.mkdir()
    if make_url(database_url).get_backend_name() == "sqlite":
        url, reason = f"sqlite:///{tmp_path / 'missing.db'}", "missing.db does not exist"
    else:
        monkeypatch.setattr(backup, "PG_BIN_ROOT", tmp_path / "postgresql")
        monkeypatch.setattr(backup.shutil, "which", lambda name: None)
        url, reason = database_url, "pg_dump for PostgreSQL .* was not found"

    with pytest.raises(BackupError, match=reason):
        backup_database(url, archive)
    assert list(archive.parent.iterdir()) == []
