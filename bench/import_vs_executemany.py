"""Bulk import of applications vs a bare executemany of the same rows (quality goal B6).

    .venv/bin/python -m bench.import_vs_executemany --database-url sqlite:////tmp/helsesak-bench.db --size 100000

The candidate is what `flask abroad import-applications FILE` does: app.abroad.importing.run_import() on the
bytes of a generated CSV file (read from disk in the timed call), i.e. reading and parsing the CSV, checking
every row (fødselsnummer check digits, ICD-10, dates, references, existing patients), then writing patients,
cases, applications, the per-year case numbers and one audit row per application in bulk, and committing.

The baseline is a bare DBAPI `executemany` of the same rows, pre-validated and pre-built: the rows the app
wrote in an untimed first import (every column, ids included), read back as tuples and inserted table by table
with one INSERT statement each, then committed. No parsing, no checks, no SQLAlchemy. On PostgreSQL a second
bare variant writes the same tuples with one `COPY ... FROM STDIN` per table (psycopg's write_row), the fastest
bare method and the one the app uses there; the summary line gives the app's ratio to both.

Both write into a scratch database that is restored before every timed call, untimed, so both do the same
work in the same empty tables: the schema at head and the demo users (no cases). It is derived from
--database-url (which the other benchmarks use for the generated data set, left untouched here): the SQLite
file <name>-import.db next to it (copied from <name>-import-template.db), or the PostgreSQL database
<name>_import (made with CREATE DATABASE ... TEMPLATE <name>_import_template; the role needs CREATEDB).

"CPU s" is the median processor time of this process per call (on SQLite that includes the database's own
work; on PostgreSQL the server's is not in it): a figure that other load on the machine disturbs less than the
wall-clock time.

"Memory added" is the peak of the Python heap (tracemalloc) during one more, untimed import, above what was
allocated before it: the file's bytes and everything the import holds at once. It leaves out what the
database library allocates itself (SQLite's page cache, libpq's buffers).

After every timed call the script checks the rows written (counts per table, the sum of the application
references) against the first import: a correctness check, not a timing judgement.
"""
import argparse
import csv
import gc
import random
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.harness import DEFAULT_DATABASE_URL, Row, create_bench_app, print_table  # noqa: E402

COLUMNS = ["reference", "patient_region", "patient_birth_date", "national_id", "stream", "received_date", "icd10",
           "decision", "decision_date", "country", "hospital", "treatment_class", "trial_registry_id",
           "exception_grounds", "approving_body"]
# The tables an application import writes (new hospitals of the register included), in foreign-key order (the
# sequence counters have no id column).
TABLES = ("case_patients", "cases", "abroad_hospitals", "abroad_hospital_names", "abroad_applications", "audit_events")
COUNTERS = "case_sequence_counters"
NOTES = {"run_import (app)": "parse, check, Core inserts, audit", "bare executemany": "pre-built tuples, DBAPI",
         "bare COPY": "pre-built tuples, COPY FROM STDIN"}


# The import file

def import_rows(size: int, *, seed: int = 2026, today: date | None = None) -> list[dict]:
    """`size` valid application rows as a treatment-abroad office's history would hold them, received from 2010
    to yesterday (app.abroad.synthetic, the catalogue the demo's history is made from)."""
    from app.abroad.synthetic import application_rows
    from app.demo import synthetic_national_id
    today = today or date.today()
    return list(application_rows(size, first=date(2010, 1, 1), last=today - timedelta(days=1),
                                 rng=random.Random(seed), national_id_for=synthetic_national_id))


