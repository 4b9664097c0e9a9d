"""Pages: posting from a template, claiming, the roster and its export, QR check-in, my service."""

import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.tasks import services
from volunteer.tasks.models import Claim, Task


def local_input(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def test_secretary_posts_from_a_template(client, login, secretary):
    login(secretary)
    page = client.get("/tasks/new?template=checkpoint_duty")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "卡口值守" in text and 'value="4"' in text
    start = utcnow() + timedelta(days=1)
    response = client.post("/tasks/new", data={
        "title": "卡口值守", "category": "checkpoint_duty", "location": "北门",
        "description": "", "slots": "4", "visibility": "community", "publish": "y",
        "starts_at": local_input(start), "ends_at": local_input(start + timedelta(hours=4))})
    assert response.status_code == 302
    task = db.session.scalar(select(Task))
    assert task.status == "open" and task.slots == 4
    assert abs((task.starts_at - start).total_seconds()) < 60


def test_bad_task_form_shows_field_errors_and_creates_nothing(client, login, secretary):
    login(secretary)
    start = utcnow() + timedelta(days=1)
    response = client.post("/tasks/new", data={
        "title": "卡口值守", "category": "checkpoint_duty", "location": "北门", "slots": "0",
        "visibility": "community", "starts_at": local_input(start),
        "ends_at": local_input(start - timedelta(hours=1))})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "名额应在 1 到 500 之间" in text
    response = client.post("/tasks/new", data={
        "title": "卡口值守", "category": "checkpoint_duty", "location": "北门", "slots": "3",
        "visibility": "community", "starts_at": local_input(start),
        "ends_at": local_input(start - timedelta(hours=1))})
    assert "结束时间应晚于开始时间" in response.get_data(as_text=True)
    assert db.session.scalar(select(Task)) is None


def test_series_page_creates_the_roster(client, login, secretary):
    login(secretary)
    first = (to_local(utcnow()) + timedelta(days=2)).date()
    response = client.post("/tasks/series/new", data={
        "title": "卡口值守", "category": "checkpoint_duty", "location": "北门", "slots": "2",
        "visibility": "community", "publish": "y", "first_date": first.isoformat(),
        "days": "14", "shifts": "08:00-12:00"})
    assert response.status_code == 302
    assert len(db.session.scalars(select(Task)).all()) == 14


def test_member_browses_claims_and_sees_my_service(client, login, make_task, member):
    task = make_task(title="义诊服务", category="health")
    login(member)
    listing = client.get("/tasks").get_data(as_text=True)
    assert "义诊服务" in listing and "剩余名额 5 / 5" in listing
    response = client.post(f"/tasks/{task.id}/claim", follow_redirects=True)
    assert "认领成功" in response.get_data(as_text=True)
    again = client.post(f"/tasks/{task.id}/claim", follow_redirects=True)
    assert "您已认领该服务项目" in again.get_data(as_text=True)
    mine = client.get("/me/service").get_data(as_text=True)
    assert "义诊服务" in mine and "待参加" in mine


def test_roster_export_and_permissions(client, login, make_task, member, make_staff, claim_for,
                                      secretary):
    task = make_task()
    claim_for(member, task)
    stranger = make_staff("community_secretary")
    login(stranger)
    assert client.get(f"/tasks/{task.id}/roster").status_code == 403
    assert client.get(f"/tasks/{task.id}/roster.xlsx").status_code == 403
    client.post("/logout")
    login(secretary)
    page = client.get(f"/tasks/{task.id}/roster").get_data(as_text=True)
    assert member.name in page and member.phone in page
    export = client.get(f"/tasks/{task.id}/roster.xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(export.data)).active
    headers = [c.value for c in sheet[3]]
    assert headers[:3] == ["序号", "姓名", "手机号"] and "确认时长（小时）" in headers
    assert sheet["B4"].value == member.name and sheet["C4"].value == member.phone


def test_confirm_and_certificate_pages(client, login, make_task, member, secretary, claim_for):
    task = make_task(starts_in=-4, hours=2, title="垃圾清运", category="garbage")
    claim = claim_for(member, task)
    services.check_in(member, task, now=task.starts_at)
    services.check_out(member, task, now=task.ends_at)
    db.session.commit()
    login(secretary)
    response = client.post(f"/claims/{claim.id}/confirm",
                           data={"hours": "2", "quality": "5", "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Claim, claim.id).confirmed_minutes == 120
    client.post("/logout")
    login(member)
    assert "2.0" in client.get("/me/service").get_data(as_text=True)
    paper = client.get("/me/service/certificate").get_data(as_text=True)
    assert "志愿服务证明" in paper and "垃圾清运" in paper and member.name in paper


def test_qr_page_and_scanned_check_in(client, login, make_task, member, secretary, claim_for):
    task = make_task(starts_in=0.2)
    claim_for(member, task)
    login(secretary)
    page = client.get(f"/tasks/{task.id}/qr").get_data(as_text=True)
    assert "签到二维码" in page
    svg = client.get(f"/tasks/{task.id}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    token = services.qr_token(secretary, task)
    client.post("/logout")
    login(member)
    landing = client.get(f"/tasks/scan/{token}")
    assert landing.status_code == 200 and "确认签到" in landing.get_data(as_text=True)
    client.post(f"/tasks/{task.id}/check-in", data={"token": token})
    db.session.expire_all()
    claim = db.session.scalar(select(Claim))
    assert claim.check_in_method == "scanned"
    assert client.get("/tasks/scan/forged-token").status_code == 409


def test_cancel_task_page(client, login, make_task, member, secretary, claim_for):
    task = make_task()
    claim_for(member, task)
    login(secretary)
    client.post(f"/tasks/{task.id}/cancel", data={"reason": "天气原因"})
    db.session.expire_all()
    assert db.session.get(Task, task.id).status == "cancelled"
    detail = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "天气原因" in detail


def test_edit_page_round_trip(client, login, make_task, secretary):
    task = make_task(slots=3)
    login(secretary)
    page = client.get(f"/tasks/{task.id}/edit").get_data(as_text=True)
    assert 'value="3"' in page and local_input(task.starts_at) in page
    response = client.post(f"/tasks/{task.id}/edit", data={
        "title": "楼道消杀（加派）", "category": "disinfection", "location": "3 幢楼道",
        "slots": "6", "visibility": "street", "starts_at": local_input(task.starts_at),
        "ends_at": local_input(task.ends_at)})
    assert response.status_code == 302
    db.session.expire_all()
    edited = db.session.get(Task, task.id)
    assert edited.slots == 6 and edited.visibility == "street" and edited.title.endswith("加派）")


def test_staff_lists_and_flag_command(client, login, runner, make_task, make_staff, make_grid,
                                     community, member, claim_for):
    task = make_task(starts_in=-6, hours=2)
    claim_for(member, task)
    services.check_in(member, task, now=task.starts_at)
    db.session.commit()
    login(make_staff("grid_worker", make_grid(community=community)))
    assert task.title in client.get("/tasks?state=done").get_data(as_text=True)
    roster = client.get(f"/tasks/{task.id}/roster").get_data(as_text=True)
    assert "签到后未签退" in roster and "录入满意度" in roster and "确认时长" not in roster
    result = runner.invoke(args=["tasks", "flag-checkouts"])
    assert result.exit_code == 0 and "1" in result.output
