"""Scheduler wiring and its short-period jobs, called with a fixed ``now``."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.reports.test_reports import local
from volunteer.extensions import db
from volunteer.notifications.models import Notification


def _count(kind):
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == kind))


def test_jobs_are_wired_with_fixed_ids(app):
    from volunteer.scheduler import build_scheduler

    scheduler = build_scheduler(app, background=True)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"monthly-reminder", "quarterly-bulletin", "half-year-summary",
                         "report-requests", "outbox", "task-reminders", "overdue-alerts",
                         "housekeeping", "heartbeat"}
    monthly = str(jobs["monthly-reminder"].trigger)
    assert "day='1'" in monthly and "hour='9'" in monthly
    assert "month='1,4,7,10'" in str(jobs["quarterly-bulletin"].trigger)
    assert "month='1,7'" in str(jobs["half-year-summary"].trigger)
    assert scheduler._job_defaults["misfire_grace_time"] >= 3600
    assert scheduler._job_defaults["coalesce"] is True


def test_run_job_commits_and_survives_errors(app):
    from volunteer.scheduler import run_job

    def boom(now):
        raise RuntimeError("broken job")

    assert run_job(app, boom, "boom") is None  # logged, rolled back, not raised
    assert run_job(app, lambda now: {"ok": now is not None}, "ok") == {"ok": True}


def test_before_task_reminders_once_each(ctx, make_member, make_claimed_task):
    member = make_member()
    start = local(2026, 5, 2, 9)
    make_claimed_task(member, start)
    from volunteer.tasks.services import send_task_reminders

    assert send_task_reminders(start - timedelta(hours=30)) == 0
    assert send_task_reminders(start - timedelta(hours=23)) == 1  # the 24-hour reminder
    assert send_task_reminders(start - timedelta(hours=22)) == 0
    assert send_task_reminders(start - timedelta(minutes=110)) == 1  # the 2-hour reminder
    assert send_task_reminders(start - timedelta(minutes=60)) == 0
    db.session.commit()
    assert _count("task_reminder") == 2


def test_late_claim_gets_only_the_two_hour_reminder(ctx, make_member, make_claimed_task):
    member = make_member()
    start = local(2026, 5, 2, 9)
    make_claimed_task(member, start)
    from volunteer.tasks.services import send_task_reminders

    assert send_task_reminders(start - timedelta(minutes=50)) == 1
    assert send_task_reminders(start - timedelta(minutes=40)) == 0


def test_overdue_alerts_once_a_day(ctx, make_community, make_staff):
    from volunteer.reports.alerts import alert_overdue
    from volunteer.requests.models import ServiceRequest

    community = make_community()
    make_staff("community_secretary", community)
    db.session.add(ServiceRequest(
        tracking_code="T000000001", community_id=community.id, street_id=community.street_id,
        name="李大爷", phone="13900001111", address="公园一村3幢", category="errand",
        description="代购药品", status="submitted", created_at=local(2026, 5, 1, 8)))
    db.session.commit()
    assert alert_overdue(local(2026, 5, 1, 20)) == 0  # not yet 24 hours
    assert alert_overdue(local(2026, 5, 2, 9)) == 1
    assert alert_overdue(local(2026, 5, 2, 10)) == 0  # already told today
    db.session.commit()
    note = db.session.scalar(select(Notification).where(Notification.kind == "overdue_alert"))
    assert "1 件居民点单" in note.body and "李大爷" not in note.body
