"""Backups of the database, and restores into a new one: `flask backup` and `flask restore`.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies the whole database in one step under a
shared lock, so the copy is one consistent snapshot even while the app writes (a writer waits for the copy,
within its busy timeout). PostgreSQL: `pg_dump --format=custom` from a snapshot this module exports, so the
checksums printed with `--checksums` describe exactly the rows in the dump; `pg_restore --no-owner` restores
into a new, empty database, in one transaction.

A restore never writes over a database that holds anything. Afterwards it checks the restored database
(SQLite: `PRAGMA integrity_check` and `foreign_key_check`; PostgreSQL: every table readable, every constraint
validated, every index valid) and prints each table's row count and a SHA-256 over its rows in key order,
the same summary `flask backup --checksums` prints for the snapshot it saved.
"""
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from base64 import b64encode
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.pool import NullPool

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"
PG_BIN_ROOT = Path("/usr/lib/postgresql")   # Debian: one bin/ per installed major version


class BackupError(Exception):
    """An expected failure (a missing tool, an unreadable file, a database that is not empty); the CLI
    prints the message, without a traceback, and exits 1."""


@dataclass(frozen=True)
class TableSummary:
    rows: int
    sha256: str


# ---------- checksums ----------

def _plain(value):
    """A value as JSON can hold it, the same whichever driver returned it."""
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo else value).isoformat()
    if isinstance(value, (date, time, Decimal, UUID, timedelta)):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "b64:" + b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"cannot checksum a {type(value).__name__}")


def rows_summary(connection: Connection, query) -> TableSummary:
    """Row count and SHA-256 over the rows `query` returns (one canonical JSON line per row), streamed."""
    digest = hashlib.sha256()
    count = 0
    result = connection.execute(query, execution_options={"stream_results": True, "yield_per": 2000})
    for row in result:
        digest.update(json.dumps(list(row), default=_plain, sort_keys=True, ensure_ascii=False,
                                 separators=(",", ":")).encode("utf-8"))
        digest.update(b"\n")
        count += 1
    return TableSummary(count, digest.hexdigest())


def table_query(connection: Connection, name: str):
    """Every row of table `name`, untyped (the driver's own values), ordered by the primary key, or by
    every column's text when there is none (any order will do as long as it is the same every time)."""
    inspector = sa.inspect(connection)
    columns = [column["name"] for column in inspector.get_columns(name)]
    key = [sa.column(column) for column in inspector.get_pk_constraint(name).get("constrained_columns") or ()]
    order = key or [sa.cast(sa.column(column), sa.Text) for column in columns]
    return sa.select(*(sa.column(column) for column in columns)).select_from(sa.table(name)).order_by(*order)


def summarize_connection(connection: Connection) -> dict[str, TableSummary]:
    """Rows and checksum of every table in the default schema, by table name."""
    names = sorted(sa.inspect(connection).get_table_names())
    return {name: rows_summary(connection, table_query(connection, name)) for name in names}


def summarize(url: str | URL) -> dict[str, TableSummary]:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return summarize_connection(connection)
    finally:
        engine.dispose()


def format_summary(summary: dict[str, TableSummary]) -> list[str]:
    width = max([len("table"), *map(len, summary)])
    lines = [f"{'table':<{width}}  {'rows':>10}  sha256"]
    lines += [f"{name:<{width}}  {table.rows:>10}  {table.sha256}" for name, table in summary.items()]
    return lines


# ---------- integrity ----------

