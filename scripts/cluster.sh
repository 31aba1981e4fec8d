#!/usr/bin/env bash
# The scale-out topology of docs/deployment.md on one machine: nginx (TLS) in front of two app servers
# (gunicorn) and two RQ workers, which share nothing but PostgreSQL and Redis. Each service runs the command
# of its unit in deploy/systemd/ (with /opt/helsesak replaced by this checkout), in a working directory of its
# own with its own temporary files, and is stopped by its process id.
#
#   scripts/cluster.sh up     start what is not running yet; returns when every service answers
#   scripts/cluster.sh down   stop every service
#
# CLUSTER_DIR (required) holds the state: cluster.env (addresses, written by `up`), helsesak.env (the settings,
# the keys of deploy/helsesak.env.example), the rendered nginx configuration, logs, pid files and one working
# directory per service. DATABASE_URL (an existing PostgreSQL database) and REDIS_URL are needed by `up`.
# CLUSTER_WORKER_APP, when set, is the workers' FLASK_APP instead of the unit's (the tests' checkpoints).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
ACTION=${1:?usage: scripts/cluster.sh up|down}
DIR=${CLUSTER_DIR:?set CLUSTER_DIR to the state directory of the cluster}
WAIT=${CLUSTER_WAIT_SECONDS:-90}
SERVICES=(web-a web-b worker-1 worker-2)
log() { printf '[cluster] %s\n' "$*"; }

