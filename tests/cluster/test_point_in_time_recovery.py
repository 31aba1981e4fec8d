"""Rehearsal of the README's "Point-in-time recovery (PostgreSQL)" (under "Operations (drift): backup and restore"),
which docs/deployment.md's "PostgreSQL: backups and point-in-time recovery" points to.

The settings and commands are read from the README's code blocks and run as written, with /srv/pg-wal-archive,
/srv/pg-base/<date> and the example recovery time replaced by the test's own: a throwaway server of the installed
major version (its binaries first on PATH, as the Debian server's are through pg_wrapper) in a temporary directory
on a free port, run as the `postgres` OS user because initdb and postgres refuse root. Upstream initdb keeps
postgresql.conf in the data directory (Debian keeps it in /etc/postgresql/<v>/main), so the base backup carries it.
"""
import os
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import ClassVar

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.pool import NullPool

from app import create_app
from app.auth import services as account_services
from app.auth.models import User
from app.core.roles import Role
from app.extensions import db
from config import BASE_DIR, TestConfig

SECTION = "**Point-in-time recovery (PostgreSQL).**"
GUIDE_ARCHIVE = "/srv/pg-wal-archive"
GUIDE_BACKUP = re.compile(r"/srv/pg-base/(?:\$\(date \+%F\)|\d{4}-\d\d-\d\d)")
GUIDE_TARGET = re.compile(r"recovery_target_time = '[^']*'")
WAL_SEGMENT = re.compile(r"^[0-9A-F]{24}$")
WAIT_SECONDS = 30


def _guide_blocks() -> tuple[list[str], list[str]]:
    """The README section's ini blocks (postgresql.conf settings) and its shell commands (continuations joined)."""
    readme = (BASE_DIR / "README.md").read_text()
    section = readme[readme.index(SECTION):]
    section = section[:section.index("\n## ")]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, re.DOTALL)
    settings = [body for kind, body in blocks if kind == "ini"]
    commands = [line for kind, body in blocks if kind == "sh"
                for line in body.replace("\\\n", " ").splitlines() if line.strip()]
    return settings, commands


