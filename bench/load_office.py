"""An office at work: N caseworkers at once against the app as it is deployed, for a fixed time.

    .venv/bin/python -m bench.load_office --size 20000 --seconds 30                    # 8 users, `flask run`
    .venv/bin/python -m bench.load_office --size 20000 --seconds 30 \\
        --database-url postgresql+psycopg://helsesak:helsesak@127.0.0.1:5432/helsesak_bench   # 32 users, gunicorn

The server is started the way people run it, never with the benchmark's own routes: on SQLite as `make run`
does (`flask run`, development settings, no Redis), on PostgreSQL as gunicorn with 4 sync workers (`wsgi:app`,
same settings). The data set is bench/generate.py's; it is generated when the database holds none.

Each simulated user is a caseworker of one office with an account of its own (made here through the app's
account service when missing), its own session (one login through /login) and its own loopback address. Each
works without pause over a mix of the office's daily work: the application list (with and without a filter),
application pages, core case pages, and three form posts with the CSRF token read from the form page, then
the redirect followed: a cost entry on a granted application, a medical-opinion request on an open one and a
decision (a refusal, with its PDF letter) on a received one. The cases are chosen before the clock starts, one
set per user so that no two users change the same case; applications for the decisions are registered through
the app's service when the office has too few received ones (their reference starts with LAST-, and they do
not count towards the data set's size). Each user draws its next action by weight until the time is up
(`--each-first`: first each action once, however long that takes; the smoke test's way to reach every kind).

Prints requests per second, p50 (median), p95 and p99 per kind and overall, and the errors per kind: a status
other than the expected one, a form post that answers its form again (with the message it shows) and a
connection that failed twice. The server's log is kept; its path is printed, with the warnings and errors
in it. Figures are printed, never judged; the exit status is 1 when any request failed.
"""
import argparse
import html
import math
import os
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402

from bench.harness import (  # noqa: E402
    CSRF,
    LOAD_REFERENCE_PREFIX,
    PASSWORD,
    Client,
    Row,
    create_bench_app,
    default_url,
    free_port,
    gunicorn_command,
    held_size,
    load_average,
    percentile,
    print_table,
    server_environment,
    start_server,
    stop_server,
    upgrade_schema,
)

# How often each action is drawn. A post is three requests: the form page, the post, the application page
# it redirects to (counted with the application pages).
MIX = {"list": 20, "list filtered": 15, "application": 30, "case": 15, "cost": 8, "opinion": 7, "decision": 5}
POSTS = ("cost", "opinion", "decision")
KINDS = ("list", "list filtered", "application", "case", *(f"{post} {step}" for post in POSTS
                                                          for step in ("form", "post")))
LIST_FILTERS = ("status=received", "status=in_preparation", "status=granted", "region=helse-nord", "stream=pgd",
                "year={year}", "mine=y", "q=Hansen", "status=granted&region=helse-sor-ost")
READ_SAMPLE = 2000  # application pages and case pages are drawn from this many of the office's applications
# What a page says went wrong: a form's error summary, an error flash, or an error page's heading.
SHOWN_ERROR = re.compile(r'<div class="error-summary".*?<ul>(.*?)</ul>|<div class="alert alert-error"[^>]*>(.*?)</div>'
                         r'|<h1>(.*?)</h1>', re.S)
# What the server logged: the app's warnings and errors (Flask's and gunicorn's formats), exception lines.
LOGGED = re.compile(r"(?:\] |\[)(?:WARNING|ERROR|CRITICAL)\]?(?: in \w+:)? (.+)|^(\w[\w.]*(?:Error|Exception)\b.*)")


def user_email(number: int) -> str:
    return f"last{number}@helsesak.test"


# Before the clock starts: accounts and cases

@dataclass
class Plan:
    """One user's share of the office's cases: the ones only this user changes, and the ones everybody reads."""
    email: str
    source: str
    decide: list[int] = field(default_factory=list)   # case ids of received applications
    opinion: list[int] = field(default_factory=list)  # case ids of open applications
    cost: list[int] = field(default_factory=list)     # case ids of granted applications
    read: list[int] = field(default_factory=list)


