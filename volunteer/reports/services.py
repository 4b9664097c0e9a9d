"""Building and delivering the three periodic reports, exactly once per period and recipient.

A run is one ``ReportRun`` row per (kind, period), unique in the database; every recipient's
delivery is one ``ReportDelivery`` row per (run, recipient), inserted with ON CONFLICT DO
NOTHING, and only the rows this runner inserted get an inbox message. A second runner — a
restarted scheduler, a second scheduler started by mistake, a hand run — therefore sends
nothing twice, and a run that died half-way resumes where it stopped.
"""

from datetime import datetime

from sqlalchemy import Integer, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from volunteer.core.errors import NotAllowed, NotFound, ValidationFailed
from volunteer.core.periods import Period, containing, local_date, parse_period
from volunteer.core.replica import reading_from_replica
from volunteer.core.time import local_zone, utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify_many
from volunteer.reports.kinds import REPORTS
from volunteer.reports.models import ReportDelivery, ReportRun


def check_kind(kind: str) -> str:
    if kind not in REPORTS:
        raise ValidationFailed(f"未知的报告类别：{kind}（应为 {', '.join(REPORTS)}）",
                               fields={"kind": "类别无效"})
    return kind


def parse_report_period(kind: str, text: str) -> Period:
    """The period of a report: ``2026-10`` (reminder), ``2026Q3`` (bulletin), ``2026H1``."""
    period = parse_period(text)
    report = REPORTS[check_kind(kind)]
    if period.kind != report.period_kind:
        raise ValidationFailed(f"{report.label}的期间格式应如 {report.example}",
                               fields={"period": f"应如 {report.example}"})
    return period


def due_at(kind: str, period: Period) -> datetime:
    """When a report is sent: the reminder on the 1st of its month, the others after the period."""
    report = REPORTS[kind]
    day = period.start if report.sent_at_start else period.end
    return datetime.combine(day, report.send_time, local_zone())


def latest_due(kind: str, now: datetime) -> Period:
    """The most recent period of ``kind`` whose send time has passed at ``now``."""
    today = local_date(now)
    period = containing(REPORTS[kind].period_kind, today)
    if not REPORTS[kind].sent_at_start:
        period = period.previous()
    while due_at(kind, period) > now:
        period = period.previous()
    return period


def due_periods(kind: str, now: datetime) -> list[Period]:
    """Periods to run at ``now``: the latest due one, and earlier ones missed while down.

    Looks back at most the kind's ``catch_up`` periods and stops at the first one already done, so a
    fresh installation sends only the latest period, not a year of history.
    """
    found: list[Period] = []
    period = latest_due(kind, now)
    for _ in range(REPORTS[kind].catch_up):
        run = get_run(kind, period.key)
        if run is not None and run.status == "done":
            break
        found.append(period)
        period = period.previous()
    return list(reversed(found))


def get_run(kind: str, period_key: str) -> ReportRun | None:
    return db.session.scalar(select(ReportRun).where(ReportRun.kind == kind,
                                                     ReportRun.period == period_key))


def start_run(kind: str, period: Period, trigger: str = "scheduler") -> ReportRun:
    """The run of (kind, period): created once, found again by every later runner."""
    run = get_run(kind, period.key)
    if run is not None:
        return run
    try:
        with db.session.begin_nested():
            run = ReportRun(kind=kind, period=period.key, trigger=trigger)
            db.session.add(run)
            db.session.flush()
    except IntegrityError:
        run = get_run(kind, period.key)
    return run


def build(kind: str, period: Period, now: datetime) -> tuple[dict, list[dict]]:
    """The run's shared content and one entry per recipient (computed in SQL aggregates), read
    from the replica when there is one; the deliveries are then written to the primary."""
    with reading_from_replica():
        return REPORTS[kind].build(period, now)


def _insert_ignoring_duplicates(rows: list[dict]):
    dialect = db.engine.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(ReportDelivery).on_conflict_do_nothing(index_elements=["run_id", "user_id"])
    return db.session.execute(stmt.returning(ReportDelivery.id, ReportDelivery.user_id),
                              rows).all()


def deliver(run: ReportRun, recipients: list[dict], now: datetime | None = None) -> int:
    """Deliver to the recipients not yet served by this run; answers how many were new."""
    if not recipients:
        return 0
    now = now or utcnow()
    rows = [{"run_id": run.id, "user_id": r["user_id"], "audience": r["audience"],
             "title": r["title"], "payload": r["payload"], "created_at": now}
            for r in recipients]
    inserted = _insert_ignoring_duplicates(rows)
    if not inserted:
        return 0
    delivery_of = {user_id: delivery_id for delivery_id, user_id in inserted}
    fresh = [r for r in recipients if r["user_id"] in delivery_of]
    kind = REPORTS[run.kind].notification_kind
    notification_ids = notify_many([
        {"user_id": r["user_id"], "kind": kind, "title": r["title"], "body": r["body"],
         "link": f"/reports/{delivery_of[r['user_id']]}", "email": r.get("email")}
        for r in fresh], email_kind=kind, now=now)
    _link_notifications([(delivery_of[uid], nid) for uid, nid in notification_ids.items()])
    return len(fresh)