def _postgres_bin() -> Path:
    versions = sorted((path for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
                      key=lambda path: int(path.parent.parent.name))
    assert versions, "no PostgreSQL server binaries under /usr/lib/postgresql"
    return versions[-1].parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A throwaway PostgreSQL server in `root`, run as the postgres OS user."""

    def __init__(self, root: Path) -> None:
        self.root, self.port, self.bin = root, _free_port(), _postgres_bin()
        self.data, self.archive, self.backups = root / "data", root / "archive", root / "base"
        self.env = {"PATH": f"{self.bin}:/usr/bin:/bin", "PGHOST": "127.0.0.1", "PGPORT": str(self.port),
                    "LC_ALL": "C.UTF-8", "HOME": str(root)}

    def run(self, command: str) -> str:
        """A shell command line as the postgres OS user; fails the test with its output if it fails."""
        argv = ["runuser", "-u", "postgres", "--", "env", *(f"{k}={v}" for k, v in self.env.items()),
                "sh", "-c", command]
        result = subprocess.run(argv, cwd=self.root, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"{command}\n{result.stdout}{result.stderr}{self.log()}"
        return result.stdout

    def log(self) -> str:
        log = self.root / "server.log"
        return log.read_text()[-3000:] if log.exists() else ""

    def guide(self, text: str, backup: Path | None = None) -> str:
        """The README's text with its paths replaced by this server's."""
        text = text.replace(GUIDE_ARCHIVE, str(self.archive))
        return GUIDE_BACKUP.sub(str(backup), text) if backup else text

    def start(self) -> None:
        self.run(f"pg_ctl -D {shlex.quote(str(self.data))} -l {shlex.quote(str(self.root / 'server.log'))} -w start")

    def stop(self, mode: str = "fast") -> None:
        self.run(f"pg_ctl -D {shlex.quote(str(self.data))} -m {mode} -w stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


def _wait_until(what: str, check, server: Server):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.2)
    pytest.fail(f"{what} within {WAIT_SECONDS} s\n{server.log()}")


def _add_users(prefix: str, count: int = 3) -> set[str]:
    emails = {f"{prefix}-{number}@helsesak.test" for number in range(count)}
    for email in sorted(emails):
        account_services.create_user(email=email, name=prefix, role=Role.ANALYST, office=None, password=None)
        db.session.commit()   # a commit (a WAL commit record with its time) per row
    return emails


@pytest.fixture
def server():
    root = Path(tempfile.mkdtemp(prefix="helsesak-pitr-"))
    shutil.chown(root, "postgres", "postgres")
    server = Server(root)
    try:
        yield server
    finally:
        if server.running():
            server.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def recovery_app(server):
    class RecoveryConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = server.url("helsesak")
        # no connection survives the server's restart
        SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"poolclass": NullPool}

    return create_app(RecoveryConfig)


def test_the_guides_point_in_time_recovery_restores_the_rows_written_before_the_target_time(server, recovery_app):
    (archive_settings, recovery_settings), commands = _guide_blocks()
    by_program = {line.split()[0]: line for line in commands}
    assert set(by_program) == {"pg_basebackup", "pg_verifybackup", "pg_archivecleanup"}
    backup = server.backups / "nightly"

    # postgresql.conf: the guide's archive settings, on a port and socket directory of the test's own.
    server.run(f"mkdir {server.archive} {server.backups} && "
               f"initdb -D {server.data} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null")
    with (server.data / "postgresql.conf").open("a") as conf:
        conf.write(f"\nport = {server.port}\nlisten_addresses = '127.0.0.1'\n"
                   f"unix_socket_directories = '{server.root}'\nfsync = off\n")
        conf.write(server.guide(archive_settings))
    server.start()
    admin = sa.create_engine(server.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql("CREATE ROLE replicator WITH LOGIN REPLICATION")
            connection.exec_driver_sql("CREATE DATABASE helsesak TEMPLATE template0 ENCODING 'UTF8'")

        with recovery_app.app_context():
            upgrade(directory=str(BASE_DIR / "migrations"))
            in_backup = _add_users("in-backup")
            sealed = recovery_app.test_cli_runner().invoke(args=["audit", "seal"])
            assert sealed.exit_code == 0, sealed.output

            server.run(server.guide(by_program["pg_basebackup"], backup))
            server.run(server.guide(by_program["pg_verifybackup"], backup))

            before_target = _add_users("before-target")
            with admin.connect() as connection:
                target = connection.exec_driver_sql("SELECT clock_timestamp()::text").scalar_one()
            after_target = _add_users("after-target")
        with admin.connect() as connection:
            segment = connection.exec_driver_sql("SELECT pg_walfile_name(pg_switch_wal())").scalar_one()
        _wait_until(f"{segment} archived", lambda: (server.archive / segment).exists(), server)
        server.stop()

        # Recovery: the data directory aside, the base backup in its place, the guide's recovery settings.
        server.data.rename(server.root / "data.before-recovery")
        subprocess.run(["cp", "-a", str(backup), str(server.data)], check=True)
        with (server.data / "postgresql.conf").open("a") as conf:
            conf.write("\n" + GUIDE_TARGET.sub(f"recovery_target_time = '{target}'", server.guide(recovery_settings)))
        server.run(f"touch {server.data / 'recovery.signal'}")
        server.start()

        def promoted() -> bool:
            with admin.connect() as connection:
                return not connection.exec_driver_sql("SELECT pg_is_in_recovery()").scalar_one()
        _wait_until("the server promoted", promoted, server)

        with recovery_app.app_context():
            emails = set(db.session.scalars(sa.select(User.email)))
            assert in_backup | before_target <= emails
            assert not after_target & emails
            verified = recovery_app.test_cli_runner().invoke(args=["audit", "verify"])
            assert verified.exit_code == 0, verified.output
            assert "Kjeden er hel." in verified.output
    finally:
        admin.dispose()

    # pg_archivecleanup: the WAL before the base backup's start goes, the backup's own and later stay.
    label = (backup / "backup_label").read_text()
    start = re.search(r"^START WAL LOCATION: .* \(file ([0-9A-F]{24})\)$", label, re.MULTILINE).group(1)

    def archived() -> list[str]:
        return sorted(name for name in os.listdir(server.archive) if WAL_SEGMENT.match(name))
    assert any(name[8:] < start[8:] for name in archived())
    server.run(server.guide(by_program["pg_archivecleanup"], backup))
    assert start in archived()
    assert all(name[8:] >= start[8:] for name in archived())
