"""Report runs queued from /admin/reports and run by the scheduler's report-requests job."""

import threading

import pytest
from sqlalchemy import func, select

from tests.reports.test_reports import district, local  # noqa: F401  (the fixture)
from volunteer.core.errors import Conflict, NotAllowed, ValidationFailed
from volunteer.extensions import db
from volunteer.reports import queue
from volunteer.reports.models import ReportDelivery, ReportRequest, ReportRun

NOW = local(2026, 7, 2, 9)


def test_queue_refuses_the_wrong_people_periods_and_duplicates(district):  # noqa: F811
    admin = district["admin"]
    with pytest.raises(NotAllowed):
        queue.request_run(district["secretary"], "quarterly-bulletin", "2026Q1", NOW)
    for kind, period, field in (("weekly", "2026Q1", "kind"),
                                ("quarterly-bulletin", "2026-03", "period"),
                                ("quarterly-bulletin", "上个月", "period"),
                                ("quarterly-bulletin", "9999Q1", "period"),
                                ("quarterly-bulletin", "2026Q3", "period")):  # not due yet
        with pytest.raises(ValidationFailed) as refused:
            queue.request_run(admin, kind, period, NOW)
        assert field in refused.value.fields, (kind, period)
    first = queue.request_run(admin, "quarterly-bulletin", "2026Q1", NOW)
    db.session.commit()
    assert first.status == "queued" and first.status_label == "排队中"
    with pytest.raises(Conflict, match="已在排队或运行中"):
        queue.request_run(admin, "quarterly-bulletin", "2026q1", NOW)
    queue.request_run(admin, "quarterly-bulletin", "2026Q2", NOW)  # another period is fine
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ReportRequest)) == 2


def test_the_scheduler_job_runs_a_request_once(app, district):  # noqa: F811
    from volunteer.scheduler import _report_requests, run_job

    request_id = queue.request_run(district["admin"], "quarterly-bulletin", "2026Q1", NOW).id
    db.session.commit()
    result = run_job(app, _report_requests, "report-requests")
    assert result == {"requests_done": 1, "requests_failed": 0}
    request = db.session.get(ReportRequest, request_id)
    assert request.status == "done" and request.run_id and request.new_deliveries > 0
    delivered = db.session.scalar(select(func.count()).select_from(ReportDelivery))
    assert db.session.get(ReportRun, request.run_id).trigger == "request"
    # asked again once done: queued, run, nothing sent twice
    again = queue.request_run(district["admin"], "quarterly-bulletin", "2026Q1", NOW).id
    db.session.commit()
    assert run_job(app, _report_requests, "report-requests")["requests_done"] == 1
    assert db.session.get(ReportRequest, again).new_deliveries == 0
    assert db.session.scalar(select(func.count()).select_from(ReportDelivery)) == delivered
    db.session.commit()  # the test's own read transaction ends (SQLite: one writer)
    assert run_job(app, _report_requests, "report-requests") == {"requests_done": 0,
                                                                "requests_failed": 0}


def test_a_failed_run_is_recorded_with_its_error(app, district, monkeypatch):  # noqa: F811
    from volunteer.reports import runner

    def broken(*args, **kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(runner, "run_report", broken)
    request_id = queue.request_run(district["admin"], "half-year-summary", "2026H1", NOW).id
    db.session.commit()
    assert queue.run_requested_reports(NOW) == {"requests_done": 0, "requests_failed": 1}
    request = db.session.get(ReportRequest, request_id)
    assert request.status == "failed" and "磁盘已满" in request.error
    # a failed request no longer blocks asking again
    queue.request_run(district["admin"], "half-year-summary", "2026H1", NOW)


def test_a_request_left_running_by_a_dead_scheduler_is_taken_again(district):  # noqa: F811
    request_id = queue.request_run(district["admin"], "monthly-reminder", "2026-06", NOW).id
    db.session.commit()
    assert queue.claim_next(NOW, "dead:1").id == request_id
    assert queue.claim_next(NOW, "other:2") is None  # running, not stale
    later = NOW + queue.STALE_AFTER * 2
    assert queue.claim_next(later, "other:2").claimed_by == "other:2"


def test_two_schedulers_claim_each_request_exactly_once(app, district, db_url):  # noqa: F811
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrency is tested on PostgreSQL")
    admin = district["admin"]
    ids = [queue.request_run(admin, "monthly-reminder", key, NOW).id
           for key in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06")]
    db.session.commit()
    barrier = threading.Barrier(4)
    claimed: list[tuple[str, int]] = []
    errors = []

    def scheduler(name):
        with app.app_context():
            try:
                barrier.wait()
                while (request := queue.claim_next(NOW, name)) is not None:
                    claimed.append((name, request.id))
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scheduler, args=(f"s{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(request_id for _name, request_id in claimed) == sorted(ids)
    db.session.expire_all()
    rows = db.session.scalars(select(ReportRequest)).all()
    assert {row.status for row in rows} == {"running"}
    assert {row.id: row.claimed_by for row in rows} == {i: n for n, i in claimed}


def test_the_page_queues_and_shows_the_state(app, district, client, login):  # noqa: F811
    from volunteer.scheduler import _report_requests, run_job

    login(district["secretary"])
    assert client.get("/admin/reports").status_code == 403
    assert client.post("/admin/reports/requests",
                       data={"kind": "quarterly-bulletin", "period": "2026Q1"}).status_code == 403
    login(district["admin"])
    page = client.get("/admin/reports").get_data(as_text=True)
    assert 'data-testid="rerun-quarterly-bulletin"' in page and "data-confirm" in page
    response = client.post("/admin/reports/requests",
                           data={"kind": "quarterly-bulletin", "period": "2026Q1"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已排队" in page and "排队中" in page
    page = client.post("/admin/reports/requests",
                       data={"kind": "quarterly-bulletin", "period": "2026Q1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "请勿重复提交" in page
    page = client.post("/admin/reports/requests", data={"kind": "x", "period": "上个月"},
                       follow_redirects=True).get_data(as_text=True)
    assert "未能提交" in page
    assert db.session.scalar(select(func.count()).select_from(ReportRequest)) == 1
    db.session.commit()  # the test's own read transaction ends (SQLite: one writer)
    assert run_job(app, _report_requests, "report-requests")["requests_done"] == 1
    page = client.get("/admin/reports").get_data(as_text=True)
    assert "完成" in page and "新发送" in page
