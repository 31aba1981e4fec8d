"""What the benchmarks share: the app on a benchmark database, logged-in clients (in-process, or over HTTP
against a server started here), the bare baseline endpoints (registered here, never in the app), a query
counter, interleaved timing and the result table.

The bare endpoints answer the same requests as the app's pages with hand-written SQL and render the same
templates: no service layer, no Session or identity map, no lazy loading and (for lists) no audit rows.
Their measurements are the baseline each benchmark divides by.
"""
import argparse
import gc
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask import abort, render_template, request  # noqa: E402
from flask_login import current_user, login_required  # noqa: E402

DEFAULT_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/helsesak-bench.db")
BENCH_SECRET_KEY = "bench-only-secret-key-not-for-production-0123456789"
PER_PAGE = 50
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "demo-passord-2026"  # the demo password (README), for every generated login
# The reference of the applications bench/load_office.py registers to decide: not part of the data set's size.
LOAD_REFERENCE_PREFIX = "LAST-"


# The app and its database

def engine_for(database_url: str, *, bulk: bool = False) -> sa.Engine:
    """An engine outside the app (generation, resets); `bulk` trades durability for loading speed."""
    import app.db  # noqa: F401  (the app's SQLite connect/begin listeners: foreign keys, BEGIN)
    if not bulk:
        return sa.create_engine(database_url)
    if database_url.startswith("sqlite"):
        engine = sa.create_engine(database_url)

        # The journal stays in WAL mode (app/db.py sets it on every connection): leaving WAL needs the
        # only connection to the file, and the app's engine that migrated the schema still holds one.
        @sa.event.listens_for(engine, "connect")
        def _fast(dbapi_connection, _record) -> None:
            for pragma in ("synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY"):
                dbapi_connection.execute(f"PRAGMA {pragma}")
        return engine
    return sa.create_engine(database_url, connect_args={"options": "-c synchronous_commit=off"})


def reset_database(database_url: str) -> None:
    """An empty database: the SQLite file removed, or PostgreSQL's public schema dropped and made again."""
    url = sa.engine.make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(url.database + suffix).unlink(missing_ok=True)
        return
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def default_url(size: int) -> str:
    """The SQLite file `make bench` keeps a data set of `size` applications in."""
    return f"sqlite:///{Path(tempfile.gettempdir()) / f'helsesak-bench-{size}.db'}"