def write_csv(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        writer.writerows([row.get(column, "") for column in COLUMNS] for row in rows)


# The scratch database

class Target:
    """The scratch database both variants write into, restored from a template before every call."""

    def __init__(self, database_url: str, target_url: str | None = None) -> None:
        self.url = sa.engine.make_url(target_url or self._derive(database_url))
        self.sqlite = self.url.get_backend_name() == "sqlite"
        if self.sqlite:
            self.path = Path(self.url.database)
            self.template = self.path.with_name(self.path.stem + "-template" + self.path.suffix)
            self.template_url = self.url.set(database=str(self.template))
        else:
            self.template_name = f"{self.url.database}_template"
            self.template_url = self.url.set(database=self.template_name)
            self.maintenance_url = self.url.set(database="postgres")

    @staticmethod
    def _derive(database_url: str) -> str:
        url = sa.engine.make_url(database_url)
        if url.get_backend_name() == "sqlite":
            path = Path(url.database)
            return str(url.set(database=str(path.with_name(path.stem + "-import" + path.suffix))))
        return str(url.set(database=f"{url.database}_import"))

    @property
    def label(self) -> str:
        return str(self.path) if self.sqlite else f"PostgreSQL database {self.url.database}"

    def _admin(self, *statements: str) -> None:
        engine = sa.create_engine(self.maintenance_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
        engine.dispose()

    def build_template(self) -> dict[str, int]:
        """The schema at head and the demo users, nothing else; returns the highest id per table."""
        from flask_migrate import upgrade

        from bench.generate import _make_users
        from config import BASE_DIR
        if self.sqlite:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(str(self.template) + suffix).unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.template_name}" WITH (FORCE)',
                        f'CREATE DATABASE "{self.template_name}" ENCODING \'UTF8\' TEMPLATE template0')
        app = create_bench_app(self.template_url.render_as_string(hide_password=False), bare_routes=False,
                               upgrade=False)
        with app.app_context():
            from app.extensions import db
            upgrade(directory=str(BASE_DIR / "migrations"))
            db.session.remove()
        _make_users(app)
        with app.app_context():
            from app.extensions import db
            with db.engine.connect() as connection:
                highest = {table: connection.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {table}")).scalar()
                           for table in TABLES}
                if connection.execute(sa.text(f"SELECT count(*) FROM {COUNTERS}")).scalar():
                    raise RuntimeError("the template holds case numbers: it should hold no cases")
            db.session.remove()
            db.engine.dispose()
        return highest

    def restore(self, app) -> None:
        """Throw the app's connections away and put a fresh copy of the template in place."""
        from app.extensions import db
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if self.sqlite:
            for suffix in ("-journal", "-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            shutil.copyfile(self.template, self.path)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.url.database}" WITH (FORCE)',
                        f'CREATE DATABASE "{self.url.database}" TEMPLATE "{self.template_name}"')


# The rows and the bare insert

def written_rows(connection, highest: dict[str, int]) -> dict[str, tuple[list[str], list[tuple]]]:
    """What the import wrote, table by table: the column names and every new row as the driver returns it."""
    from app.extensions import db
    result = {}
    for table in (*TABLES, COUNTERS):
        columns = [column.name for column in db.metadata.tables[table].columns]
        where = f" WHERE id > {int(highest[table])} ORDER BY id" if table in highest else ""
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}{where}")
        result[table] = (columns, cursor.fetchall())
        cursor.close()
    return result


