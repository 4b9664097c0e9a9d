"""The three reports: figures, recipients, exactly-once delivery, catch-up, archive, e-mail."""

import email
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from volunteer.core.periods import parse_period
from volunteer.extensions import db
from volunteer.notifications.models import EmailDelivery, EmailOptOut, Notification
from volunteer.notifications.outbox import send_due_emails
from volunteer.reports import runner, services
from volunteer.reports.kinds import REPORTS
from volunteer.reports.models import ReportDelivery, ReportRun
from volunteer.stats import figures

CST = timezone(timedelta(hours=8))


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def district(make_community, make_member, make_staff, make_service, make_unit, make_branch):
    """One community with an active and an inactive member, and its staff."""
    community = make_community("公园社区")
    unit = make_unit("南通市第二中学")
    branch = make_branch(community, "公园社区功能型党支部")
    active = make_member(community, unit=unit, branch=branch, name="顾丽")
    idle = make_member(community, unit=unit, branch=branch, name="周荣祥")
    secretary = make_staff("community_secretary", community)
    pending = make_member(community, status="pending")
    for person in (active, idle, pending):  # reported before the periods under test
        person.created_at = local(2025, 12, 1)
    db.session.commit()
    for day in (10, 20):
        make_service(active, local(2026, 3, day, 12, 0), minutes=150, quality=4, satisfaction=5)
    make_service(active, local(2026, 3, 31, 23, 30), minutes=150, quality=5)  # still Q1
    make_service(active, local(2026, 4, 1, 0, 30), minutes=60)  # Q2: not counted
    make_service(idle, local(2026, 3, 5, 12), minutes=60, no_show=True)  # a no-show
    staff = {
        "secretary": secretary,
        "admin": make_staff("district_admin"),
        "reviewer": make_staff("street_reviewer", community.street),
        "unit": make_staff("unit_contact", unit),
        "branch": make_staff("branch_secretary", branch),
    }
    return {"community": community, "active": active, "idle": idle, "unit": unit, **staff}


def test_figures_match_hand_computation(district):
    q1 = parse_period("2026Q1")
    rows = {r["name"]: r for r in figures.member_rows(q1)}
    assert rows["顾丽"]["services"] == 3 and rows["顾丽"]["hours"] == 7.5
    assert rows["顾丽"]["avg_quality"] == round((4 + 4 + 5) / 3, 2)
    assert rows["顾丽"]["avg_satisfaction"] == 5.0
    assert rows["周荣祥"]["services"] == 0 and rows["周荣祥"]["hours"] == 0
    (community,) = figures.group_rows("community", q1, now=local(2026, 4, 2))
    assert community["registered"] == 3 and community["approved"] == 2
    assert community["active"] == 1 and community["participation"] == 0.5
    assert community["hours"] == 7.5 and community["tasks_completed"] == 4
    (unit,) = [u for u in figures.group_rows("unit", q1) if u["name"] == "南通市第二中学"]
    assert unit["active"] == 1 and unit["tasks_posted"] is None


def test_monthly_reminder_nudges_the_idle(district):
    result = runner.run_report("monthly-reminder", parse_period("2026-04"),
                               now=local(2026, 4, 1, 9))
    assert result["new"] == 4  # two members, the branch and the community secretary
    active = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.user_id == district["active"].id))
    idle = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.user_id == district["idle"].id))
    assert active.payload["hours"] == 7.5 and active.payload["nudge"] is False
    assert idle.payload["nudge"] is True
    note = db.session.get(Notification, idle.notification_id)
    assert "还没有参加社区服务" in note.body
    secretary = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.user_id == district["secretary"].id))
    assert [m["name"] for m in secretary.payload["idle_members"]] == ["周荣祥"]
    branch = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.user_id == district["branch"].id))
    assert {m["name"] for m in branch.payload["members"]} == {"顾丽", "周荣祥"}


def test_each_delivery_points_at_its_own_inbox_message(district):
    """Deliveries and messages are linked both ways, chunk after chunk (one UPDATE per chunk
    on PostgreSQL, one per row on SQLite)."""
    runner.run_report("monthly-reminder", parse_period("2026-04"), now=local(2026, 4, 1, 9),
                      chunk=3)
    pairs = db.session.execute(select(ReportDelivery, Notification).join(
        Notification, Notification.id == ReportDelivery.notification_id)).all()
    assert len(pairs) == count(ReportDelivery) == 4
    for delivery, note in pairs:
        assert note.user_id == delivery.user_id and note.link == f"/reports/{delivery.id}"