# one statement for every delivery of a run on PostgreSQL: the pairs travel as two arrays
_LINK_PG = text(
    "UPDATE report_deliveries SET notification_id = pairs.notification_id"
    " FROM unnest(:delivery_ids, :notification_ids) AS pairs(id, notification_id)"
    " WHERE report_deliveries.id = pairs.id"
).bindparams(bindparam("delivery_ids", type_=ARRAY(Integer)),
             bindparam("notification_ids", type_=ARRAY(Integer)))


def _link_notifications(pairs: list[tuple[int, int]]) -> None:
    """Record each delivery's inbox message (``(delivery id, notification id)`` pairs).

    On PostgreSQL one UPDATE joined to the pairs unnested from two arrays: the ORM's bulk
    update by primary key sends one statement per row, which took 8–30 s for the monthly
    reminder's 25,941 deliveries. SQLite keeps the per-row form (fast there: no round trips).
    """
    if not pairs:
        return
    if db.engine.dialect.name == "postgresql":
        delivery_ids, notification_ids = map(list, zip(*pairs, strict=True))
        db.session.execute(_LINK_PG, {"delivery_ids": delivery_ids,
                                      "notification_ids": notification_ids})
        return
    db.session.execute(update(ReportDelivery), [
        {"id": delivery_id, "notification_id": notification_id}
        for delivery_id, notification_id in pairs])


def finish_run(run: ReportRun, shared: dict, now: datetime | None = None) -> None:
    """Mark the run done with its shared content and recipient count."""
    run.content = shared
    run.status = "done"
    run.finished_at = now or utcnow()
    run.recipients = db.session.scalar(
        select(db.func.count()).select_from(ReportDelivery).where(ReportDelivery.run_id == run.id))


def list_runs_stmt(viewer):
    """Every run, newest first (the district admin's view of the archive)."""
    if viewer.role != "district_admin":
        raise NotAllowed()
    return select(ReportRun).order_by(ReportRun.started_at.desc(), ReportRun.id.desc())


def list_deliveries_stmt(viewer, kind: str | None = None):
    """The reports addressed to ``viewer``, newest first."""
    stmt = select(ReportDelivery).where(ReportDelivery.user_id == viewer.id).order_by(
        ReportDelivery.id.desc())
    if kind:
        stmt = stmt.join(ReportRun).where(ReportRun.kind == check_kind(kind))
    return stmt


def get_delivery(viewer, delivery_id: int) -> ReportDelivery:
    """One report addressed to ``viewer`` (the district admin may open any)."""
    delivery = db.session.get(ReportDelivery, delivery_id)
    if delivery is None:
        raise NotFound("找不到该报告")
    if delivery.user_id != viewer.id and viewer.role != "district_admin":
        raise NotAllowed()
    return delivery


def get_run_for(viewer, run_id: int) -> ReportRun:
    run = db.session.get(ReportRun, run_id)
    if run is None:
        raise NotFound("找不到该报告")
    if viewer.role != "district_admin":
        raise NotAllowed()
    return run


def email_counts(run_ids: list[int]) -> dict[int, dict[str, int]]:
    """E-mail outcomes per run: ``{run_id: {"sent": n, "pending": n, "failed": n}}``."""
    from volunteer.notifications.models import EmailDelivery

    counts: dict[int, dict[str, int]] = {run_id: {"sent": 0, "pending": 0, "failed": 0}
                                         for run_id in run_ids}
    if not run_ids:
        return counts
    stmt = (select(ReportDelivery.run_id, EmailDelivery.status, db.func.count())
            .join(EmailDelivery, EmailDelivery.notification_id == ReportDelivery.notification_id)
            .where(ReportDelivery.run_id.in_(run_ids))
            .group_by(ReportDelivery.run_id, EmailDelivery.status))
    for run_id, status, number in db.session.execute(stmt):
        counts[run_id][status] = number
    return counts


def tables_of(delivery) -> tuple[dict, list | None]:
    """The tables a recipient may see of their report (the district sees the whole bulletin)."""
    payload, run = delivery.payload, delivery.run
    audience = payload.get("audience")
    if run.kind == "quarterly-bulletin":
        if audience == "district":
            return run.content.get("tables", {}), None
        if audience == "street":
            return {"street": [payload["street"]] if payload.get("street") else [],
                    "community": payload.get("communities", [])}, None
        if audience == "community":
            return {"community": [payload["community"]] if payload.get("community") else []}, None
        if audience == "unit":
            return {"unit": [payload["unit"]] if payload.get("unit") else []}, \
                payload.get("members", [])
    if audience in ("unit", "branch_secretary"):
        return {}, payload.get("members", [])
    if audience == "street" and run.kind == "half-year-summary":
        return {}, payload.get("candidates", [])
    return {}, None


def has_ranking(delivery, tables: dict) -> bool:
    """Whether a recipient's report ranks anything (then, and only then, it explains the score):
    a bulletin's tables, a member's half-year rank (not 未参与), a street's candidates."""
    payload, kind = delivery.payload, delivery.run.kind
    if kind == "quarterly-bulletin":
        return any(tables.values())
    if kind == "half-year-summary":
        return payload.get("rank") is not None or bool(payload.get("candidates"))
    return False