# ---------- processes ----------
pid_of() { cat "$DIR/$1.pid" 2>/dev/null || true; }
alive() {   # the process of pid file $1 exists and is no zombie
  local pid state
  pid=$(pid_of "$1")
  [ -n "$pid" ] || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null) || return 1
  [[ $state != Z* ]]
}
stop() {    # stop <service>...: TERM to each process group (a worker's work-horse too), KILL after 20 s
  local name pid
  for name in "$@"; do
    alive "$name" || continue
    pid=$(pid_of "$name")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  for name in "$@"; do
    for _ in $(seq 200); do alive "$name" || break; sleep 0.1; done
    if alive "$name"; then
      pid=$(pid_of "$name")
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$DIR/$name.pid"
  done
}
wait_for() {   # wait_for <what> <command...>: until the command succeeds, at most WAIT seconds
  local what=$1; shift
  for _ in $(seq $((WAIT * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$what did not come up; its log:"; tail -n 40 "$DIR/$what.log" 2>/dev/null || true
  exit 1
}

if [ "$ACTION" = down ]; then
  stop "${SERVICES[@]}"
  if [ -s "$DIR/nginx.pid" ]; then
    pid=$(cat "$DIR/nginx.pid")
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$DIR/nginx.pid"
  fi
  exit 0
fi
[ "$ACTION" = up ] || { echo "usage: scripts/cluster.sh up|down" >&2; exit 2; }
: "${DATABASE_URL:?set DATABASE_URL (PostgreSQL)}" "${REDIS_URL:?set REDIS_URL}"
mkdir -p "$DIR"

# ---------- addresses and settings (kept, so `up` after a failure restarts on the same ports) ----------
free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
if [ ! -s "$DIR/cluster.env" ]; then
  cat > "$DIR/cluster.env" <<EOF
CLUSTER_APP_A=127.0.0.1:$(free_port)
CLUSTER_APP_B=127.0.0.1:$(free_port)
CLUSTER_HTTP_PORT=$(free_port)
CLUSTER_HTTPS_PORT=$(free_port)
EOF
  # The settings file of every app server and worker (deploy/helsesak.env.example). The secret key is made
  # as the deployment guide makes it.
  cat > "$DIR/helsesak.env" <<EOF
HELSESAK_ENV=production
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
DATABASE_URL=$DATABASE_URL
REDIS_URL=$REDIS_URL
DOCUMENT_STORAGE=database
TRUSTED_PROXIES=1
HELSESAK_BIND=127.0.0.1:8000
WEB_CONCURRENCY=2
EOF
fi
# shellcheck disable=SC1091
. "$DIR/cluster.env"
set -a
# shellcheck disable=SC1091
. "$DIR/helsesak.env"
set +a

# ---------- the units' commands ----------
unit_line() {   # unit_line <unit file> <key>: the value, with the install directory replaced by this checkout
  sed -n "s/^$2=//p" "$ROOT/deploy/systemd/$1" | sed "s#/opt/helsesak#$ROOT#g"
}
start() {       # start <service> <unit file> [VAR=value ...]: the unit's command in the service's own directory
  local name=$1 unit=$2; shift 2
  alive "$name" && return 0
  local work="$DIR/$name" environment command
  mkdir -p "$work/tmp" "$work/documents"
  read -ra environment <<< "$(unit_line "$unit" Environment | tr "\n" " ")"   # every Environment= line
  read -ra command <<< "$(unit_line "$unit" ExecStart)"
  log "starting $name: ${command[*]}"
  (cd "$work" && exec setsid env "${environment[@]}" TMPDIR="$work/tmp" DOCUMENT_DIR="$work/documents" "$@" \
     "${command[@]}" > "$DIR/$name.log" 2>&1 < /dev/null) &
  echo $! > "$DIR/$name.pid"
}

# ---------- the database schema and the deploy check (as the guide runs them) ----------
(cd "$ROOT" && export FLASK_APP=wsgi && .venv/bin/flask db upgrade && .venv/bin/flask check-deploy) \
  > "$DIR/deploy.log" 2>&1 || { cat "$DIR/deploy.log"; exit 1; }

# ---------- app servers and workers ----------
start web-a helsesak-web.service HELSESAK_BIND="$CLUSTER_APP_A"
start web-b helsesak-web.service HELSESAK_BIND="$CLUSTER_APP_B"
worker_app=()
[ -n "${CLUSTER_WORKER_APP:-}" ] && worker_app=(FLASK_APP="$CLUSTER_WORKER_APP")
start worker-1 helsesak-worker@.service "${worker_app[@]}"
start worker-2 helsesak-worker@.service "${worker_app[@]}"
wait_for web-a curl -fsS "http://$CLUSTER_APP_A/helse"
wait_for web-b curl -fsS "http://$CLUSTER_APP_B/helse"
for worker in worker-1 worker-2; do
  wait_for "$worker" grep -q "Listening on" "$DIR/$worker.log"
done

# ---------- nginx: the project's site file, rendered as the guide renders it, with a self-signed certificate ----------
if [ ! -s "$DIR/nginx.pid" ] || ! kill -0 "$(cat "$DIR/nginx.pid")" 2>/dev/null; then
  mkdir -p "$DIR/nginx"
  [ -s "$DIR/tls.crt" ] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
      -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
      -keyout "$DIR/tls.key" -out "$DIR/tls.crt" 2>/dev/null
  export HELSESAK_SERVER_NAME=localhost HELSESAK_HTTP_LISTEN="127.0.0.1:$CLUSTER_HTTP_PORT" \
    HELSESAK_HTTPS_LISTEN="127.0.0.1:$CLUSTER_HTTPS_PORT" HELSESAK_TLS_CERT="$DIR/tls.crt" \
    HELSESAK_TLS_KEY="$DIR/tls.key" HELSESAK_APP_A="$CLUSTER_APP_A" HELSESAK_APP_B="$CLUSTER_APP_B" \
    HELSESAK_LOG_DIR="$DIR"
  envsubst '$HELSESAK_SERVER_NAME $HELSESAK_HTTP_LISTEN $HELSESAK_HTTPS_LISTEN $HELSESAK_TLS_CERT $HELSESAK_TLS_KEY $HELSESAK_APP_A $HELSESAK_APP_B $HELSESAK_LOG_DIR' \
    < "$ROOT/deploy/nginx.conf" > "$DIR/helsesak-site.conf"
  # What Debian's /etc/nginx/nginx.conf is in production: the main context around the site file.
  {
    [ "$(id -u)" = 0 ] && echo "user root;"   # the workers read this run's directory (mode 0700)
    cat <<EOF
worker_processes 1;
pid $DIR/nginx.pid;
error_log $DIR/nginx-error.log;
events { worker_connections 256; }
http {
    client_body_temp_path $DIR/nginx/body;
    proxy_temp_path $DIR/nginx/proxy;
    fastcgi_temp_path $DIR/nginx/fastcgi;
    uwsgi_temp_path $DIR/nginx/uwsgi;
    scgi_temp_path $DIR/nginx/scgi;
    include $DIR/helsesak-site.conf;
}
EOF
  } > "$DIR/nginx-main.conf"
  nginx -t -q -p "$DIR/nginx" -c "$DIR/nginx-main.conf" 2> "$DIR/nginx.log" || { cat "$DIR/nginx.log"; exit 1; }
  log "starting nginx on https://127.0.0.1:$CLUSTER_HTTPS_PORT"
  nginx -p "$DIR/nginx" -c "$DIR/nginx-main.conf" 2>> "$DIR/nginx.log"
fi
wait_for nginx curl -fsS --cacert "$DIR/tls.crt" "https://127.0.0.1:$CLUSTER_HTTPS_PORT/helse"
log "up: https://127.0.0.1:$CLUSTER_HTTPS_PORT (app servers $CLUSTER_APP_A, $CLUSTER_APP_B; 2 workers)"