def test_recipients_of_the_bulletin(district):
    runner.run_report("quarterly-bulletin", parse_period("2026Q1"), now=local(2026, 4, 1, 9, 30))
    audiences = dict(db.session.execute(select(ReportDelivery.user_id,
                                                ReportDelivery.audience)).all())
    assert audiences == {district["admin"].id: "district", district["reviewer"].id: "street",
                         district["secretary"].id: "community", district["unit"].id: "unit"}
    unit = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.user_id == district["unit"].id))
    assert {m["name"] for m in unit.payload["members"]} == {"顾丽", "周荣祥"}
    assert "phone" not in unit.payload["members"][0]


def test_same_period_twice_sends_nothing_twice(district):
    period = parse_period("2026Q1")
    first = runner.run_report("quarterly-bulletin", period, now=local(2026, 4, 1, 9, 30))
    second = runner.run_report("quarterly-bulletin", period, now=local(2026, 4, 1, 11))
    assert first["new"] == 4 and second == {**second, "new": 0, "skipped": True}
    assert count(ReportDelivery) == 4 and count(Notification, Notification.kind ==
                                                "quarterly_bulletin") == 4
    assert count(ReportRun) == 1


def test_a_crashed_run_resumes_and_serves_everyone_once(district, monkeypatch):
    period = parse_period("2026-04")
    real = services.deliver
    calls = {"n": 0}

    def crash_after_first_chunk(run, recipients, now=None):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        return real(run, recipients, now)

    monkeypatch.setattr(services, "deliver", crash_after_first_chunk)
    with pytest.raises(RuntimeError):
        runner.run_report("monthly-reminder", period, now=local(2026, 4, 1, 9), chunk=2)
    db.session.rollback()
    assert count(ReportDelivery) == 2
    assert db.session.scalar(select(ReportRun.status)) == "running"
    monkeypatch.setattr(services, "deliver", real)
    result = runner.run_report("monthly-reminder", period, now=local(2026, 4, 1, 10), chunk=2)
    assert result["new"] == 2 and result["recipients"] == 4
    assert count(Notification, Notification.kind == "monthly_reminder") == 4
    users = db.session.scalars(select(ReportDelivery.user_id)).all()
    assert len(users) == len(set(users)) == 4


def test_catch_up_after_a_gap(district):
    now = local(2026, 7, 15, 12)
    due = {kind: [p.key for p in services.due_periods(kind, now)] for kind in REPORTS}
    assert due == {"monthly-reminder": ["2026-05", "2026-06", "2026-07"],
                   "quarterly-bulletin": ["2026Q1", "2026Q2"],
                   "half-year-summary": ["2026H1"]}
    results = runner.run_due_reports(now)
    assert {(r["kind"], r["period"]) for r in results} == {
        ("monthly-reminder", "2026-05"), ("monthly-reminder", "2026-06"),
        ("monthly-reminder", "2026-07"), ("quarterly-bulletin", "2026Q1"),
        ("quarterly-bulletin", "2026Q2"), ("half-year-summary", "2026H1")}
    assert runner.run_due_reports(now) == []  # everything due is done
    later = local(2026, 8, 1, 9, 5)
    assert [p.key for p in services.due_periods("monthly-reminder", later)] == ["2026-08"]


def test_latest_due_respects_send_times():
    from volunteer.core.periods import Period  # noqa: F401

    assert services.latest_due("monthly-reminder", local(2026, 11, 1, 8, 59)).key == "2026-10"
    assert services.latest_due("monthly-reminder", local(2026, 11, 1, 9, 0)).key == "2026-11"
    assert services.latest_due("quarterly-bulletin", local(2026, 10, 1, 9, 29)).key == "2026Q2"
    assert services.latest_due("quarterly-bulletin", local(2026, 10, 1, 9, 30)).key == "2026Q3"
    assert services.latest_due("half-year-summary", local(2027, 1, 1, 10)).key == "2026H2"


def test_half_year_summary(district, client, login):
    runner.run_report("half-year-summary", parse_period("2026H1"), now=local(2026, 7, 1, 10))
    mine = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.user_id == district["active"].id))
    # ranked among the community's members who served (the idle one is 未参与, not 2nd)
    assert mine.payload["hours"] == 8.5 and mine.payload["rank"] == 1 and mine.payload["of"] == 1
    assert "排名第 1" in db.session.get(Notification, mine.notification_id).body
    idle = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.user_id == district["idle"].id))
    assert idle.payload["rank"] is None
    body = db.session.get(Notification, idle.notification_id).body
    assert "未参与排名" in body and "排名第" not in body
    login(district["idle"])
    page = client.get(f"/reports/{idle.id}").get_data(as_text=True)
    assert 'data-testid="member-rank">未参与' in page
    assert 'data-testid="score-explanation"' not in page  # nothing ranked, nothing explained
    login(district["active"])
    page = client.get(f"/reports/{mine.id}").get_data(as_text=True)
    assert 'data-testid="member-rank">1 / 1' in page and 'data-testid="score-explanation"' in page
    street = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.user_id == district["reviewer"].id))
    assert [c["name"] for c in street.payload["candidates"]] == ["顾丽"]


