"""The list page under load (quality goal B2): 8 concurrent clients on loopback against gunicorn.

    .venv/bin/python -m bench.load_list --database-url sqlite:////tmp/helsesak-bench.db

Starts gunicorn (sync workers, default 4) serving the app plus the harness's bare endpoints
(`bench.harness:wsgi_app()`), logs each client in through /login as a different caseworker of the same
office, then alternates phases: all clients request the app's list page, then the bare endpoint, then the bare
endpoint that also writes the list's audit row and commits (/bench/soknader-logget, what any page showing
patients must do), and so on in turn (interleaved in time). The client is a small threaded http.client loop (no extra
dependency); on 2 cores it takes a little CPU from the server. Prints requests per second and latency
percentiles per variant; gunicorn is stopped afterwards.
"""
import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    Client,
    Row,
    create_bench_app,
    free_port,
    gunicorn_command,
    percentile,
    print_table,
    start_server,
    stop_server,
    upgrade_schema,
)

CASEWORKERS = ["hso@helsesak.test"] + [f"hso{n}@helsesak.test" for n in range(1, 8)]


def start_gunicorn(database_url: str, workers: int, port: int, log: Path):
    env = {**os.environ, "BENCH_DATABASE_URL": database_url, "HELSESAK_ENV": "development", "TOTP_REQUIRED": "0"}
    return start_server(gunicorn_command("bench.harness:wsgi_app()", workers, port), env, port, log,
                        name="gunicorn")


def run_phase(clients: list[Client], path: str, seconds: float) -> tuple[list[float], int, float]:
    """All clients request `path` in a loop for `seconds`; returns latencies, errors and the phase's length."""
    latencies: list[list[float]] = [[] for _ in clients]
    errors = [0] * len(clients)
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        while time.monotonic() < stop:
            status, _, elapsed = clients[index].request("GET", path)
            if status == 200:
                latencies[index].append(elapsed)
            else:
                errors[index] += 1

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(clients))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [value for values in latencies for value in values], sum(errors), time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--phase-seconds", type=float, default=10.0)
    parser.add_argument("--phases", type=int, default=3, help="phases per variant, alternating (default 3)")
    parser.add_argument("--filter", default="", help="query string of the list, e.g. 'status=in_preparation'")
    args = parser.parse_args(argv)
    if args.clients > len(CASEWORKERS):
        raise SystemExit(f"at most {len(CASEWORKERS)} clients (one caseworker login each)")
    upgrade_schema(create_bench_app(args.database_url, bare_routes=False))  # before the workers start
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"helsesak-bench-gunicorn-{port}.log"
    process = start_gunicorn(args.database_url, args.workers, port, log)
    try:
        clients = [Client(port) for _ in range(args.clients)]
        for client, email in zip(clients, CASEWORKERS, strict=False):  # --clients may be fewer than the logins
            client.login(email)
        paths = {"app (engine, audit)": f"/utland/soknader?{args.filter}", "bare SQL": f"/bench/soknader?{args.filter}",
                 "bare SQL + audit": f"/bench/soknader-logget?{args.filter}"}
        for path in paths.values():  # warm every worker up
            run_phase(clients, path, min(3.0, args.phase_seconds))
        results = {name: ([], 0, 0.0) for name in paths}
        for phase in range(args.phases):
            names = list(paths)
            for name in names[phase % len(names):] + names[:phase % len(names)]:   # each variant in turn first
                latencies, errors, seconds = run_phase(clients, paths[name], args.phase_seconds)
                previous = results[name]
                results[name] = (previous[0] + latencies, previous[1] + errors, previous[2] + seconds)
    finally:
        stop_server(process)
    database = "SQLite" if args.database_url.startswith("sqlite") else "PostgreSQL"
    print(f"Load: /utland/soknader?{args.filter} — {database}, gunicorn {args.workers} sync workers, "
          f"{args.clients} clients on loopback, {args.phases} × {args.phase_seconds:.0f} s per variant, alternating")
    rows, rates = [], {}
    for name, (latencies, errors, seconds) in results.items():
        if not latencies:
            print(f"  {name}: no successful request ({errors} errors); see {log}")
            return
        rates[name] = len(latencies) / seconds
        row = Row(name, latencies)
        row.extra = {"req/s": f"{rates[name]:.1f}", "p99": f"{percentile(latencies, 0.99):.1f}", "errors": errors}
        rows.append(row)
    for row in rows:
        row.extra["req/s ÷ bare"] = f"{rates[row.name] / rates['bare SQL']:.2f}×"
        row.extra["req/s ÷ bare + audit"] = f"{rates[row.name] / rates['bare SQL + audit']:.2f}×"
    print_table("client-side latency per request (loopback)", rows, baseline="bare SQL",
                extra_columns=("req/s", "req/s ÷ bare", "req/s ÷ bare + audit", "p99", "errors"),
                goal="app ≥ 100 req/s at 8 connections; p95 ≤ 80 ms SQLite / ≤ 120 ms PostgreSQL at 1M (B2)")


if __name__ == "__main__":
    main()
