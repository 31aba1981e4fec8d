# Helsesak: `make run` serves the app with demo data, `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := wsgi
PG_TEST_URL ?= postgresql+psycopg://helsesak:helsesak@127.0.0.1:5432/helsesak_test
PG_BROWSER_URL ?= postgresql+psycopg://helsesak:helsesak@127.0.0.1:5432/helsesak_browser_test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test test-fast test-sqlite test-postgresql test-cluster lint worker setup

setup:
	scripts/setup.sh

run: setup
	@mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo load
	@echo "Helsesak: http://127.0.0.1:5000"
	$(FLASK) run --host 127.0.0.1 --port 5000

test:
	scripts/setup.sh --services
	$(MAKE) --no-print-directory test-sqlite test-postgresql test-cluster

# The edit loop: SQLite only, without the browser tests and those marked slow (pytest.ini); `make test` runs them all.
test-fast:
	REDIS_TEST_URL=$(REDIS_TEST_URL) $(PY) -m pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint:  # also run by the suite (tests/test_architecture.py)
	PYTHONPATH=. $(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check

test-sqlite:
	@echo "=== test suite on SQLite ==="
	REDIS_TEST_URL=$(REDIS_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-postgresql:
	@echo "=== test suite on PostgreSQL ==="
	TEST_DATABASE_URL=$(PG_TEST_URL) BROWSER_DATABASE_URL=$(PG_BROWSER_URL) REDIS_TEST_URL=$(REDIS_TEST_URL) \
		$(PY) -m pytest $(PYTEST_ARGS)

# The scale-out check (docs/deployment.md): scripts/cluster.sh starts nginx, two app servers and two workers on
# a new database helsesak_cluster_<pid> on PG_TEST_URL's server; REDIS_TEST_URL's database is emptied.
test-cluster:
	@echo "=== scale-out test: nginx, two app servers, two workers ==="
	TEST_DATABASE_URL=$(PG_TEST_URL) REDIS_TEST_URL=$(REDIS_TEST_URL) $(PY) -m pytest tests/cluster $(PYTEST_ARGS)

worker: setup
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL, e.g. redis://127.0.0.1:6379/0"; exit 1; }
	$(FLASK) rq worker default pdf

# Benchmarks (docs/performance.md): generate BENCH_SIZE applications when the database does not hold them,
# then print every benchmark's median, p95 and ratio. BENCH_DATABASE_URL defaults to /tmp/helsesak-bench-<size>.db;
# BENCH_ARGS passes more options to bench/run.py, e.g. BENCH_ARGS="--rounds 40 --skip import".
BENCH_SIZE ?= 100000
.PHONY: bench bench-office
bench: setup
	$(PY) -m bench.run --size $(BENCH_SIZE) $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL)) $(BENCH_ARGS)

# The office under load alone: 8 caseworkers against `flask run` on SQLite (as `make run`), or 32 against gunicorn
# when BENCH_DATABASE_URL is PostgreSQL, for 30 s, on a 20,000-application data set (generated when missing).
BENCH_OFFICE_SIZE ?= 20000
bench-office: setup
	$(PY) -m bench.load_office --size $(BENCH_OFFICE_SIZE) $(if $(BENCH_DATABASE_URL),--database-url $(BENCH_DATABASE_URL)) $(BENCH_ARGS)