def test_two_runs_at_once_deliver_once(app, district, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrency is tested on PostgreSQL")
    period = parse_period("2026-04")
    barrier = threading.Barrier(4)
    errors = []

    def run():
        with app.app_context():
            try:
                barrier.wait()
                runner.run_report("monthly-reminder", period, now=local(2026, 4, 1, 9), chunk=1)
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert count(ReportRun) == 1 and count(ReportDelivery) == 4
    assert count(Notification, Notification.kind == "monthly_reminder") == 4


def test_email_copies_opt_out_and_outbox(app, district, tmp_path):
    active, idle = district["active"], district["idle"]
    active.email, idle.email = "gu@example.com", "zhou@example.com"
    db.session.add(EmailOptOut(user_id=idle.id, kind="monthly_reminder"))
    db.session.commit()
    runner.run_report("monthly-reminder", parse_period("2026-04"), now=local(2026, 4, 1, 9))
    assert count(EmailDelivery) == 1  # the opted-out member gets only the inbox message
    app.config["MAIL_SERVER"] = None
    outbox = __import__("pathlib").Path(app.instance_path) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    assert send_due_emails() == {"sent": 1, "failed": 0}
    (path,) = set(outbox.glob("*.eml")) - before
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "gu@example.com"
    assert "一月一提醒" in str(message["Subject"])
    assert "服务时长" in message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert html.startswith("<!doctype html>") and "服务时长" in html and "<script" not in html
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    assert count(EmailDelivery, EmailDelivery.status == "sent") == 1


def test_failed_email_is_retried_with_back_off(app, district):
    district["active"].email = "gu@example.com"
    db.session.commit()
    runner.run_report("monthly-reminder", parse_period("2026-04"), now=local(2026, 4, 1, 9))

    class Broken:
        def send(self, message):
            raise OSError("SMTP down")

    app.extensions["volunteer.mail_backend"] = Broken()
    try:
        now = local(2026, 4, 1, 9, 1)
        assert send_due_emails(now) == {"sent": 0, "failed": 1}
        delivery = db.session.scalar(select(EmailDelivery))
        assert delivery.status == "pending" and delivery.attempts == 1
        assert delivery.next_attempt_at == now + timedelta(minutes=1)
        assert send_due_emails(now) == {"sent": 0, "failed": 0}  # not due yet
        for minute in range(2, 40):
            send_due_emails(now + timedelta(minutes=minute * 2))
        db.session.expire_all()
        delivery = db.session.scalar(select(EmailDelivery))
        assert delivery.status == "failed" and delivery.attempts == 6
        assert "SMTP down" in delivery.last_error
        assert count(Notification, Notification.kind == "monthly_reminder") == 4  # inbox kept
    finally:
        del app.extensions["volunteer.mail_backend"]


def test_archive_api_and_pages(client, district, token_for, login):
    runner.run_report("quarterly-bulletin", parse_period("2026Q1"), now=local(2026, 4, 1, 9, 30))
    secretary_h = token_for(district["secretary"])
    listing = client.get("/api/v1/reports", headers=secretary_h).get_json()
    assert listing["total"] == 1 and listing["items"][0]["kind"] == "quarterly-bulletin"
    report_id = listing["items"][0]["id"]
    body = client.get(f"/api/v1/reports/{report_id}", headers=secretary_h).get_json()
    assert body["tables"]["community"][0]["participation"] == 0.5
    other = token_for(district["active"])
    assert client.get(f"/api/v1/reports/{report_id}", headers=other).status_code == 403
    assert client.get("/api/v1/reports/99999", headers=other).status_code == 404
    admin_id = db.session.scalar(select(ReportDelivery.id).where(
        ReportDelivery.user_id == district["admin"].id))
    login(district["admin"])
    page = client.get(f"/reports/{admin_id}").get_data(as_text=True)
    assert "公园社区" in page and "50.0%" in page
    assert "一季一通报" in client.get("/admin/reports").get_data(as_text=True)
    xlsx = client.get(f"/reports/{admin_id}/export.xlsx")
    assert xlsx.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(xlsx.data))
    sheet = book["社区"]
    assert sheet["B2"].value == "名称" and sheet["B3"].value == "公园社区"
    # the bulletin shows the score it ranks by, beside the rank
    assert sheet["C2"].value == "综合评分" and sheet["C3"].value > 0 and sheet["A3"].value == 1
    assert sheet["G3"].value == 0.5 and sheet["H3"].value == 7.5


