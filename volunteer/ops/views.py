"""``/healthz`` and ``/readyz`` for load balancers and process supervisors."""

from flask import Blueprint, jsonify

from volunteer.ops import services

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; no database touched."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """200 when the database answers and is migrated to head, 503 otherwise."""
    ready, body = services.readiness()
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    if not ready:
        response.headers["Retry-After"] = "10"
    return response
