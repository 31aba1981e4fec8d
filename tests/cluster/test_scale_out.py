"""Scale-out on the existing engines (docs/deployment.md): nginx with TLS in front of two app servers (gunicorn,
production settings) and two RQ workers, which share nothing but PostgreSQL and Redis. Requests go through the
proxy, or straight to server A or B with the headers the proxy adds (tests/cluster/client.py), so each test
decides which server answers.

What every server must share, and does: the session (a signed cookie naming a server-side session row), the
failed-login counts that lock an account, the report orders and their files (Redis), the documents (database
storage) and the job queue, from which a job whose worker was killed is finished by the other worker, once.
"""
import os
import signal
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pyotp
import pytest
import requests
from limits import parse_many
from rq import Queue, Worker
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select

from app.auth import mfa
from app.auth import services as account_services
from app.auth.models import User
from app.cases import jobs
from app.cases import services as case_services
from app.cases.models import CaseKind, Document, JournalEntryType
from app.core.audit import AuditEvent
from app.core.roles import Role
from app.db import utcnow
from app.extensions import db
from config import BASE_DIR
from tests.cluster.client import Browser, read_env
from tests.cluster.conftest import CHECKPOINT
from tests.conftest import PASSWORD
from tests.reliability.worker_app import next_pause, release, sweep

WAIT = 120          # seconds a job may take on a loaded machine
WORKERS = ("worker-1", "worker-2")

pytestmark = pytest.mark.real_commits


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    totp_secret: str


@pytest.fixture
def account(cluster_app):
    """A new account with two-factor login set up (production requires it); its code of two minutes ago is
    spent, so the login's code is new."""
    def make(role: Role = Role.ABROAD_CASEWORKER, office: str | None = "helse-sor-ost") -> Account:
        secret = pyotp.random_base32()
        earlier = utcnow() - timedelta(minutes=2)
        with cluster_app.app_context():
            user = account_services.create_user(email=f"{uuid.uuid4().hex[:12]}@test.example",
                                                name="Kari Saksbehandler", role=role, office=office,
                                                password=PASSWORD)
            mfa.enable(user, secret=secret, code=pyotp.TOTP(secret).at(earlier), now=earlier)
            db.session.commit()
            return Account(user.id, user.email, secret)
    return make


def _open_case(app, account: Account) -> int:
    with app.app_context():
        user = db.session.get(User, account.id)
        patient = case_services.register_patient(national_id=None, name="Kari Nordmann", birth_date=date(1980, 5, 17),
                                                 municipality="Oslo", home_region="helse-sor-ost", actor=user)
        case = case_services.open_case(kind=CaseKind.ABROAD_APPLICATION, title="Søknad – Kari Nordmann",
                                       patient=patient, actor=user)
        case_services.add_journal_entry(case, entry_type=JournalEntryType.NOTE, title="Notat", actor=user)
        db.session.commit()
        return case.id


def _other(server: str) -> str:
    return "B" if server == "A" else "A"


def _wait_for(condition, what: str):
    """Poll until `condition()` is true (no timing is asserted: WAIT only ends a test that hangs)."""
    deadline = time.monotonic() + WAIT
    while not (result := condition()):
        assert time.monotonic() < deadline, f"{what} did not happen within {WAIT} s"
        time.sleep(0.3)
    return result


def _worker_names(redis) -> dict[int, str]:
    """pid -> RQ worker name of the cluster's running workers."""
    return {worker.pid: worker.name for worker in Worker.all(connection=redis)}


def test_the_proxy_serves_https_only_with_production_settings(cluster):
    redirect = requests.get(f"{cluster.http_proxy}/login", allow_redirects=False, timeout=30)
    assert redirect.status_code == 301 and redirect.headers["Location"].startswith("https://")
    for server in cluster.servers.values():
        assert requests.get(f"http://{server}/helse", timeout=30).json() == {"status": "ok"}
    page = requests.get(f"{cluster.proxy}/login", verify=cluster.cert, timeout=30)
    assert page.status_code == 200
    # The app sees HTTPS through the proxy (X-Forwarded-Proto, TRUSTED_PROXIES=1): HSTS and the __Host- cookie.
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert page.headers["Set-Cookie"].startswith("__Host-helsesak=") and "Secure" in page.headers["Set-Cookie"]
    settings = cluster.settings()
    assert settings["HELSESAK_ENV"] == "production"
    assert set(settings) == set(read_env(BASE_DIR / "deploy" / "helsesak.env.example"))   # the guide's settings
    assert "No problems found" in (cluster.dir / "deploy.log").read_text()   # flask check-deploy passed



def test_the_proxy_and_the_app_servers_log_no_query_strings(cluster):
    """Searches carry names and national ID numbers in the query string: no access log keeps it."""
    marker = f"Nordmann{uuid.uuid4().hex}"
    assert requests.get(f"{cluster.proxy}/saker?q={marker}", verify=cluster.cert, allow_redirects=False,
                        timeout=30).status_code == 302   # to the login page
    server = cluster.upstream_of("GET", "/saker")
    gunicorn_log = cluster.dir / ("web-a.log" if server == "A" else "web-b.log")
    _wait_for(lambda: '"GET /saker ' in gunicorn_log.read_text(), "gunicorn's access log line")
    logs = [cluster.dir / "helsesak-access.log", cluster.dir / "web-a.log", cluster.dir / "web-b.log"]
    assert [log.name for log in logs if marker in log.read_text()] == []

