"""Prometheus metrics kept in the process (the official client; its multi-process mode under
gunicorn when ``PROMETHEUS_MULTIPROC_DIR`` is set before start). ``ops.metrics`` serves them.

Features count through the helpers here, never through prometheus_client directly, so the
metric names stay in one place.
"""

import functools
from collections.abc import Callable
from contextvars import ContextVar

from prometheus_client import Counter, Histogram

from volunteer.core.errors import DomainError

REQUESTS = Counter("tongtong_requests_total", "HTTP requests answered",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("tongtong_request_duration_seconds", "Time to answer a request",
                    ["endpoint"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
CLAIMS = Counter("tongtong_claims_total", "Task claims decided: won, or refused with a code",
                 ["outcome", "code"])

_in_claim: ContextVar[bool] = ContextVar("in_claim", default=False)


def counts_claims(successes: bool = True) -> Callable:
    """Count the outermost claim decision of a call: ``won`` when it returns (if
    ``successes``), ``refused`` with the error's code when it raises a DomainError."""

    def wrap(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def counted(*args, **kwargs):
            if _in_claim.get():
                return fn(*args, **kwargs)
            token = _in_claim.set(True)
            try:
                result = fn(*args, **kwargs)
            except DomainError as error:
                CLAIMS.labels("refused", error.code).inc()
                raise
            finally:
                _in_claim.reset(token)
            if successes:
                CLAIMS.labels("won", "").inc()
            return result

        return counted

    return wrap
