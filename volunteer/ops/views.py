"""``/healthz`` and ``/readyz`` for load balancers and process supervisors."""

from flask import Blueprint, jsonify

from volunteer.extensions import talisman
from volunteer.ops import services

bp = Blueprint("ops", __name__)


# Probes ask gunicorn directly over plain HTTP (127.0.0.1:8000): never redirected to HTTPS,
# even when VOLUNTEER_FORCE_HTTPS is on (nginx redirects the public site itself)
@bp.get("/healthz")
@talisman(force_https=False)
def healthz():
    """The process answers; no database touched."""
    return jsonify(status="ok")


@bp.get("/readyz")
@talisman(force_https=False)
def readyz():
    """200 when the database answers and is migrated to head, 503 otherwise."""
    ready, body = services.readiness()
    response = jsonify(body)
    response.status_code = 200 if ready else 503
    if not ready:
        response.headers["Retry-After"] = "10"
    return response
