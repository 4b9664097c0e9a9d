"""Running reports: the units of work the scheduler and the CLI call (the e-mail outbox is
``notifications.outbox``).

These are edges, like views: they commit. A report commits its run row first, then each chunk
of deliveries, so a crash loses at most one uncommitted chunk, which the next run redoes.
"""

import logging
from datetime import datetime

from volunteer.core.periods import Period
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.reports import services
from volunteer.reports.kinds import REPORTS

log = logging.getLogger("volunteer.reports")
CHUNK = 1000


def run_report(kind: str, period: Period, *, now: datetime | None = None,
               trigger: str = "manual", chunk: int = CHUNK) -> dict:
    """Run one report for one period; a period already done sends nothing."""
    now = now or utcnow()
    run = services.start_run(kind, period, trigger)
    db.session.commit()
    if run.status == "done":
        log.info("%s %s already sent; nothing to do", kind, period.key)
        return {"run_id": run.id, "new": 0, "recipients": run.recipients, "skipped": True}
    shared, recipients = services.build(kind, period, now)
    new = 0
    for start in range(0, len(recipients), chunk):
        new += services.deliver(run, recipients[start:start + chunk], now)
        db.session.commit()
    services.finish_run(run, shared, now)
    db.session.commit()
    log.info("%s %s: %s new deliveries, %s in all", kind, period.key, new, run.recipients)
    return {"run_id": run.id, "new": new, "recipients": run.recipients, "skipped": False}


def run_due_reports(now: datetime | None = None, kinds=tuple(REPORTS)) -> list[dict]:
    """Run every due period of each kind, catching up on periods missed while down."""
    now = now or utcnow()
    results = []
    for kind in kinds:
        for period in services.due_periods(kind, now):
            results.append({"kind": kind, "period": period.key,
                            **run_report(kind, period, now=now, trigger="scheduler")})
    return results