def held_size(database_url: str) -> int | None:
    """How many generated applications the database holds (None: no data set there yet)."""
    engine = engine_for(database_url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("abroad_applications"):
                return None
            return connection.execute(sa.text(
                "SELECT count(*) FROM abroad_applications WHERE reference IS NULL OR reference NOT LIKE :load"),
                {"load": f"{LOAD_REFERENCE_PREFIX}%"}).scalar()
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


def load_average() -> str:
    """The machine's 1-minute load average: the benchmarks share it with whatever else runs."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"


def bench_config(database_url: str):
    from config import DevelopmentConfig

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = BENCH_SECRET_KEY
        DOCUMENT_STORAGE = "database"
    return BenchConfig


def create_bench_app(database_url: str | None = None, *, bare_routes: bool = True, upgrade: bool | None = None):
    """The app as `wsgi.py` makes it (development settings, DEBUG off) on the benchmark database, plus
    the bare baseline endpoints under /bench/ when `bare_routes`; an older schema is upgraded first
    (by default when the bare routes are wanted, i.e. for benchmarking)."""
    from app import create_app
    app = create_app(bench_config(database_url or DEFAULT_DATABASE_URL))
    if bare_routes:
        register_bare_routes(app)
    if bare_routes if upgrade is None else upgrade:
        upgrade_schema(app)
    return app


def upgrade_schema(app) -> None:
    """Bring a generated database that predates newer migrations up to the head revision (the data set
    is the benchmarks' own; regenerate it when a migration cannot run on it)."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    from app.extensions import db
    from config import BASE_DIR
    directory = BASE_DIR / "migrations"
    with app.app_context():
        with db.engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_heads()
        heads = ScriptDirectory(str(directory)).get_heads()
        if current and set(current) != set(heads):
            print(f"[bench] upgrading the database schema {', '.join(current)} → {', '.join(heads)}", flush=True)
            with _sqlite_foreign_keys_off(db.engine):
                upgrade(directory=str(directory))


@contextmanager
def _sqlite_foreign_keys_off(engine):
    """SQLite: Alembic's batch mode rebuilds a table by copying it and dropping the old one, which the app's
    PRAGMA foreign_keys=ON refuses once other tables refer to the table's rows (a populated database; the test
    suite's empty ones never notice). Upgrade the benchmark database without the check, as SQLite's own recipe
    for altering tables does, then verify the foreign keys."""
    if engine.dialect.name != "sqlite":
        yield
        return

    def off(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")

    engine.dispose()
    sa.event.listen(engine, "connect", off)
    try:
        yield
    finally:
        sa.event.remove(engine, "connect", off)
        engine.dispose()
    with engine.connect() as connection:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchmany(5)
    if broken:
        raise RuntimeError(f"foreign keys broken after the upgrade: {broken}")


def wsgi_app():
    """For gunicorn: `gunicorn 'bench.harness:wsgi_app()'` (database from $BENCH_DATABASE_URL); what loading made is
    frozen out of the garbage collector's walks, as wsgi.py does."""
    app = create_bench_app(os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL), upgrade=False)
    gc.freeze()
    return app


def dialect_label(app) -> str:
    with app.app_context():
        from app.extensions import db
        return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(db.engine.dialect.name, db.engine.dialect.name)


def dataset_size(app) -> int:
    with app.app_context():
        from app.extensions import db
        return db.session.execute(sa.text("SELECT count(*) FROM abroad_applications")).scalar()


def login_client(app, email: str):
    """A test client with a real server-side login session (as tests/conftest.py's `login` does)."""
    from app.auth.models import User
    from app.auth.services import start_session
    from app.extensions import db
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            raise SystemExit(f"no user {email}: generate the data set first (python -m bench.generate)")
        token = start_session(user)
        db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


def fetch(client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return response.data


# Over HTTP: a server in its own process and browsers as threads

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    """One browser: a cookie jar and a connection that reopens when the server closes it. `source` is the
    loopback address the browser connects from (127.0.0.0/8 is all loopback on Linux), so each simulated user
    has an address of its own, as the caseworkers of an office have (the login limit counts per address)."""

    def __init__(self, port: int, source: str | None = None) -> None:
        self.port = port
        self.source = (source, 0) if source else None
        self.cookies: dict[str, str] = {}
        self.location = ""  # the last response's Location header
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=self.source)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes, float]:
        headers = {"Cookie": "; ".join(f"{key}={value}" for key, value in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # a closed keep-alive connection: open a new one and try once more
            self.connection = self._connect()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        self.location = response.getheader("Location", "")
        return response.status, data, elapsed

    def login(self, email: str, password: str = PASSWORD) -> None:
        status, page, _ = self.request("GET", "/login")
        token = CSRF.search(page.decode())
        if status != 200 or token is None:
            raise RuntimeError(f"GET /login answered {status}")
        status, _, _ = self.request("POST", "/login", urlencode(
            {"email": email, "password": password, "csrf_token": token.group(1)}))
        if status != 302:
            raise RuntimeError(f"login as {email} answered {status} (expected a redirect)")
        status, _, _ = self.request("GET", "/")
        if status != 200:
            raise RuntimeError(f"after logging in as {email}, / answered {status} (is two-factor login required?)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(database_url: str, **more: str) -> dict[str, str]:
    """The environment `make run` gives the app (development settings, FLASK_APP=wsgi), on `database_url`,
    without Redis and without required two-factor login."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "SECRET_KEY")}
    return {**env, "FLASK_APP": "wsgi", "HELSESAK_ENV": "development", "DATABASE_URL": database_url,
            "TOTP_REQUIRED": "0", **more}


def start_server(command: list[str], env: dict[str, str], port: int, log: Path, *,
                 name: str = "the server", wait: float = 180) -> subprocess.Popen:
    """Start `command` (from the repository root, output to `log`) and wait until /helse answers on `port`."""
    with log.open("w") as log_file:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited ({process.returncode}); see {log}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/helse")
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            time.sleep(0.5)
    stop_server(process)
    raise RuntimeError(f"{name} did not answer within {wait:.0f} s; see {log}")


def gunicorn_command(target: str, workers: int, port: int) -> list[str]:
    return [str(Path(sys.executable).parent / "gunicorn"), "--no-control-socket", "--workers", str(workers),
            "--bind", f"127.0.0.1:{port}", "--timeout", "120", target]


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class QueryCounter:
    """Counts the SQL statements the app sends (an SQLAlchemy before_cursor_execute listener)."""

    def __init__(self, app) -> None:
        with app.app_context():
            from app.extensions import db
            self.engine = db.engine
        self.count = 0
        self.statements: list[str] = []

    def _on_execute(self, _connection, _cursor, statement, _parameters, _context, _executemany) -> None:
        self.count += 1
        self.statements.append(statement)

    def __enter__(self) -> "QueryCounter":
        self.count = 0
        self.statements = []
        sa.event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *_exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._on_execute)


class StatementTimer(QueryCounter):
    """Also times each statement (before/after_cursor_execute), to show where a request's SQL time goes."""

    def _on_execute(self, connection, _cursor, statement, _parameters, _context, _executemany) -> None:
        super()._on_execute(connection, _cursor, statement, _parameters, _context, _executemany)
        connection.info.setdefault("bench_started", []).append(time.perf_counter())

    def _on_done(self, connection, _cursor, statement, *_args) -> None:
        self.timings.append(((time.perf_counter() - connection.info["bench_started"].pop()) * 1000, statement))

    def __enter__(self) -> "StatementTimer":
        self.timings: list[tuple[float, str]] = []
        sa.event.listen(self.engine, "after_cursor_execute", self._on_done)
        return super().__enter__()

    def __exit__(self, *exc) -> None:
        super().__exit__(*exc)
        sa.event.remove(self.engine, "after_cursor_execute", self._on_done)

    def report(self, indent: str = "    ") -> str:
        return "\n".join(f"{indent}{milliseconds:9.1f} ms  {' '.join(statement.split())[:110]}"
                         for milliseconds, statement in self.timings)


# Timing

def interleaved(variants: dict[str, Callable[[int], object]], *, rounds: int, warmup: int) -> dict[str, list[float]]:
    """Run every variant once per round, alternating the order (AB, BA, ...), and return milliseconds per call.
    Interleaving spreads drift (other load on the machine, caches, the growing audit table) over all variants.
    Each call gets the round's index (warm-up rounds first), e.g. to pick a different case per round."""
    names = list(variants)
    for index in range(warmup):
        for name in names:
            variants[name](index)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(warmup, warmup + rounds):
        for name in (names if index % 2 == 0 else names[::-1]):
            started = time.perf_counter()
            variants[name](index)
            samples[name].append((time.perf_counter() - started) * 1000)
    return samples


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-int(share * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Row:
    name: str
    samples: list[float]
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 0.95)


def print_table(title: str, rows: list[Row], *, baseline: str, goal: str = "", unit: str = "ms",
                extra_columns: tuple[str, ...] = ()) -> None:
    """Median, p95 and the ratios against the baseline row; the goal is printed next to them, never judged."""
    base = next(row for row in rows if row.name == baseline)
    print(f"\n{title}")
    width = max(len(row.name) for row in rows) + 2
    header = f"  {'':<{width}}{'median':>11}{'p95':>11}{'×median':>9}{'×p95':>8}{'n':>6}"
    widths = {column: max(12, len(column) + 2) for column in extra_columns}  # a long name must not touch its left
    header += "".join(f"{column:>{widths[column]}}" for column in extra_columns)
    print(header)
    for row in rows:
        line = (f"  {row.name:<{width}}{row.median:>8.1f} {unit}{row.p95:>8.1f} {unit}"
                f"{row.median / base.median:>8.2f}×{row.p95 / base.p95:>7.2f}×{len(row.samples):>6}")
        line += "".join(f"{str(row.extra.get(column, '')):>{widths[column]}}" for column in extra_columns)
        if row.note:
            line += f"   {row.note}"
        print(line)
    if goal:
        print(f"  goal: {goal}")


def describe(app, args, what: str) -> str:
    return (f"{what} — {dialect_label(app)}, {dataset_size(app):,} applications, {args.rounds} rounds "
            f"(+{args.warmup} warm-up), interleaved")


STATEMENTS_HELP = "print each variant's SQL statements with their time, for one request"


def bench_arguments(doc: str, *, statements: str | None = None, **defaults) -> argparse.ArgumentParser:
    """A request benchmark's command line: its docstring's first line as the description, the database, rounds,
    warm-up and user every one of them takes, `--statements` (with this help) where the script can print its SQL,
    and `defaults` for a script that runs fewer rounds. The script adds its own arguments."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help=f"the generated database (default $BENCH_DATABASE_URL or {DEFAULT_DATABASE_URL})")
    parser.add_argument("--rounds", type=int, default=200, help="measured rounds per variant")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured rounds first")
    parser.add_argument("--user", default="hso@helsesak.test", help="the caseworker the requests are made as")
    if statements:
        parser.add_argument("--statements", action="store_true", help=statements)
    parser.set_defaults(**defaults)
    return parser


def compare_pages(app, client, urls: dict[str, str], heading: str, args, *, baseline: str, goal: str,
                  same_work: tuple[str, str] | None = None) -> None:
    """The variants' pages (label → URL) as one table: each requested once to warm the client up and once to count
    its SQL statements, then timed interleaved, with the ratio to `baseline`; with --statements, each variant's
    statements of one request follow. `same_work` (candidate, floor) also prints the candidate against the bare
    page that does the same work (a list showing patients must log the read: the floor writes the same audit)."""
    counts = {}
    for label, url in urls.items():
        fetch(client, url)   # the first request of a client loads what every request loads
        with QueryCounter(app) as counter:
            fetch(client, url)
        counts[label] = counter.count
    samples = interleaved({label: (lambda _i, url=url: fetch(client, url)) for label, url in urls.items()},
                          rounds=args.rounds, warmup=args.warmup)
    print_table(heading, [Row(label, samples[label], extra={"queries": counts[label]}) for label in urls],
                baseline=baseline, goal=goal, extra_columns=("queries",))
    if same_work and same_work[1] in samples:
        candidate, floor = (Row(label, samples[label]) for label in same_work)
        print(f"  {candidate.name} ÷ {floor.name}: {candidate.median / floor.median:.2f}× median, "
              f"{candidate.p95 / floor.p95:.2f}× p95 (the same work by hand)")
    if getattr(args, "statements", False):
        for label, url in urls.items():
            with StatementTimer(app) as timer:
                fetch(client, url)
            print(f"  {label}: SQL statements of one request\n{timer.report()}")


# The bare baseline endpoints

def _bind_dates(statement, *names):
    return statement.bindparams(*(sa.bindparam(name, type_=sa.Date) for name in names))


LIST_FILTERS = {
    "stream": "a.stream = :stream",
    "status": "a.status = :status",
    "region": "a.home_region = :region",
    "year": "a.received_on BETWEEN :year_start AND :year_end",
    "flagged": "a.flag IS NOT NULL",
}


def bare_list_query(args, office: str, user_id: int) -> tuple[str, str, dict]:
    """The hand-written SQL for the application list: WHERE clause, whether cases must be joined, parameters."""
    from app.abroad.models import ApplicationStatus, Stream
    from app.core.regions import REGIONS
    clauses, params, join_cases = ["a.office = :office"], {"office": office}, False
    if args.get("stream") in {stream.value for stream in Stream}:
        clauses.append(LIST_FILTERS["stream"])
        params["stream"] = args["stream"]
    if args.get("status") in {status.value for status in ApplicationStatus}:
        clauses.append(LIST_FILTERS["status"])
        params["status"] = args["status"]
    if args.get("region") in REGIONS:
        clauses.append(LIST_FILTERS["region"])
        params["region"] = args["region"]
    if (args.get("year") or "").isdigit():
        clauses.append(LIST_FILTERS["year"])
        params.update(year_start=date(int(args["year"]), 1, 1), year_end=date(int(args["year"]), 12, 31))
    if args.get("flagged"):
        clauses.append(LIST_FILTERS["flagged"])
    if args.get("mine"):
        clauses.append("c.responsible_id = :user_id")
        params["user_id"] = user_id
        join_cases = True
    if (args.get("q") or "").strip():
        clauses.append(_bare_search(args["q"].split(), params))
    return " AND ".join(clauses), join_cases, params


def _bare_search(words: list[str], params: dict) -> str:
    """The search index by hand (migration c81f0a3d5e27): the FTS5 trigram table's MATCH on SQLite (words of
    three characters or more), ILIKE on the pg_trgm-indexed table on PostgreSQL."""
    from app.extensions import db
    if db.session.get_bind().dialect.name == "sqlite":
        params["phrase"] = " AND ".join('"' + word.replace('"', '""') + '"' for word in words)
        return ("a.id IN (SELECT rowid FROM abroad_application_search "
                "WHERE abroad_application_search MATCH :phrase)")
    likes = []
    for index, word in enumerate(words):
        params[f"word{index}"] = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        likes.append(f"search_text ILIKE :word{index}")
    return f"a.id IN (SELECT record_id FROM abroad_application_search WHERE {' AND '.join(likes)})"


def _bare_applications(logged: bool = False):
    """/bench/soknader: the application list's rows, total (capped as the app's) and cursors by hand-written
    SQL, rendered by the same template from the same kind of page object, without the engine or the audit.
    /bench/soknader-logget (`logged`): the same, then the list's audit event and its patients written by hand
    and committed, as the app must (one INSERT each, one commit)."""
    from app.abroad.lists import APPLICATIONS
    from app.abroad.models import ApplicationStatus, Stream
    from app.extensions import db
    from app.listing import TOTAL_CAP, ListPage, Sort

    if current_user.role.value != "abroad_caseworker":
        abort(403)
    where, join_cases, params = bare_list_query(request.args, current_user.office, current_user.id)
    joins = "JOIN cases c ON c.id = a.case_id" if join_cases else ""
    count = db.session.execute(_bind_dates(sa.text(
        f"SELECT count(*) FROM (SELECT a.id FROM abroad_applications a {joins} WHERE {where} "
        f"LIMIT {TOTAL_CAP + 1}) n"), *(name for name in ("year_start", "year_end") if name in params)),
        params).scalar()
    after = _bare_cursor(request.args.get("etter"))
    if after is not None:
        where += " AND (a.received_on, a.id) < (:after_date, :after_id)"
        params.update(after_date=after[0], after_id=after[1])
    statement = sa.text(
        "SELECT a.id, a.case_id, a.reference, a.stream, a.home_region, a.child, a.icd10, a.received_on, a.status, "
        "a.flag, c.number, c.patient_id, c.patient_name "   # the patient as registered with the case
        "FROM abroad_applications a JOIN cases c ON c.id = a.case_id "
        f"WHERE {where} ORDER BY a.received_on DESC, a.id DESC LIMIT :limit"
    ).columns(received_on=sa.Date, child=sa.Boolean)
    statement = _bind_dates(statement, *(name for name in ("year_start", "year_end", "after_date") if name in params))
    rows = db.session.execute(statement, {**params, "limit": PER_PAGE + 1}).all()
    more, rows = len(rows) > PER_PAGE, rows[:PER_PAGE]
    items = [(SimpleNamespace(reference=row.reference, stream=Stream(row.stream), home_region=row.home_region,
                              child=row.child, icd10=row.icd10, received_on=row.received_on,
                              status=ApplicationStatus(row.status), flag=row.flag),
              SimpleNamespace(id=row.case_id, number=row.number, patient_name=row.patient_name)) for row in rows]
    link_args = {key: values for key, values in request.args.lists() if key not in ("etter", "foer")}
    result = ListPage(spec=APPLICATIONS, items=items, total=count, link_args=link_args,
                      sort=Sort(column=APPLICATIONS.column("mottatt"), descending=True),
                      values={key: value for key, value in request.args.items() if key in LIST_FILTERS},
                      next_cursor=_cursor(rows[-1]) if rows and more else None,
                      previous_cursor=_cursor(rows[0]) if rows and after else None)
    page = render_template("abroad/applications.html", result=result, today=date.today())
    if logged:
        bare_list_audit(rows)
    return page


def bare_list_audit(rows, context: str = "abroad_applications") -> None:
    """The list's audit event (its sealed content naming the patients) and its rows in audit_event_patients, by
    hand-written SQL, committed. `rows` carry `patient_id` and `case_id`; `context` names the list."""
    import json

    from app.db import utcnow
    from app.extensions import db
    shown = sorted({(row.patient_id, row.case_id) for row in rows if row.patient_id is not None})
    if not shown:
        return
    session = getattr(current_user, "current_session", None)
    event_id = db.session.execute(sa.text(
        "INSERT INTO audit_events (at, user_id, user_email, role, office, action, object_type, changes, remote_addr, "
        "session_id) VALUES (:at, :user_id, :email, :role, :office, 'list', 'list', :changes, :addr, :session) "
        "RETURNING id"), {
            "at": utcnow(), "user_id": current_user.id, "email": current_user.email, "role": current_user.role.value,
            "office": current_user.office, "addr": request.remote_addr, "session": session.id if session else None,
            "changes": json.dumps({"context": context, "rows": len(rows),
                                   "patients": [list(pair) for pair in shown]})}).scalar_one()
    if db.session.get_bind().dialect.name == "postgresql":   # one statement, as the app sends it
        db.session.execute(sa.text("INSERT INTO audit_event_patients (event_id, patient_id, case_id) SELECT :event, * "
                                   "FROM unnest(CAST(:patients AS integer[]), CAST(:cases AS integer[]))"),
                           {"event": event_id, "patients": [patient for patient, _ in shown],
                            "cases": [case for _, case in shown]})
    else:
        db.session.execute(sa.text("INSERT INTO audit_event_patients (event_id, patient_id, case_id) "
                                   "VALUES (:event, :patient, :case)"),
                           [{"event": event_id, "patient": patient, "case": case} for patient, case in shown])
    db.session.commit()


def _cursor(row) -> str:
    """The app's cursor for a row of the newest-first list (app.listing: the sort, then the key values)."""
    return f"-mottatt~{row.received_on.isoformat()}~{row.id}"


def _bare_cursor(cursor: str | None) -> tuple[date, int] | None:
    parts = (cursor or "").split("~")
    if len(parts) != 3 or parts[0] != "-mottatt":
        return None
    return date.fromisoformat(parts[1]), int(parts[2])


def _transient(model, row, **extra):
    """A model object outside any Session, filled from a result row: the templates' properties work, and
    nothing can lazy-load (unset relationships read as None or empty)."""
    return model(**{**row._asdict(), **extra})


def _bare_case_row(case_id: int):
    """The case, its patient and responsible caseworker, with the access rule folded into the WHERE clause
    (a caseworker sees the abroad cases of their own office)."""
    from app.auth.models import User
    from app.cases.models import Case, Patient
    from app.extensions import db
    case_table, patient_table, user_table = Case.__table__, Patient.__table__, User.__table__
    row = db.session.execute(sa.select(case_table, patient_table.c.id.label("p_id"),
                                       *(column.label(f"p_{column.name}") for column in patient_table.c
                                         if column.name != "id"),
                                       user_table.c.name.label("responsible_name"))
                             .outerjoin(patient_table, patient_table.c.id == case_table.c.patient_id)
                             .outerjoin(user_table, user_table.c.id == case_table.c.responsible_id)
                             .where(case_table.c.id == case_id, case_table.c.unit == current_user.office,
                                    case_table.c.kind.in_(("abroad_application", "abroad_appeal")))).first()
    if row is None:
        abort(404)
    values = row._asdict()
    patient = None
    if values["p_id"] is not None:
        patient = Patient(id=values["p_id"], **{column.name: values[f"p_{column.name}"]
                                                 for column in patient_table.c if column.name != "id"})
    case = Case(**{column.name: values[column.name] for column in case_table.c})
    case.person = patient   # case.patient is the patient as registered with the case (its own columns)
    case.responsible = User(id=values["responsible_id"], name=values["responsible_name"]) \
        if values["responsible_id"] else None
    return case


def _bare_audit(case, object_type: str, object_id, details: dict | None) -> None:
    """The read is logged as the app logs it: one audit row, committed at once."""
    from app.core.audit import AuditEvent
    from app.extensions import db
    db.session.execute(sa.insert(AuditEvent.__table__).values(
        user_id=current_user.id,
        user_email=current_user.email, role=current_user.role.value, office=current_user.office, action="view",
        object_type=object_type, object_id=str(object_id), case_id=case.id, patient_id=case.patient_id,
        changes=details, remote_addr=request.remote_addr,
        session_id=current_user.current_session.id if current_user.current_session else None))
    db.session.commit()


def _bare_application(case_id: int):
    """/bench/soknader/<case_id>: the application page from hand-written SQL, with its audit row."""
    from app.abroad import services
    from app.abroad.models import Appeal, Application, CostEntry, MedicalOpinion
    from app.extensions import db

    if current_user.role.value != "abroad_caseworker":
        abort(403)
    case = _bare_case_row(case_id)
    row = db.session.execute(sa.select(Application.__table__).where(Application.__table__.c.case_id == case.id)).first()
    if row is None:
        abort(404)
    application = _transient(Application, row)
    opinions = db.session.execute(sa.select(MedicalOpinion.__table__).where(
        MedicalOpinion.__table__.c.application_id == application.id).order_by(MedicalOpinion.__table__.c.requested_on))
    costs = db.session.execute(sa.select(CostEntry.__table__).where(
        CostEntry.__table__.c.application_id == application.id).order_by(
            CostEntry.__table__.c.entry_date, CostEntry.__table__.c.id))
    appeals = db.session.execute(sa.select(Appeal.__table__).where(
        Appeal.__table__.c.application_id == application.id).order_by(Appeal.__table__.c.received_on))
    application.opinions = [_transient(MedicalOpinion, opinion) for opinion in opinions]
    application.costs = [_transient(CostEntry, cost) for cost in costs]
    application.appeals = [_transient(Appeal, appeal) for appeal in appeals]
    page = render_template(
        "abroad/application.html", case=case, application=application, editable=True,
        method=services.method_check(application) if application.method_reference else None,
        experimental_notice=services.experimental_notice(application), country_name=services.country_name,
        today=date.today())
    _bare_audit(case, "abroad_application", application.id, {"page": "søknad"})
    return page


def _with_named_user(model, relation: str, case_id: int, order_by: str | None = None) -> list:
    """The case's rows of `model`, each with the user of `relation` (`<relation>_id`) carrying just a name,
    in one joined query: what the detail template reads, without the ORM's lazy loads."""
    from app.auth.models import User
    from app.extensions import db

    table, users = model.__table__, User.__table__
    user_id = table.c[f"{relation}_id"]
    query = (sa.select(table, users.c.name.label("user_name")).outerjoin(users, users.c.id == user_id)
             .where(table.c.case_id == case_id))
    if order_by:
        query = query.order_by(table.c[order_by])
    objects = []
    for row in db.session.execute(query):
        values = row._asdict()
        name = values.pop("user_name")
        instance = model(**values)
        setattr(instance, relation, User(id=values[user_id.name], name=name) if values[user_id.name] else None)
        objects.append(instance)
    return objects


def _bare_case(case_id: int):
    """/bench/saker/<case_id>: the core case page from hand-written SQL (one query per section), with its audit row."""
    from app.cases import services
    from app.cases.models import (
        CaseAssignment,
        CaseStatusChange,
        Deadline,
        Document,
        DocumentVersion,
        JournalEntry,
    )
    from app.extensions import db

    case = _bare_case_row(case_id)
    entries = db.session.execute(sa.select(JournalEntry.__table__).where(
        JournalEntry.__table__.c.case_id == case.id).order_by(JournalEntry.__table__.c.number_in_case))
    case.journal_entries = [_transient(JournalEntry, entry) for entry in entries]
    documents, versions = Document.__table__, DocumentVersion.__table__
    by_document: dict[int, Document] = {}
    for row in db.session.execute(
            sa.select(documents, *(column.label(f"v_{column.name}") for column in versions.c))
            .join(versions, versions.c.document_id == documents.c.id)
            .where(documents.c.case_id == case.id).order_by(documents.c.id, versions.c.version_number)):
        values = row._asdict()
        document = by_document.get(values["id"])
        if document is None:
            document = by_document[values["id"]] = Document(**{column.name: values[column.name]
                                                               for column in documents.c})
            document.versions = []
        document.versions.append(DocumentVersion(**{column.name: values[f"v_{column.name}"] for column in versions.c}))
    case.documents = list(by_document.values())
    case.deadlines = _with_named_user(Deadline, "responsible", case.id, order_by="due_date")
    case.assignments = _with_named_user(CaseAssignment, "user", case.id)
    case.status_changes = _with_named_user(CaseStatusChange, "by", case.id, order_by="id")
    page = render_template("cases/detail.html", case=case, editable=True, today=date.today(),
                           follow_up_methods=services.FOLLOW_UP_METHODS)
    _bare_audit(case, "case", case.id, None)
    return page


def register_bare_routes(app) -> None:
    app.add_url_rule("/bench/soknader", "bench_applications", login_required(_bare_applications))
    app.add_url_rule("/bench/soknader-logget", "bench_applications_logged",
                     login_required(lambda: _bare_applications(logged=True)))
    app.add_url_rule("/bench/soknader/<int:case_id>", "bench_application", login_required(_bare_application))
    app.add_url_rule("/bench/saker/<int:case_id>", "bench_case", login_required(_bare_case))
    from bench.bare_lists import register_bare_lists
    register_bare_lists(app)
