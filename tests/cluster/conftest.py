"""The scale-out test's cluster: scripts/cluster.sh starts nginx, two app servers and two workers on a
PostgreSQL database and a Redis database of their own, once for the whole run, and stops them afterwards.

`make test-cluster` runs it (the suite's normal run leaves tests/cluster out, see pytest.ini). The PostgreSQL
server is TEST_DATABASE_URL's (the database helsesak_cluster_<pid> is made on it and dropped afterwards); the
Redis database is REDIS_TEST_URL's, emptied before and after, because the app's queues have fixed names.
"""
import os
import subprocess
import uuid

import pytest
import sqlalchemy as sa
from redis import Redis
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app import create_app
from app.extensions import db
from config import BASE_DIR
from tests.cluster.client import Cluster, read_env
from tests.reliability.worker_app import hold, worker_config

CLUSTER = BASE_DIR / "scripts" / "cluster.sh"
CHECKPOINT = "after_commit"   # where the worker-kill test stops a run (tests/reliability/worker_app.py)


@pytest.fixture(autouse=True)
def _rollback():
    """The cluster's servers commit for real, in the cluster's own database: no suite transaction to roll back."""
    yield


@pytest.fixture(scope="session")
def cluster_database():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.fail("the scale-out test needs PostgreSQL: set TEST_DATABASE_URL (make test-cluster does)")
    server = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    name = f"helsesak_cluster_{os.getpid()}"
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    yield make_url(url).set(database=name).render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    server.dispose()


@pytest.fixture(scope="session")
def cluster_redis():
    url = os.environ.get("REDIS_TEST_URL")
    if not url:
        pytest.fail("the scale-out test empties a Redis database: name it in REDIS_TEST_URL (make test-cluster does)")
    connection = Redis.from_url(url, socket_timeout=200)   # blocking pops wait up to WAIT
    connection.flushdb()
    yield url, connection
    connection.flushdb()
    connection.close()


@pytest.fixture(scope="session")
def cluster(cluster_database, cluster_redis, tmp_path_factory):
    redis_url, redis = cluster_redis
    directory = tmp_path_factory.mktemp("cluster")
    keys = f"cluster:{uuid.uuid4().hex}"
    hold(redis, keys, CHECKPOINT)
    env = {**os.environ, "CLUSTER_DIR": str(directory), "DATABASE_URL": cluster_database, "REDIS_URL": redis_url,
           "CLUSTER_WORKER_APP": "tests.reliability.worker_app:create_checkpointed_app()",
           "RELIABILITY_PAUSE_AT": CHECKPOINT, "RELIABILITY_KEYS": keys}
    started = subprocess.run([str(CLUSTER), "up"], env=env, capture_output=True, text=True)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        addresses = read_env(directory / "cluster.env")
        yield Cluster(dir=directory, proxy=f"https://127.0.0.1:{addresses['CLUSTER_HTTPS_PORT']}",
                      http_proxy=f"http://127.0.0.1:{addresses['CLUSTER_HTTP_PORT']}",
                      servers={"A": addresses["CLUSTER_APP_A"], "B": addresses["CLUSTER_APP_B"]},
                      database_url=cluster_database, redis_url=redis_url, checkpoint_keys=keys,
                      cert=str(directory / "tls.crt"))
    finally:
        stopped = subprocess.run([str(CLUSTER), "down"], env=env, capture_output=True, text=True)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr


@pytest.fixture(scope="session")
def cluster_app(cluster):
    """The app in the test process, on the cluster's database: it makes the users and cases the tests use."""
    app = create_app(worker_config(cluster.database_url, cluster.redis_url, "unused"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def redis(cluster_redis):
    return cluster_redis[1]