def test_email_preferences_api(client, make_member, token_for):
    member = make_member()
    h = token_for(member)
    prefs = client.get("/api/v1/me/email-preferences", headers=h).get_json()["preferences"]
    assert all(prefs.values())
    changed = client.put("/api/v1/me/email-preferences", headers=h,
                         json={"preferences": {"monthly_reminder": False}})
    assert changed.get_json()["preferences"]["monthly_reminder"] is False
    bad = client.put("/api/v1/me/email-preferences", headers=h,
                     json={"preferences": {"spam": False}})
    assert bad.status_code == 400
    wrong_type = client.put("/api/v1/me/email-preferences", headers=h,
                            json={"preferences": {"monthly_reminder": "no"}})
    assert wrong_type.status_code == 400


def test_cli_run_and_list(runner, district):
    result = runner.invoke(args=["reports", "run", "quarterly-bulletin", "--period", "2026Q1"])
    assert result.exit_code == 0 and "新发送 4 份" in result.output, result.output
    again = runner.invoke(args=["reports", "run", "quarterly-bulletin", "--period", "2026Q1"])
    assert "未重复发送" in again.output
    bad = runner.invoke(args=["reports", "run", "quarterly-bulletin", "--period", "2026Q5"])
    assert bad.exit_code != 0 and "季度" in bad.output
    wrong_kind = runner.invoke(args=["reports", "run", "monthly-reminder", "--period", "2026Q1"])
    assert wrong_kind.exit_code != 0
    listing = runner.invoke(args=["reports", "list"])
    assert "quarterly-bulletin" in listing.output and "2026Q1" in listing.output


def test_a_deactivated_member_gets_no_report_but_still_counts(district):
    """A member whose account ended (deactivated, or deleted at their request) is written to no
    more; the figures of the periods they served in keep them."""
    district["active"].active = False
    db.session.commit()
    runner.run_report("monthly-reminder", parse_period("2026-04"), now=local(2026, 4, 1, 9))
    runner.run_report("half-year-summary", parse_period("2026H1"), now=local(2026, 7, 1, 9))
    assert count(ReportDelivery, ReportDelivery.user_id == district["active"].id) == 0
    assert count(ReportDelivery, ReportDelivery.user_id == district["idle"].id) == 2
    rows = {r["name"]: r for r in figures.member_rows(parse_period("2026Q1"))}
    assert rows["顾丽"]["services"] == 3


def test_a_community_without_service_is_not_ranked_in_the_bulletin(
        district, make_community, make_member, make_staff, login, client):
    """A 0 % community is 未参与, not first; the bulletin shows the score it ranks by; the
    scoring paragraph appears only on reports that rank."""
    empty = make_community("空白社区", street=district["community"].street)
    make_member(empty, name="吴静").created_at = local(2025, 12, 1)
    secretary = make_staff("community_secretary", empty)
    db.session.commit()
    result = runner.run_report("quarterly-bulletin", parse_period("2026Q1"),
                               now=local(2026, 4, 1, 10))
    run = db.session.get(ReportRun, result["run_id"])
    rows = {r["name"]: r for r in run.content["tables"]["community"]}
    assert rows["空白社区"]["rank"] is None and rows["空白社区"]["rank_in_parent"] is None
    assert rows["公园社区"]["rank"] == 1 and rows["公园社区"]["score"] > 0
    assert run.content["tables"]["street"][0]["rank"] == 1
    mine = db.session.scalar(select(ReportDelivery).where(ReportDelivery.user_id == secretary.id))
    body = db.session.get(Notification, mine.notification_id).body
    assert "未参与街道排名" in body and "排名第" not in body
    theirs = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.run_id == run.id, ReportDelivery.user_id == district["secretary"].id))
    body = db.session.get(Notification, theirs.notification_id).body
    assert f"综合评分 {rows['公园社区']['score']}" in body and "排名第 1" in body
    admin = db.session.scalar(select(ReportDelivery).where(
        ReportDelivery.run_id == run.id, ReportDelivery.user_id == district["admin"].id))
    login(district["admin"])
    page = client.get(f"/reports/{admin.id}").get_data(as_text=True)
    assert "未参与" in page and "综合评分" in page and 'data-testid="score-explanation"' in page
    login(secretary)
    page = client.get(f"/reports/{mine.id}").get_data(as_text=True)
    assert "未参与街道排名" in page
    # the monthly reminder ranks nothing: no scoring paragraph
    runner.run_report("monthly-reminder", parse_period("2026-04"), now=local(2026, 4, 1, 9))
    login(district["active"])
    reminder = db.session.scalar(select(ReportDelivery).join(ReportRun).where(
        ReportRun.kind == "monthly-reminder", ReportDelivery.user_id == district["active"].id))
    page = client.get(f"/reports/{reminder.id}").get_data(as_text=True)
    assert 'data-testid="score-explanation"' not in page