def ensure_users(app, office: str, count: int) -> list[str]:
    """Caseworker accounts last1..lastN of `office`, made through the app's account service when missing."""
    from app.auth.models import User
    from app.auth.services import create_user
    from app.core.roles import Role
    from app.extensions import db
    emails = [user_email(number) for number in range(1, count + 1)]
    with app.app_context():
        existing = {email: office_ for email, office_ in db.session.execute(
            sa.select(User.email, User.office).where(User.email.in_(emails)))}
        for number, email in enumerate(emails, 1):
            if email not in existing:
                create_user(email=email, name=f"Lasttest {number}", role=Role.ABROAD_CASEWORKER, office=office,
                            password=PASSWORD)
            elif existing[email] != office:
                raise SystemExit(f"{email} belongs to {existing[email]}, not {office}: choose that --office")
        db.session.commit()
        db.session.remove()
    return emails


def _register_received(actor, count: int, stamp: str, today: date) -> None:
    """Applications as the office receives them (through the registration service), for decisions."""
    from app.abroad import services
    from app.abroad.commands import NewApplication
    from app.abroad.models import Stream, TreatmentClass
    region = actor.office  # each office handles its own region's patients (and Helse Sør-Øst Helse Nord's)
    for number in range(count):
        services.register_application(NewApplication(
            national_id=None, patient_name=f"Lasttest Pasient {number + 1}", birth_date=date(1980, 1, 1) + timedelta(
                days=number % 9000), municipality=None, home_region=region, stream=Stream.APPLICATION,
            received_on=today - timedelta(days=14), reference=f"{LOAD_REFERENCE_PREFIX}{stamp}-{number + 1}",
            referring_doctor="Lasttest Lege", requested_treatment="Behandling ved spesialsenter i utlandet",
            treatment_class=TreatmentClass.ESTABLISHED, icd10="C71.9"), actor=actor)


def plan_work(app, emails: list[str], office: str, *, decisions: int, opinions: int, costs: int,
              seed: int) -> list[Plan]:
    """Split the office's cases between the users (decisions on received applications, opinion requests on
    other open ones, costs on granted ones), registering received applications when too few are left."""
    from app.abroad.models import Application, ApplicationStatus
    from app.auth.models import User
    from app.extensions import db
    rng = random.Random(seed)
    today = date.today()

    def case_ids(*statuses: ApplicationStatus) -> list[int]:
        return list(db.session.scalars(sa.select(Application.case_id).where(
            Application.office == office, Application.status.in_(statuses),
            Application.received_on <= today).order_by(Application.case_id)))

    with app.app_context():
        received = case_ids(ApplicationStatus.RECEIVED)
        preparing = case_ids(ApplicationStatus.IN_PREPARATION)
        wanted = len(emails) * (decisions + opinions) - len(received) - len(preparing)
        if len(received) < len(emails) * decisions:
            wanted = max(wanted, len(emails) * decisions - len(received))
        if wanted > 0:
            actor = db.session.scalar(sa.select(User).where(User.email == emails[0]))
            _register_received(actor, wanted, f"{time.time_ns():x}", today)
            db.session.commit()
            print(f"[load] registered {wanted} received applications for the decisions and opinion requests",
                  flush=True)
            received = case_ids(ApplicationStatus.RECEIVED)
        granted = case_ids(ApplicationStatus.GRANTED)
        everything = list(db.session.scalars(sa.select(Application.case_id).where(Application.office == office)))
        db.session.remove()
    if len(granted) < len(emails):
        raise SystemExit(f"{office} has {len(granted)} granted applications; the cost entries need {len(emails)}")
    rng.shuffle(received)
    rng.shuffle(granted)
    decide, rest = received[:len(emails) * decisions], received[len(emails) * decisions:]
    open_pool = preparing + rest
    rng.shuffle(open_pool)
    reads = rng.sample(everything, min(READ_SAMPLE, len(everything)))
    plans = []
    for index, email in enumerate(emails):
        plans.append(Plan(
            email=email, source=f"127.0.{1 + index // 250}.{1 + index % 250}",
            decide=decide[index::len(emails)], opinion=open_pool[index::len(emails)][:opinions],
            cost=granted[index::len(emails)][:costs], read=reads))
    return plans