def test_a_session_started_on_one_server_continues_on_the_other(cluster, account):
    user = account()
    browser = Browser(cluster)
    browser.log_in(user.email, PASSWORD, user.totp_secret)
    first = cluster.upstream_of("POST", "/login/kode")
    second = _other(first)
    for server in (second, first):
        page = browser.get("/", via=server)
        assert page.status_code == 200 and "Kari Saksbehandler" in page.text
    cookies = dict(browser.cookies)

    assert browser.post_form("/logout", {}, via=second, form_page="/").status_code == 302
    browser.cookies = cookies   # the cookie as it was before the logout, e.g. copied by someone else
    page = browser.get("/", via=first)
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_failed_logins_spread_over_both_servers_lock_the_account_on_both(cluster, cluster_app, account):
    """The account limit counts failed attempts on every server together: LOGIN_LIMIT_PER_ACCOUNT failures,
    more than half of them on neither server alone, and the right password is refused on both."""
    user = account()
    limit = min(item.amount for item in parse_many(cluster_app.config["LOGIN_LIMIT_PER_ACCOUNT"]))
    browser = Browser(cluster)

    def reaches_second_factor(password: str, server: str) -> bool:
        response = browser.post_form("/login", {"email": user.email, "password": password}, via=server)
        return response.status_code == 302 and response.headers["Location"].endswith("/login/kode")

    assert reaches_second_factor(PASSWORD, "A")    # the account and its password work before the failures
    for attempt in range(limit):
        assert not reaches_second_factor("feil-passord-" + "x" * 12, "A" if attempt % 2 == 0 else "B")
    assert not reaches_second_factor(PASSWORD, "A")
    assert not reaches_second_factor(PASSWORD, "B")
    assert browser.get("/", via="B").status_code == 302   # not logged in


def test_a_report_ordered_on_one_server_is_built_by_a_worker_and_downloaded_from_the_other(cluster, account, redis):
    analyst = account(Role.ANALYST, None)
    browser = Browser(cluster)
    browser.log_in(analyst.email, PASSWORD, analyst.totp_secret)
    ordered = browser.post_form("/rapporter/utenlandsbehandling/", {"year": "2020", "region": ""}, via="A")
    assert ordered.status_code == 302, ordered.text
    order_page = ordered.headers["Location"]
    order_id = int(order_page.rsplit("/", 1)[1])

    def done() -> dict | None:
        status = browser.get(f"{order_page}/status", via="B").json()
        return status if status["state"] in ("finished", "failed") else None

    status = _wait_for(done, "the report")
    assert status["state"] == "finished", status
    pdf = browser.get(f"{order_page}/rapport.pdf", via="B")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    built_by = Job.fetch(f"report-{order_id}", connection=redis).worker_name
    assert built_by in {_worker_names(redis).get(cluster.pid(worker)) for worker in WORKERS}


def test_a_document_uploaded_on_one_server_is_downloaded_from_the_other(cluster, cluster_app, account):
    user = account()
    case_id = _open_case(cluster_app, user)
    browser = Browser(cluster)
    browser.log_in(user.email, PASSWORD, user.totp_secret)
    content = f"Epikrise for saken, lastet opp {uuid.uuid4()}\n".encode()
    uploaded = browser.post_form(f"/saker/{case_id}/dokumenter/ny", {"title": "Epikrise"}, via="A",
                                 files={"file": ("epikrise.txt", content, "text/plain")})
    assert uploaded.status_code == 302, uploaded.text
    with cluster_app.app_context():
        (document_id,) = db.session.scalars(select(Document.id).where(Document.case_id == case_id)).all()

    downloaded = browser.get(f"/saker/{case_id}/dokumenter/{document_id}/versjoner/1", via="B")
    assert downloaded.status_code == 200 and downloaded.content == content
    # Nothing on the servers' own disks: the file is in the database (DOCUMENT_STORAGE=database).
    local_files = [path for server in ("web-a", "web-b") for path in (cluster.dir / server).rglob("*")
                   if path.is_file() and path.read_bytes() == content]
    assert local_files == []


def test_a_worker_killed_mid_job_leaves_the_job_to_the_other_which_files_it_once(cluster, cluster_app, account,
                                                                                 redis):
    """The machine of one worker dies after the printout's commit, before the job is marked done: the job is
    requeued (the registry cleanup every worker runs) and the other worker finishes it, filing nothing twice."""
    user = account()
    case_id = _open_case(cluster_app, user)
    browser = Browser(cluster)
    browser.log_in(user.email, PASSWORD, user.totp_secret)
    release(redis, cluster.checkpoint_keys, CHECKPOINT)
    ordered = browser.post_form(f"/saker/{case_id}/journalutskrift", {}, via="A", form_page=f"/saker/{case_id}")
    assert ordered.status_code == 302

    paused = next_pause(redis, cluster.checkpoint_keys, WAIT)
    assert paused is not None and paused["checkpoint"] == CHECKPOINT, "no worker reached the checkpoint"
    pids = {cluster.pid(worker): worker for worker in WORKERS}
    assert paused["worker"] in pids
    (survivor_pid,) = set(pids) - {paused["worker"]}
    queue = Queue("pdf", connection=redis)
    (job_id,) = StartedJobRegistry(queue=queue).get_job_ids()
    job = Job.fetch(job_id, connection=redis)
    for pid in (paused["worker"], paused["pid"]):
        os.kill(pid, signal.SIGKILL)
    assert job.get_status(refresh=True) == JobStatus.STARTED   # abandoned: nobody works on it any more

    sweep(queue)
    _wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, "the requeued printout")
    job.refresh()
    assert job.worker_name == _worker_names(redis)[survivor_pid]

    with cluster_app.app_context():
        printouts = db.session.scalars(select(Document).where(Document.case_id == case_id)).all()
        assert [document.id for document in printouts] == [job.return_value()]
        receipts = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == jobs.PRINTOUT, AuditEvent.object_id == job.id))
        assert receipts == 1
    pdf = browser.get(f"/saker/{case_id}/dokumenter/{printouts[0].id}/versjoner/1", via="B")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

