#!/usr/bin/env bash
# Idempotent set-up for a fresh Debian 12 machine: system packages (when root),
# the .venv with the pinned requirements and, with --services, the local Redis
# and PostgreSQL the test suite talks to. Safe to re-run; skips what is done.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 LC_ALL=C.UTF-8

WITH_SERVICES=0
[ "${1:-}" = "--services" ] && WITH_SERVICES=1
log() { printf '[setup] %s\n' "$*"; }

# ---------- system packages ----------
APT_PKGS=(python3 python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
          fonts-dejavu-core fonts-liberation2 poppler-utils)
if ((WITH_SERVICES)); then
  # nginx, openssl and envsubst (gettext-base): the reverse proxy of the scale-out test (scripts/cluster.sh)
  APT_PKGS+=(postgresql redis-server chromium nginx openssl gettext-base)
fi
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    log "installing ${missing[*]}"
    # The packages' own services are not started on install (policy-rc.d, exit 101 = "not allowed"):
    # this script starts Redis and PostgreSQL itself, and scripts/cluster.sh its own nginx on free ports.
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
      trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    log "missing system packages: ${missing[*]}"
    log "install them as root:  apt-get install -y --no-install-recommends ${missing[*]}"
    exit 1
  fi
fi

# ---------- Python environment ----------
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.requirements.sha256
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing Python requirements"
  # (this machine's pip configuration prints harmless "Location ... is ignored" lines; they are dropped)
  .venv/bin/python -m pip install -q --disable-pip-version-check uv 2>&1 | { grep -v 'is ignored' || true; }
  test "${PIPESTATUS[0]}" = 0 || { log "pip could not install uv"; exit 1; }
  .venv/bin/uv pip install -q --python .venv/bin/python -r requirements.txt
  echo "$want" > "$stamp"
fi

((WITH_SERVICES)) || exit 0

if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
  # Without root the services must already run and the databases exist (see README).
  PGPASSWORD=helsesak psql -h 127.0.0.1 -U helsesak -d helsesak_test -qtAc "SELECT 1" >/dev/null 2>&1 \
    && redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && exit 0
  log "PostgreSQL (role and databases helsesak*) and Redis are needed; run this script once as root"
  exit 1
fi

# ---------- Redis (no systemd: daemonize, keep nothing on disk) ----------
REDIS_PORT=${REDIS_PORT:-6379}
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "starting redis on $REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
    --dir /tmp --logfile "/tmp/redis-$REDIS_PORT.log" --pidfile "/tmp/redis-$REDIS_PORT.pid"
  for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

# ---------- PostgreSQL (pg_ctlcluster; exits 2 when already running, so check first) ----------
PG_PORT=${PG_PORT:-5432}
if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then
  # The cluster on our port if there is one, else a new "main" cluster of the newest installed version.
  cluster=$(pg_lsclusters -h | awk -v port="$PG_PORT" '$3 == port {print $1" "$2; exit}')
  if [ -z "$cluster" ]; then
    cluster="$(ls /usr/lib/postgresql | sort -V | tail -1) main"
    pg_createcluster --locale C.UTF-8 --port "$PG_PORT" $cluster
  fi
  log "starting postgresql $cluster"
  pg_ctlcluster --skip-systemctl-redirect $cluster start
  for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 0.1; done
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || { log "postgresql did not start on port $PG_PORT"; exit 1; }
fi
psql_su() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "psql -p $PG_PORT -v ON_ERROR_STOP=1 -qtAc \"$1\""
  else sudo -n -u postgres psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qtAc "$1"; fi
}
[ "$(psql_su "SELECT 1 FROM pg_roles WHERE rolname='helsesak'")" = 1 ] \
  || psql_su "CREATE ROLE helsesak LOGIN PASSWORD 'helsesak' CREATEDB"
for db in helsesak helsesak_test helsesak_browser_test; do
  [ "$(psql_su "SELECT 1 FROM pg_database WHERE datname='$db'")" = 1 ] \
    || psql_su "CREATE DATABASE $db OWNER helsesak ENCODING 'UTF8' TEMPLATE template0 LOCALE 'C.UTF-8'"
done
log "services ready: redis $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping), $(pg_isready -h 127.0.0.1 -p "$PG_PORT")"