# The clock runs: one thread per user

@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    errors: dict[str, Counter] = field(default_factory=lambda: {kind: Counter() for kind in KINDS})
    examples: dict[str, str] = field(default_factory=dict)  # the first message seen for each kind of error

    def merge(self, other: "Tally") -> None:
        for kind in KINDS:
            self.latencies[kind] += other.latencies[kind]
            self.errors[kind].update(other.errors[kind])
        for key, message in other.examples.items():
            self.examples.setdefault(key, message)


def _shown_error(page: bytes) -> str:
    """The form's error summary, the error flash or the error page's heading, as text."""
    match = SHOWN_ERROR.search(page.decode(errors="replace"))
    if match is None:
        return "no error message on the page"
    text = re.sub(r"<[^>]+>", " ", next(group for group in match.groups() if group is not None))
    return " ".join(html.unescape(text).split())[:200]


class User:
    """One caseworker working through the mix; every request is timed and checked."""

    def __init__(self, plan: Plan, port: int, seed: int, year: int) -> None:
        self.plan = plan
        self.client = Client(port, source=plan.source)
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.year = year
        self.posted = 0

    def login(self) -> None:
        self.client.login(self.plan.email)

    def _request(self, kind: str, method: str, path: str, body: str | None = None, *,
                 expect: int = 200) -> bytes | None:
        try:
            status, page, elapsed = self.client.request(method, path, body)
        except OSError as error:  # refused or reset twice (the client retries once)
            self._error(kind, f"connection: {type(error).__name__}", f"{method} {path}: {error}")
            return None
        self.tally.latencies[kind].append(elapsed)
        if status == expect:
            return page
        if method == "POST" and status == 200:
            self._error(kind, "form refused", f"POST {path}: «{_shown_error(page)}»")
        else:
            self._error(kind, f"HTTP {status}", f"{method} {path}: «{_shown_error(page)}»")
        return None

    def _error(self, kind: str, label: str, example: str) -> None:
        self.tally.errors[kind][label] += 1
        self.tally.examples.setdefault(f"{kind}: {label}", example)

    def _post(self, name: str, form_path: str, fields: dict[str, str], case_id: int) -> None:
        page = self._request(f"{name} form", "GET", form_path)
        if page is None:
            return
        token = CSRF.search(page.decode(errors="replace"))
        if token is None:
            self._error(f"{name} form", "no CSRF token", f"GET {form_path}")
            return
        if self._request(f"{name} post", "POST", form_path, urlencode({**fields, "csrf_token": token.group(1)}),
                         expect=302) is None:
            return
        location = urlsplit(self.client.location)
        if not location.path.endswith(f"/utland/soknader/{case_id}"):
            self._error(f"{name} post", "unexpected redirect", f"POST {form_path} → {self.client.location}")
            return
        self._request("application", "GET", location.path)

    def act(self, action: str) -> None:
        rng, today = self.rng, date.today()
        if action == "list":
            self._request("list", "GET", "/utland/soknader")
        elif action == "list filtered":
            self._request("list filtered", "GET",
                          "/utland/soknader?" + rng.choice(LIST_FILTERS).format(year=self.year - rng.randrange(3)))
        elif action == "application":
            self._request("application", "GET", f"/utland/soknader/{rng.choice(self.plan.read)}")
        elif action == "case":
            self._request("case", "GET", f"/saker/{rng.choice(self.plan.read)}")
        elif action == "cost":
            case_id = rng.choice(self.plan.cost)
            self.posted += 1
            self._post("cost", f"/utland/soknader/{case_id}/kostnader/ny", {
                "entry_date": f"{today:%d.%m.%Y}", "category": rng.choice(("treatment", "travel", "stay", "other")),
                "amount": f"{rng.randrange(500, 250_000)},{rng.randrange(100):02d}", "currency": "NOK",
                "exchange_rate": "", "invoice_reference": f"LAST-{self.plan.email.split('@')[0]}-{self.posted}"},
                case_id)
        elif action == "opinion":
            case_id = rng.choice(self.plan.opinion)
            self._post("opinion", f"/utland/soknader/{case_id}/uttalelser/ny", {
                "requested_from": "Fostermedisin, Oslo universitetssykehus",
                "question": "Er behandlingen i utlandet nødvendig, og finnes et likeverdig tilbud i Norge?",
                "requested_on": f"{today:%d.%m.%Y}", "due_on": f"{today + timedelta(days=21):%d.%m.%Y}"}, case_id)
        elif action == "decision":
            case_id = self.plan.decide.pop()
            self._post("decision", f"/utland/soknader/{case_id}/vedtak", {
                "decision": "denied", "decided_on": f"{today:%d.%m.%Y}",
                "legal_basis": "Pasient- og brukerrettighetsloven § 2-4a andre ledd, jf. prioriteringsforskriften § 3",
                "reasoning": "Det finnes et likeverdig behandlingstilbud i Norge, jf. uttalelsen fra fagmiljøet."},
                case_id)

    def choices(self) -> list[str]:
        return [action for action in MIX if (action != "decision" or self.plan.decide)
                and (action != "opinion" or self.plan.opinion)]

    def warm_up(self) -> None:
        """One unmeasured request of each page (templates compiled, every worker's caches filled)."""
        for path in ("/utland/soknader", f"/utland/soknader/{self.plan.read[0]}", f"/saker/{self.plan.read[0]}",
                     f"/utland/soknader/{self.plan.cost[0]}/kostnader/ny"):
            self.client.request("GET", path)

    def work(self, start: threading.Barrier, deadline: list[float], each_first: bool) -> None:
        start.wait()
        stop = deadline[0]
        first = self.choices() if each_first else []  # from a different place in the list for each user
        turn = self.rng.randrange(len(first)) if first else 0
        first = first[turn:] + first[:turn]
        while first or time.monotonic() < stop:
            actions = self.choices()
            action = first.pop(0) if first else self.rng.choices(actions, weights=[MIX[a] for a in actions])[0]
            if action in actions:
                self.act(action)


