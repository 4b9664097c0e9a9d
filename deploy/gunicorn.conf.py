"""gunicorn settings for Tongtong: ``gunicorn -c deploy/gunicorn.conf.py wsgi:app``.

Everything can be overridden from the environment the systemd unit reads
(/etc/tongtong/env): ``GUNICORN_BIND``, ``GUNICORN_WORKERS``, ``GUNICORN_TIMEOUT``.
"""

import os
import shutil

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# 2–3 sync workers per core; on the 2-core reference machine 3 (see docs/deployment.md)
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# the app logs one structured line per request itself (without query strings: the residents'
# tracking link carries a phone there), so gunicorn writes no access log of its own
accesslog = None
errorlog = "-"
capture_output = True
forwarded_allow_ips = "127.0.0.1"  # nginx on the same machine
proxy_allow_ips = "127.0.0.1"
# the app is imported once in the master and forked: less memory, faster worker restarts
preload_app = True
# gunicorn 25+ opens a control socket for gunicornc, by default under $HOME, which the unit keeps
# read-only (and two instances would share): in the unit's RuntimeDirectory, else none at all
if os.environ.get("RUNTIME_DIRECTORY"):
    control_socket = os.path.join(os.environ["RUNTIME_DIRECTORY"], "gunicorn.ctl")
else:
    control_socket_disable = True
max_requests = 5000  # recycle workers now and then; jitter keeps them from restarting together
max_requests_jitter = 500


def on_starting(server):
    """Prometheus multi-process mode: start from an empty metrics folder."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)


def child_exit(server, worker):
    """A dead worker's live gauges must not be summed any more."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
