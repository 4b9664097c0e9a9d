"""The scheduler: only wiring of (job function, trigger, id), in Asia/Shanghai time.

Runs as its own process (`volunteer scheduler`), never inside the web workers; `volunteer demo`
runs it in a background thread of the single demo process. Exactly-once delivery comes from the
database (see reports.services), not from the scheduler.
"""

import logging
from collections.abc import Callable
from contextlib import suppress

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from volunteer.core.outage import is_outage, record_outage
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.reports.kinds import REPORTS

log = logging.getLogger("volunteer.scheduler")


def _report(kind: str) -> Callable:
    """The job for one report kind: run its due periods (catching up missed ones)."""

    def job(now):
        from volunteer.reports.runner import run_due_reports

        return run_due_reports(now, kinds=(kind,))

    return job


def _report_requests(now):
    """Runs asked for from /admin/reports (queued there, never run in a web worker)."""
    from volunteer.reports.queue import run_requested_reports

    return run_requested_reports(now)


def _outbox(now):
    from volunteer.notifications.outbox import send_due_emails

    return send_due_emails(now)


def _task_reminders(now):
    from volunteer.tasks.services import flag_forgotten_checkouts, send_task_reminders

    return {"reminders": send_task_reminders(now),
            "forgotten_checkouts": flag_forgotten_checkouts(now)}


def _overdue_alerts(now):
    from volunteer.reports.alerts import alert_overdue

    return {"secretaries_told": alert_overdue(now)}


def _housekeeping(now):
    from volunteer.accounts.recovery import purge_reset_codes
    from volunteer.auth.services import purge_web_sessions
    from volunteer.core.periods import containing, local_date
    from volunteer.core.sheets import purge_reports
    from volunteer.core.throttle import purge_events
    from volunteer.privacy.services import purge_personal_data
    from volunteer.stats import summaries as summary

    purged = purge_events()
    reports_purged = purge_reports()
    sessions_purged = purge_web_sessions()
    codes_purged = purge_reset_codes()
    # the summary is kept current as claims are confirmed; this rebuild of the last two
    # months only repairs what a change made outside the tasks service left behind
    month = containing("month", local_date(now))
    summary_rows = summary.rebuild([month.previous(), month])
    # PIPL retention: closed requests' and wishes' personal data, the audit log past its floor
    retention = purge_personal_data(now)
    if db.engine.dialect.name == "sqlite":
        db.session.execute(db.text("PRAGMA optimize"))
    return {"throttle_purged": purged, "summary_rows": summary_rows,
            "import_reports_purged": reports_purged, "web_sessions_purged": sessions_purged,
            "reset_codes_purged": codes_purged, **retention}


def heartbeat(now):
    from volunteer.ops.services import record_heartbeat

    record_heartbeat(now)
    return "ok"


def jobs(tz: str) -> list[tuple[Callable, object, str]]:
    """(job function, trigger, id) for every periodic job."""
    return [
        *[(_report(code), CronTrigger(**report.cron(), timezone=tz), code)
          for code, report in REPORTS.items()],
        (heartbeat, IntervalTrigger(minutes=1, timezone=tz), "heartbeat"),
        (_report_requests, IntervalTrigger(minutes=1, timezone=tz), "report-requests"),
        (_outbox, IntervalTrigger(minutes=1, timezone=tz), "outbox"),
        (_task_reminders, IntervalTrigger(minutes=5, timezone=tz), "task-reminders"),
        (_overdue_alerts, CronTrigger(minute=15, timezone=tz), "overdue-alerts"),
        (_housekeeping, CronTrigger(hour=3, minute=40, timezone=tz), "housekeeping"),
    ]


def run_job(app: Flask, fn: Callable, name: str):
    """Run one job in its own app context; commit on success, roll back and log on failure."""
    with app.app_context():
        try:
            result = fn(utcnow())
            db.session.commit()
            log.info("job %s: %s", name, result)
            return result
        except Exception as error:
            if is_outage(error):  # one line per outage, not a traceback per run
                record_outage(error)
                log.warning("job %s skipped: the database is unavailable", name)
                with suppress(Exception):
                    db.session.rollback()
                return None
            db.session.rollback()
            log.exception("job %s failed", name)
            return None
        finally:
            db.session.remove()


def catch_up(app: Flask) -> None:
    """On start: run every report period that came due while the scheduler was down."""
    from volunteer.reports.runner import run_due_reports

    run_job(app, run_due_reports, "catch-up")


def build_scheduler(app: Flask, background: bool = False):
    """A scheduler with every job registered (fixed ids, generous misfire grace, coalesced)."""
    tz = app.config["TIMEZONE"]
    cls = BackgroundScheduler if background else BlockingScheduler
    scheduler = cls(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1,
                                               "misfire_grace_time": 6 * 3600})
    for fn, trigger, job_id in jobs(tz):
        scheduler.add_job(run_job, trigger, args=[app, fn, job_id], id=job_id, name=job_id,
                          replace_existing=True)
    return scheduler
