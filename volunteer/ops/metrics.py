"""``GET /metrics``: Prometheus text, only to the addresses ``METRICS_ALLOW`` lists.

Request counts and latencies and claim decisions are counted in each process
(``core.metrics``); under gunicorn set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder before
start so every worker's counts are summed (the gunicorn config in ``deploy/`` does, and marks a
worker's files dead when it exits). What the database knows — the outbox's backlog and
failures, each report kind's last success, the scheduler's heartbeat — is read when scraped.
"""

import ipaddress
import os
import time

from flask import Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import REGISTRY as PROCESS_REGISTRY
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from volunteer.core.metrics import LATENCY, REQUESTS
from volunteer.extensions import db, talisman


class DatabaseCollector:
    """Gauges read from the database at scrape time."""

    def collect(self):
        from volunteer.notifications.models import EmailDelivery
        from volunteer.ops.services import heartbeat_age
        from volunteer.reports.models import ReportRun

        outbox = GaugeMetricFamily("tongtong_outbox_emails", "E-mails in the outbox by status",
                                   labels=["status"])
        runs = GaugeMetricFamily("tongtong_report_last_success_timestamp_seconds",
                                 "When each report kind last finished well", labels=["kind"])
        counts = GaugeMetricFamily("tongtong_report_runs", "Report runs by kind and status",
                                   labels=["kind", "status"])
        beat = GaugeMetricFamily("tongtong_scheduler_heartbeat_age_seconds",
                                 "Seconds since the scheduler's last heartbeat (-1: never)")
        try:
            for status, count in db.session.execute(select(
                    EmailDelivery.status, func.count()).group_by(EmailDelivery.status)):
                outbox.add_metric([status], count)
            for kind, finished in db.session.execute(select(
                    ReportRun.kind, func.max(ReportRun.finished_at))
                    .where(ReportRun.status == "done").group_by(ReportRun.kind)):
                if finished is not None:
                    runs.add_metric([kind], finished.timestamp())
            for kind, status, count in db.session.execute(select(
                    ReportRun.kind, ReportRun.status, func.count())
                    .group_by(ReportRun.kind, ReportRun.status)):
                counts.add_metric([kind, status], count)
            age = heartbeat_age()
            beat.add_metric([], -1 if age is None else age)
        except Exception:  # a scrape during an outage still answers with what the process has
            db.session.rollback()
            return
        yield from (outbox, runs, counts, beat)


def allowed(address: str | None, networks: list[str]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in networks)


def render() -> bytes:
    """The process's (or, in multi-process mode, every worker's) metrics, then the database's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        counted = generate_latest(registry)
    else:
        counted = generate_latest(PROCESS_REGISTRY)
    read = CollectorRegistry(auto_describe=False)
    read.register(DatabaseCollector())
    return counted + generate_latest(read)


def init_app(app: Flask) -> None:
    @app.before_request
    def _started():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.pop("metrics_started", None)
        if started is not None and request.endpoint != "ops.metrics":
            endpoint = request.endpoint or "unmatched"
            REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)
        return response

    # Prometheus scrapes gunicorn directly over plain HTTP: no redirect to HTTPS (FORCE_HTTPS)
    @app.get("/metrics", endpoint="ops.metrics")
    @talisman(force_https=False)
    def metrics():
        if not allowed(request.remote_addr, current_app.config["METRICS_ALLOW"]):
            return Response("禁止访问\n", status=403, mimetype="text/plain")
        return Response(render(), mimetype=CONTENT_TYPE_LATEST)
