"""Structured logs: one line per request, the same format from the scheduler and the CLI.

``LOG_FORMAT=json`` writes JSON lines through python-json-logger (time, level, logger,
message, request id, worker pid, and for requests method, path without its query string,
status, duration and user id); the default is the same fields as readable text. A request id
comes from the ``X-Request-ID`` header when it is a sane token, or is made here, and is sent
back in the answer and stamped on every line logged while the request runs, so an error's one
traceback can be matched to its request line.
"""

import logging
import os
import re
import sys
import time
import uuid
from contextvars import ContextVar

from flask import Flask, g, request
from pythonjsonlogger.json import JsonFormatter

HEADER = "X-Request-ID"
SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(worker)s"

request_id: ContextVar[str] = ContextVar("request_id", default="-")
log = logging.getLogger("volunteer.request")


class ContextFilter(logging.Filter):
    """Stamp each record with the current request id and the worker's pid."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        record.worker = os.getpid()
        return True


def make_handler(fmt: str = "text", stream=None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(
            JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level",
                                        "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(ContextFilter())
    handler.set_name("volunteer")
    return handler


def configure(fmt: str = "text", level: str = "INFO", stream=None) -> None:
    """Send every logger's records (ours, the scheduler's, gunicorn's error log left alone)
    to one stderr handler in the chosen format; calling again replaces it."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == "volunteer":
            root.removeHandler(handler)
    root.addHandler(make_handler(fmt, stream))
    root.setLevel(getattr(logging, str(level).upper(), logging.INFO))


def init_app(app: Flask) -> None:
    """Request ids and the per-request line; configure the root logger outside tests."""
    if not app.testing:
        configure(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))

    @app.before_request
    def _begin():
        given = request.headers.get(HEADER, "")
        g.request_id = given if SANE_ID.match(given) else uuid.uuid4().hex
        g.request_token = request_id.set(g.request_id)
        g.request_started = time.perf_counter()

    @app.after_request
    def _end(response):
        rid = g.get("request_id")
        if rid is None:
            return response
        response.headers[HEADER] = rid
        user = g.get("_login_user")
        duration = round((time.perf_counter() - g.request_started) * 1000, 1)
        log.info("%s %s %s %sms", request.method, request.path, response.status_code, duration,
                 extra={"method": request.method, "path": request.path,
                        "status": response.status_code, "duration_ms": duration,
                        "user_id": getattr(user, "id", None)})
        return response

    @app.teardown_request
    def _forget(_error=None):
        token = g.pop("request_token", None)
        if token is not None:
            request_id.reset(token)
