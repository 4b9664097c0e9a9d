"""Recording audit rows."""

from volunteer.audit.models import AuditLog
from volunteer.extensions import db


def record_action(actor, action: str, obj, **detail) -> AuditLog:
    """Add an audit row for ``actor`` doing ``action`` to ``obj`` (flushed with the work)."""
    row = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=type(obj).__tablename__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        detail=detail,
    )
    db.session.add(row)
    return row
