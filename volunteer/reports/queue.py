"""Report runs asked for from /admin/reports: queued by a web request, run by the scheduler.

A web worker never builds a district report (minutes of aggregates for 27,000 members): the
page adds a ``ReportRequest`` row and the scheduler's ``report-requests`` job runs it with the
same ``runner.run_report`` as ``volunteer reports run``, so running a period again sends
nothing twice.

Claiming is exactly-once even with two schedulers: a candidate is read (on PostgreSQL with
``FOR UPDATE SKIP LOCKED``, so a second scheduler passes over a row being claimed instead of
waiting for it) and taken by a conditional UPDATE (``WHERE status = 'queued'``) that only one
transaction can win: the loser's UPDATE matches no row once the winner has committed. A
request left running by a scheduler that died is taken again after ``STALE_AFTER`` (its run
resumes where it stopped; deliveries are unique).
"""

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from volunteer.audit.services import record_action
from volunteer.core.errors import Conflict, NotAllowed, ValidationFailed
from volunteer.core.time import local_zone, utcnow
from volunteer.extensions import db
from volunteer.reports import services
from volunteer.reports.kinds import REPORTS
from volunteer.reports.models import ReportRequest, ReportRun
from volunteer.reports.permissions import can_request_report_run

STALE_AFTER = timedelta(hours=2)
MAX_PER_TICK = 5  # requests one tick of the job runs at most (the rest wait a minute)
RECENT = 20
WAITING = ("queued", "running")


def recent_periods(kind: str, now: datetime, count: int = 8) -> list[tuple]:
    """The periods of ``kind`` a run may be asked for, the latest due one first, each as
    ``(period, sent)`` (``sent``: its run is done)."""
    period = services.latest_due(kind, now)
    found = []
    for _ in range(count):
        found.append(period)
        period = period.previous()
    done = set(db.session.scalars(select(ReportRun.period).where(
        ReportRun.kind == kind, ReportRun.status == "done",
        ReportRun.period.in_([p.key for p in found]))))
    return [(p, p.key in done) for p in found]


def request_run(user, kind: str, period_text: str | None, now: datetime | None = None
                ) -> ReportRequest:
    """Queue a run of ``kind`` for a period; refuses one already waiting or running."""
    if not can_request_report_run(user):
        raise NotAllowed("只有区委组织部管理员可以补发报告")
    now = now or utcnow()
    kind = services.check_kind(kind or "")
    period = services.parse_report_period(kind, period_text or "")
    if services.due_at(kind, period) > now:
        due = services.due_at(kind, period).astimezone(local_zone())
        raise ValidationFailed(f"{period.label}的{REPORTS[kind].label}要到 {due:%Y-%m-%d %H:%M} "
                               "才能发送", fields={"period": "该期间尚未到发送时间"})
    if _waiting(kind, period.key) is not None:
        raise Conflict(f"{period.label}的{REPORTS[kind].label}已在排队或运行中，请勿重复提交")
    request = ReportRequest(kind=kind, period=period.key, requested_by_id=user.id,
                            requested_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(request)
            db.session.flush()
    except IntegrityError:  # another admin queued the same one a moment ago
        raise Conflict(f"{period.label}的{REPORTS[kind].label}已在排队或运行中，请勿重复提交") \
            from None
    record_action(user, "request_report_run", request, kind=kind, period=period.key)
    return request


def _waiting(kind: str, period_key: str) -> ReportRequest | None:
    return db.session.scalar(select(ReportRequest).where(
        ReportRequest.kind == kind, ReportRequest.period == period_key,
        ReportRequest.status.in_(WAITING)))


def list_requests(viewer, limit: int = RECENT) -> list[ReportRequest]:
    if not can_request_report_run(viewer):
        raise NotAllowed()
    return list(db.session.scalars(select(ReportRequest).order_by(ReportRequest.id.desc())
                                   .limit(limit)))


def _claimable(now: datetime):
    return or_(ReportRequest.status == "queued",
               and_(ReportRequest.status == "running",
                    ReportRequest.started_at < now - STALE_AFTER))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def claim_next(now: datetime | None = None, worker: str | None = None) -> ReportRequest | None:
    """Take the oldest waiting request for this worker and commit, or None. Exactly one of
    several schedulers claiming at once gets each request."""
    now = now or utcnow()
    worker = worker or worker_name()
    for _attempt in range(MAX_PER_TICK):
        candidate = db.session.scalar(
            select(ReportRequest.id).where(_claimable(now)).order_by(ReportRequest.id)
            .limit(1).with_for_update(skip_locked=True))
        if candidate is None:
            db.session.rollback()
            return None
        taken = db.session.execute(
            update(ReportRequest)
            .where(ReportRequest.id == candidate, _claimable(now))
            .values(status="running", started_at=now, claimed_by=worker, error=None)
            .execution_options(synchronize_session=False))
        db.session.commit()
        if taken.rowcount == 1:
            return db.session.get(ReportRequest, candidate)
    return None


def run_claimed(request: ReportRequest) -> ReportRequest:
    """Run a claimed request with the CLI's runner and record how it ended (committed)."""
    from volunteer.reports.runner import run_report

    request_id = request.id
    try:
        period = services.parse_report_period(request.kind, request.period)
        result = run_report(request.kind, period, trigger="request")
    except Exception as error:  # noqa: BLE001  (recorded on the request, shown on the page)
        db.session.rollback()
        request = db.session.get(ReportRequest, request_id)
        request.status, request.finished_at = "failed", utcnow()
        reason = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        request.error = reason[:500]
        db.session.commit()
        return request
    request = db.session.get(ReportRequest, request_id)
    request.status, request.finished_at = "done", utcnow()
    request.run_id, request.new_deliveries = result["run_id"], result["new"]
    db.session.commit()
    return request


def run_requested_reports(now: datetime | None = None, worker: str | None = None) -> dict:
    """The scheduler job: claim and run waiting requests, a few per tick."""
    done = failed = 0
    for _ in range(MAX_PER_TICK):
        request = claim_next(now, worker)
        if request is None:
            break
        finished = run_claimed(request)
        done += finished.status == "done"
        failed += finished.status == "failed"
    return {"requests_done": done, "requests_failed": failed}