def integrity_problems(url: str | URL) -> list[str]:
    """What is wrong with the database at `url`; empty when it passes the checks."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                problems = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")
                            if row[0] != "ok"]
                problems += [f"foreign key violation: {row[0]} row {row[1]} refers to a missing {row[2]} row"
                             for row in connection.exec_driver_sql("PRAGMA foreign_key_check")]
                return problems
            problems = [f"constraint {name} on {table} is not validated" for name, table in connection.exec_driver_sql(
                "SELECT c.conname, c.conrelid::regclass::text FROM pg_constraint c "
                "JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE NOT c.convalidated AND n.nspname NOT IN ('pg_catalog', 'information_schema')")]
            problems += [f"index {name} is not valid" for (name,) in connection.exec_driver_sql(
                "SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE NOT (i.indisvalid AND i.indisready) AND n.nspname NOT IN ('pg_catalog', 'information_schema')")]
            for name in sa.inspect(connection).get_table_names():   # every table answers; the summary reads each row
                connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
            return problems
    finally:
        engine.dispose()


# ---------- URLs and files ----------

def _parse(url: str | URL) -> URL:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        raise BackupError(f"Not a database URL: {url!r}.") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"Only SQLite and PostgreSQL databases can be backed up, not {parsed.get_backend_name()}.")
    return parsed


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:") or url.database.startswith("file:"):
        raise BackupError("An in-memory SQLite database cannot be backed up or restored; give a file.")
    return Path(url.database).resolve()


def _sqlite_uri(path: Path, mode: str) -> str:
    return f"{path.as_uri()}?mode={mode}"


def _header(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror or error}.") from None


def _fresh_output(output: Path) -> Path:
    """A temporary name next to `output`; the finished copy is renamed into place."""
    if output.exists():
        raise BackupError(f"{output} already exists; give a new file name (backups are never overwritten).")
    if not output.parent.is_dir():
        raise BackupError(f"The directory {output.parent} does not exist.")
    return output.with_name(f".{output.name}.partial")


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def display(url: str | URL) -> str:
    return _parse(url).render_as_string(hide_password=True)


# ---------- SQLite ----------

def _sqlite_copy(source: sqlite3.Connection, target_path: Path) -> None:
    with closing(sqlite3.connect(target_path)) as target:
        source.backup(target)   # pages=-1: the whole database in one step, one consistent snapshot
        problems = [row[0] for row in target.execute("PRAGMA integrity_check") if row[0] != "ok"]
    if problems:
        raise BackupError("The copy failed the integrity check: " + "; ".join(problems[:5]))


def _sqlite_backup(url: URL, output: Path, checksums: bool) -> dict[str, TableSummary] | None:
    source_path = _sqlite_path(url)
    if not source_path.is_file():
        raise BackupError(f"The database file {source_path} does not exist.")
    partial = _fresh_output(output)
    try:
        with closing(sqlite3.connect(_sqlite_uri(source_path, "ro"), uri=True)) as source:
            _sqlite_copy(source, partial)
        summary = summarize(f"sqlite:///{partial}") if checksums else None
        os.replace(partial, output)
    except sqlite3.Error as error:
        raise BackupError(f"Could not back up {source_path}: {error}.") from None
    finally:
        _remove(partial)
    return summary


def _sqlite_restore(backup_file: Path, url: URL) -> None:
    target_path = _sqlite_path(url)
    if target_path.exists() and target_path.stat().st_size:
        if _header(target_path) != SQLITE_HEADER:
            raise BackupError(f"{target_path} exists and is not an SQLite database; restore into a new file.")
        with closing(sqlite3.connect(_sqlite_uri(target_path, "ro"), uri=True)) as existing:
            if existing.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise BackupError(f"The database {target_path} is not empty; restore into a new, empty database.")
    if not target_path.parent.is_dir():
        raise BackupError(f"The directory {target_path.parent} does not exist.")
    partial = target_path.with_name(f".{target_path.name}.partial")
    try:
        with closing(sqlite3.connect(_sqlite_uri(backup_file, "ro"), uri=True)) as source:
            _sqlite_copy(source, partial)
        os.replace(partial, target_path)
    except sqlite3.Error as error:
        raise BackupError(f"Could not restore {backup_file}: {error}.") from None
    finally:
        _remove(partial)


# ---------- PostgreSQL ----------

def _tool_major(tool: str) -> int | None:
    try:
        version = subprocess.run([tool, "--version"], check=False, capture_output=True, text=True,
                                 timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\)\s*(\d+)", version)
    return int(match.group(1)) if match else None


def pg_tool(name: str, server_major: int) -> str:
    """`pg_dump` or `pg_restore` able to handle a server of `server_major`: the server's own version's
    (Debian keeps each under /usr/lib/postgresql/<major>/bin), else one on PATH that is not older."""
    candidates = [str(PG_BIN_ROOT / str(server_major) / "bin" / name)]
    if found := shutil.which(name):
        candidates.append(found)
    tried = []
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            major = _tool_major(candidate)
            if major is not None and major >= server_major:
                return candidate
            tried.append(f"{candidate} is version {major or 'unknown'}")
    raise BackupError(
        f"{name} for PostgreSQL {server_major} was not found"
        + (f" ({'; '.join(tried)})" if tried else "")
        + f". Install the client tools of the server's version (Debian: apt-get install postgresql-client-"
          f"{server_major}) or put a {name} of version {server_major} or newer on PATH.")


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        result = subprocess.run(command, check=False, env=env, capture_output=True, text=True)
    except OSError as error:
        raise BackupError(f"Could not run {command[0]}: {error.strerror or error}.") from None
    if result.returncode:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip() or 'no message'}")


def _pg_connect(engine: sa.Engine, url: URL) -> Connection:
    try:
        return engine.connect()
    except sa.exc.OperationalError as error:
        reason = str(error.orig or error).strip().splitlines()[0]
        raise BackupError(f"Cannot connect to {display(url)}: {reason}") from None


def _pg_backup(url: URL, output: Path, checksums: bool) -> dict[str, TableSummary] | None:
    partial = _fresh_output(output)
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with _pg_connect(engine, url) as connection:
            pg_dump = pg_tool("pg_dump", engine.dialect.server_version_info[0])
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
                conninfo, env = _libpq(url)
                # The dump sees the snapshot this transaction exported; it stays open until the dump is done.
                _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={partial}",
                      f"--dbname={conninfo}"], env, "pg_dump")
                summary = summarize_connection(connection) if checksums else None
        os.replace(partial, output)
    finally:
        engine.dispose()
        _remove(partial)
    return summary


def _pg_restore(backup_file: Path, url: URL) -> None:
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with _pg_connect(engine, url) as connection:
            pg_restore = pg_tool("pg_restore", engine.dialect.server_version_info[0])
            objects = connection.exec_driver_sql(
                "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "        AND n.nspname !~ '^pg_(toast|temp)') "
                "     + (SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('public', 'pg_catalog', "
                "        'information_schema') AND nspname !~ '^pg_(toast|temp)')").scalar_one()
        if objects:
            raise BackupError(f"The database {display(url)} is not empty; restore into a new, empty database "
                              "(e.g. createdb -T template0 <name>).")
        conninfo, env = _libpq(url)
        _run([pg_restore, "--no-owner", "--exit-on-error", "--single-transaction", "--no-password",
              f"--dbname={conninfo}", str(backup_file)], env, "pg_restore")
    finally:
        engine.dispose()


# ---------- the operations ----------

def backup_database(url: str | URL, output: str | Path, *, checksums: bool = False) -> dict[str, TableSummary] | None:
    """Back up the database at `url` to the new file `output`; with `checksums`, return the summary of the
    snapshot that was saved."""
    parsed, output = _parse(url), Path(output).resolve()
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_backup(parsed, output, checksums)
    return _pg_backup(parsed, output, checksums)


def restore_database(backup_file: str | Path, url: str | URL) -> None:
    """Restore `backup_file` into the new, empty database at `url`."""
    parsed, backup_file = _parse(url), Path(backup_file).resolve()
    header = _header(backup_file)
    kind = "sqlite" if header == SQLITE_HEADER else "postgresql" if header.startswith(PG_CUSTOM_HEADER) else None
    if kind is None:
        raise BackupError(f"{backup_file} is neither an SQLite database nor a pg_dump custom-format archive.")
    if kind != parsed.get_backend_name():
        source = "an SQLite database" if kind == "sqlite" else "a PostgreSQL (pg_dump) archive"
        wanted = "an SQLite" if kind == "sqlite" else "a PostgreSQL"
        raise BackupError(f"{backup_file} is {source}; restore it into {wanted} database, "
                          f"not {parsed.get_backend_name()}.")
    if kind == "sqlite":
        _sqlite_restore(backup_file, parsed)
    else:
        _pg_restore(backup_file, parsed)


# ---------- the commands ----------

def _echo_summary(summary: dict[str, TableSummary]) -> None:
    for line in format_summary(summary):
        click.echo(line)


@click.command("backup")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--checksums", is_flag=True, help="Print each table's row count and SHA-256 in the saved snapshot.")
@with_appcontext
def backup_command(output: Path, checksums: bool) -> None:
    """Back up the configured database (SQLALCHEMY_DATABASE_URI) to the new file OUTPUT.

    SQLite: an online backup, safe while the app writes. PostgreSQL: pg_dump --format=custom."""
    from flask import current_app

    from app.extensions import db

    url = db.engine.url
    try:
        summary = backup_database(url, output, checksums=checksums)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {display(url)} to {output.resolve()} ({output.stat().st_size:,} bytes).")
    if summary is not None:
        _echo_summary(summary)
    if current_app.config.get("DOCUMENT_STORAGE") == "local":
        click.echo(f"Documents are files under {current_app.config['DOCUMENT_DIR']}: back that directory up too "
                   "(files never change; each is named by its SHA-256).")


@click.command("restore")
@click.argument("backup_file", metavar="BACKUP", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--database-url", required=True,
              help="The new, empty database to restore into, e.g. postgresql+psycopg://user@host/helsesak_restore "
                   "or sqlite:////srv/helsesak/restored.db.")
@with_appcontext
def restore_command(backup_file: Path, database_url: str) -> None:
    """Restore BACKUP (made by `flask backup`) into a new, empty database, check it and print each table's
    row count and SHA-256. Refuses a database that is not empty."""
    try:
        restore_database(backup_file, database_url)
        click.echo(f"Restored {backup_file.resolve()} into {display(database_url)}.")
        problems = integrity_problems(database_url)
        summary = summarize(database_url)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    _echo_summary(summary)
    if problems:
        for problem in problems:
            click.echo(f"Integrity problem: {problem}", err=True)
        raise click.ClickException(f"The restored database failed the integrity check ({len(problems)} problems).")
    check = ("PRAGMA integrity_check, foreign_key_check" if _parse(database_url).get_backend_name() == "sqlite"
             else "constraints validated, indexes valid, every table read")
    click.echo(f"Integrity check: ok ({check}; {sum(t.rows for t in summary.values()):,} rows "
               f"in {len(summary)} tables).")
