"""gunicorn settings of a Helsesak app server (deploy/systemd/helsesak-web.service, scripts/cluster.sh).

HELSESAK_BIND: the address the reverse proxy reaches this server on (default 127.0.0.1:8000).
WEB_CONCURRENCY: worker processes; default two per core plus one (the app is synchronous: a worker waits on
PostgreSQL while another computes).
"""
import multiprocessing
import os

bind = os.environ.get("HELSESAK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 60                 # a request that runs longer is killed and logged (reports are built by workers)
graceful_timeout = 30        # on stop or reload, requests under way may finish
max_requests = 2000          # workers are replaced now and then, so no slow leak builds up
max_requests_jitter = 200
control_socket_disable = True   # no ~/.gunicorn control socket: several servers on one host would share it
accesslog = "-"
# Path without query string or referrer: searches carry names and national ID numbers in the query.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss'
errorlog = "-"