def run_users(users: list[User], seconds: float, each_first: bool = False) -> tuple[Tally, float]:
    """All users start together and work for `seconds`; an action under way then is finished and counted."""
    start = threading.Barrier(len(users) + 1)
    deadline = [0.0]
    threads = [threading.Thread(target=user.work, args=(start, deadline, each_first)) for user in users]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + seconds
    started = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    total = Tally()
    for user in users:
        total.merge(user.tally)
    return total, elapsed


# The server

def start_app(server: str, database_url: str, port: int, workers: int, log: Path, documents: Path):
    env = server_environment(database_url, DOCUMENT_DIR=str(documents))
    if server == "flask":
        command = [str(Path(sys.executable).parent / "flask"), "run", "--host", "127.0.0.1", "--port", str(port)]
        return start_server(command, env, port, log, name="flask run")
    return start_server(gunicorn_command("wsgi:app", workers, port), env, port, log, name="gunicorn")


def server_errors(log: Path) -> list[str]:
    """The warnings, errors and exception lines (the last line of each traceback) in the server's log."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    found = (LOGGED.search(line.strip()) for line in lines)
    return [next(group for group in match.groups() if group is not None) for match in found if match]


# The report

def report(tally: Tally, seconds: float) -> int:
    rows = []
    every: list[float] = []
    errors_total = 0
    for kind in KINDS:
        samples, errors = tally.latencies[kind], tally.errors[kind]
        errors_total += sum(errors.values())
        every += samples
        if not samples:
            print(f"  {kind}: no answered request ({sum(errors.values())} errors)")
            continue
        rows.append(_row(kind, samples, errors, seconds))
    if not every:
        print("  no request was answered")
        return errors_total
    overall = Counter()
    for errors in tally.errors.values():
        overall.update(errors)
    rows.append(_row("all", every, overall, seconds))
    print_table("client-side latency per request kind (loopback)", rows, baseline="all",
                extra_columns=("p99", "req/s", "errors"),
                goal="0 errors at 8 users on SQLite (flask run) and at 32 users on PostgreSQL (gunicorn, 4 workers)")
    requests = len(every) + sum(count for label, count in overall.items() if label.startswith("connection"))
    print(f"  errors: {errors_total} of {requests} requests")
    for key, example in sorted(tally.examples.items()):
        print(f"    {key} — e.g. {example}")
    return errors_total


def _row(kind: str, samples: list[float], errors: Counter, seconds: float) -> Row:
    row = Row(kind, samples, note=", ".join(f"{label} ×{count}" for label, count in errors.most_common()))
    row.extra = {"p99": f"{percentile(samples, 0.99):.1f}", "req/s": f"{len(samples) / seconds:.1f}",
                 "errors": sum(errors.values())}
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000,
                        help="applications to generate when the database holds no data set (default 20,000)")
    parser.add_argument("--database-url", help="default: the SQLite file /tmp/helsesak-bench-<size>.db")
    parser.add_argument("--server", choices=("auto", "flask", "gunicorn"), default="auto",
                        help="flask run (as `make run`) or gunicorn; auto: flask on SQLite, gunicorn otherwise")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--users", type=int, help="concurrent caseworkers (default 8 on SQLite, 32 otherwise)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long they work (default 30)")
    parser.add_argument("--office", default="helse-sor-ost", help="the treatment-abroad office they work at")
    parser.add_argument("--decisions", type=int, help="received applications set aside per user (default: three "
                                                      "per second of the run for the office, at least 2 per user)")
    parser.add_argument("--each-first", action="store_true",
                        help="each user first does each action once, however long that takes, then draws by weight")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.size)
    sqlite = url.startswith("sqlite")
    server = args.server if args.server != "auto" else ("flask" if sqlite else "gunicorn")
    users_count = args.users or (8 if sqlite else 32)
    if held_size(url) is None:
        from bench import generate
        generate.main(["--size", str(args.size), "--database-url", url])
    app = create_bench_app(url, bare_routes=False)
    upgrade_schema(app)  # before the server starts
    emails = ensure_users(app, args.office, users_count)
    decisions = args.decisions or max(2, math.ceil(3 * args.seconds / users_count))
    plans = plan_work(app, emails, args.office, decisions=decisions, opinions=2, costs=4, seed=args.seed)
    size = held_size(url)
    with app.app_context():
        from app.extensions import db
        db.engine.dispose()

    port = free_port()
    log = Path(tempfile.gettempdir()) / f"helsesak-bench-{server}-{port}.log"
    documents = Path(tempfile.gettempdir()) / "helsesak-bench-documents"
    load_before = load_average()
    process = start_app(server, url, port, args.workers, log, documents)
    try:
        users = [User(plan, port, args.seed + index, date.today().year) for index, plan in enumerate(plans)]
        for user in users:
            user.login()
        warmers = [threading.Thread(target=user.warm_up) for user in users]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()
        tally, seconds = run_users(users, args.seconds, args.each_first)
    finally:
        stop_server(process)
    label = ("flask run (as `make run`: development settings, threaded, no Redis)" if server == "flask"
             else f"gunicorn {args.workers} sync workers (wsgi:app, development settings, no Redis)")
    print(f"Load: an office at work — {'SQLite' if sqlite else 'PostgreSQL'}, {label}, {users_count} caseworkers "
          f"of {args.office} on loopback (own session and address each, no think time), {seconds:.1f} s, "
          f"{size:,} applications; load average {load_before} → {load_average()} on {os.cpu_count()} CPUs")
    errors = report(tally, seconds)
    unused = sum(len(user.plan.decide) for user in users)
    print(f"  decisions posted: {len(tally.latencies['decision post'])} ({unused} of the received applications "
          "set aside were not reached)")
    exceptions = Counter(server_errors(log))
    print(f"  server log: {log}" + (f" — {sum(exceptions.values())} warnings, errors and exceptions:" if exceptions
                                     else " (no warning, error or exception in it)"))
    for line, count in exceptions.most_common(5):
        print(f"    {count} × {line[:160]}")
    return errors


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
