"""The outbox driver: the unit of work the scheduler's ``outbox`` job and the CLI call.

An edge, like a view: it commits. Each batch of due e-mail copies is leased and committed first,
then every copy is sent and its outcome committed on its own, so a crash loses at most one send.
"""

from datetime import datetime

from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.services import claim_due_emails, deliver_email


def send_due_emails(now: datetime | None = None, batch: int = 100) -> dict:
    """The outbox: send the e-mail copies that are due, after their notifications committed."""
    now = now or utcnow()
    sent = failed = 0
    while True:
        leased = claim_due_emails(now, batch)
        db.session.commit()
        if not leased:
            break
        for delivery_id in leased:
            if deliver_email(delivery_id, now):
                sent += 1
            else:
                failed += 1
            db.session.commit()
        if len(leased) < batch:
            break
    return {"sent": sent, "failed": failed}