def bare_insert(raw_connection, rows: dict[str, tuple[list[str], list[tuple]]], postgres: bool, *,
                copy: bool = False) -> None:
    """One executemany (or, on PostgreSQL with `copy`, one COPY) per table of the pre-built tuples in one
    transaction, then commit (the app's SQLite connections are in autocommit mode and SQLAlchemy sends BEGIN;
    so does this)."""
    cursor = raw_connection.cursor()
    if not postgres:
        cursor.execute("BEGIN")
    mark = "%s" if postgres else "?"
    for table, (columns, values) in rows.items():
        if values and copy:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as stream:
                for row in values:
                    stream.write_row(row)
        elif values:
            marks = ", ".join([mark] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
    raw_connection.commit()
    cursor.close()


def for_driver(rows: dict[str, tuple[list[str], list[tuple]]], postgres: bool) -> dict:
    """psycopg reads json columns as dicts; to write them back they are wrapped (once, before timing)."""
    if not postgres:
        return rows
    from psycopg.types.json import Json
    return {table: (columns, [tuple(Json(value) if isinstance(value, (dict, list)) else value for value in row)
                              for row in values]) for table, (columns, values) in rows.items()}


def fingerprint(app, highest: dict[str, int]) -> dict[str, int]:
    """Rows per table written since the template, and a checksum of the application references."""
    from app.extensions import db
    with app.app_context():
        with db.engine.connect() as connection:
            found = {table: connection.execute(sa.text(f"SELECT count(*) FROM {table} WHERE id > :id"),
                                               {"id": highest[table]}).scalar() for table in TABLES}
            found[COUNTERS] = connection.execute(
                sa.text(f"SELECT coalesce(sum(last_value), 0) FROM {COUNTERS}")).scalar()
            found["references"] = connection.execute(sa.text(
                "SELECT count(DISTINCT reference) FROM abroad_applications")).scalar()
        db.session.remove()
    return found


# Timing

def peak_memory(call, *, before) -> int:
    """The peak of the Python heap during `call()` (after `before()`), above what was allocated when it began."""
    before()
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        call()
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="the benchmark database; the scratch target is derived from it (see above)")
    parser.add_argument("--target-url", help="the scratch database itself (emptied and overwritten every round)")
    parser.add_argument("--size", type=int, default=100_000, help="applications in the file (default 100,000)")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds per variant (default 5)")
    parser.add_argument("--warmup", type=int, default=0, help="unmeasured rounds after the first import")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one import (the top 25 by time)")
    args = parser.parse_args(argv)
    from app.abroad.importing import run_import
    from app.extensions import db

    target = Target(args.database_url, args.target_url)
    started = time.perf_counter()
    highest = target.build_template()
    csv_path = Path(tempfile.gettempdir()) / f"helsesak-bench-import-{args.size}.csv"
    write_csv(import_rows(args.size, seed=args.seed), csv_path)
    app = create_bench_app(target.url.render_as_string(hide_password=False), bare_routes=False, upgrade=False)
    postgres = not target.sqlite
    prepared = time.perf_counter() - started

    def app_import(_index: int) -> None:
        with app.app_context():
            result = run_import("applications", csv_path.read_bytes(), csv_path.name)
            if not result.ok:
                raise RuntimeError("the import refused the generated file: " + "; ".join(map(str, result.errors[:5])))
            db.session.remove()

    # The first import, untimed: its rows are the baseline's pre-validated rows.
    target.restore(app)
    first_started = time.perf_counter()
    app_import(0)
    first_seconds = time.perf_counter() - first_started
    expected = fingerprint(app, highest)
    if expected["abroad_applications"] != args.size or expected["references"] != args.size:
        raise RuntimeError(f"the first import wrote {expected}, not {args.size:,} applications")
    with app.app_context():
        with db.engine.connect() as connection:
            rows = for_driver(written_rows(connection, highest), postgres)
        db.session.remove()
    memory_added = peak_memory(lambda: app_import(0), before=lambda: target.restore(app))
    if args.profile:
        import cProfile
        import pstats
        target.restore(app)
        profiler = cProfile.Profile()
        profiler.runcall(app_import, 0)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    def bare(_index: int, copy: bool = False) -> None:
        with app.app_context():
            raw = db.engine.raw_connection()   # the app's connect listeners (SQLite: foreign keys on)
            try:
                bare_insert(raw.driver_connection, rows, postgres, copy=copy)
            finally:
                raw.close()

    variants = {"run_import (app)": app_import, "bare executemany": bare}
    if postgres:
        variants["bare COPY"] = lambda index: bare(index, copy=True)
    samples: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for index in range(args.warmup + args.rounds):
        for name in (names if index % 2 == 0 else names[::-1]):
            target.restore(app)
            begun, begun_cpu = time.perf_counter(), time.process_time()
            variants[name](index)
            elapsed, elapsed_cpu = time.perf_counter() - begun, time.process_time() - begun_cpu
            found = fingerprint(app, highest)
            if found != expected:
                raise AssertionError(f"{name} wrote {found}, the first import {expected}")
            if index >= args.warmup:
                samples[name].append(elapsed)
                cpu[name].append(elapsed_cpu)
    database = "SQLite" if target.sqlite else "PostgreSQL"
    counts = ", ".join(f"{expected[table]:,} {table}" for table in TABLES)
    print(f"Import of {args.size:,} applications from CSV ({csv_path.stat().st_size / 1e6:.1f} MB) — {database}, "
          f"into {target.label} (schema at head, demo users, restored before every call), {args.rounds} rounds "
          f"(+{args.warmup} warm-up), interleaved")
    print(f"  both variants wrote the same rows every round: {counts}; first (untimed) import "
          f"{first_seconds:.1f} s; preparation {prepared:.0f} s")
    rows_out = [Row(name, samples[name], note=NOTES[name]) for name in variants]
    for row in rows_out:
        row.extra["rows/s"] = f"{args.size / row.median:,.0f}"
        row.extra["CPU s"] = f"{statistics.median(cpu[row.name]):.1f}"
    print_table("CSV file → tables, committed", rows_out, baseline="bare executemany", unit="s",
                extra_columns=("rows/s", "CPU s"),
                goal="≥ 25,000 rows/s and ≤ 2× bare executemany at 100,000 rows (issue 15; B6: ≤ 4×, < 20 s)")
    app_row, bare_row, *copy_row = rows_out
    versus_copy = "".join(f", {app_row.median / row.median:.2f}× bare COPY ({args.size / row.median:,.0f} rows/s)"
                          for row in copy_row)
    print(f"  run_import: {args.size / app_row.median:,.0f} rows/s, {app_row.median / bare_row.median:.2f}× bare "
          f"executemany ({args.size / bare_row.median:,.0f} rows/s){versus_copy}; memory added "
          f"{memory_added / 2**20:.1f} MiB (Python heap, peak)")
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
