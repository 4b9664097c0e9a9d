"""Issue 13's page details: every error of a form at once, grouped pickers, tel: links, the
import's sample sheet and its used report link, the converted request's task, 集结号 bounds."""

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from volunteer.auth.models import User
from volunteer.core.imports import sample_sheet
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.mobilisation.models import Mobilisation
from volunteer.requests import services as requests
from volunteer.requests.models import ServiceRequest

RESIDENT = {"name": "王阿姨", "phone": "13800001111", "category": "repair",
            "description": "厨房水龙头漏水", "address": "新西社区8幢201室",
            "privacy_consent": True}


def errors_of(html: str) -> list[str]:
    return re.findall(r'<div class="error">([^<]+)</div>', html)


# ---------------------------------------------------------------- every error at once


def test_registration_reports_every_error_at_once(client, make_community, make_member):
    community = make_community("城南新村社区")
    taken = make_member(community=community, phone="13900001234")
    db.session.commit()
    # the form's own check (no name) and the service's (a phone already used, an all-digit
    # password, an unknown unit) come back together
    page = client.post("/register", data={
        "name": "", "phone": taken.phone, "password": "12345678", "unit_name": "没有的单位",
        "community_id": str(community.id), "privacy_consent": "y"})
    assert page.status_code == 200
    errors = errors_of(page.get_data(as_text=True))
    assert "必填" in errors  # the name
    assert "该手机号已注册" in errors
    assert "请选择工作单位" in errors
    assert any("数字" in e for e in errors), errors  # the password
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_the_register_api_still_answers_a_taken_phone_alone_with_409(
        client, make_community, make_member, make_unit):
    community, unit = make_community(), make_unit()
    taken = make_member(community=community)
    db.session.commit()
    answer = client.post("/api/v1/members/register", json={
        "name": "陈红", "phone": taken.phone, "password": "Qiao-2026-hong", "unit_id": unit.id,
        "community_id": community.id, "privacy_consent": True})
    assert answer.status_code == 409, answer.get_json()
    assert answer.get_json()["error"]["code"] == "phone_taken"


def test_the_resident_form_reports_every_error_at_once(client, make_community):
    make_community("城南新村社区")
    db.session.commit()
    page = client.post("/requests/new", data={
        "name": "", "phone": "123", "address": "8幢", "category": "repair",
        "description": "漏水", "community_id": "", "privacy_consent": "y"})
    html = page.get_data(as_text=True)
    errors = errors_of(html)
    assert "请填写称呼" in errors
    assert any("手机号" in e for e in errors), errors  # the service's phone check
    assert "请选择所在社区" in errors
    assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 0


def test_the_task_form_reports_every_error_at_once(client, login, make_staff):
    secretary = make_staff("community_secretary")
    db.session.commit()
    login(secretary)
    past = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page = client.post("/tasks/new", data={
        "title": "", "category": "errand", "location": "党群服务中心", "slots": "3",
        "starts_at": past, "ends_at": (utcnow() - timedelta(hours=20)).strftime(
            "%Y-%m-%dT%H:%M"), "visibility": "community", "publish": "y"})
    errors = errors_of(page.get_data(as_text=True))
    assert "必填" in errors  # the title: the form's check
    assert "开始时间已过，不能发布" in errors  # the start: the service's, at the same time


def test_the_task_edit_form_reports_every_error_at_once(client, login, make_staff):
    from volunteer.tasks import services as tasks

    secretary = make_staff("community_secretary")
    starts = utcnow() + timedelta(days=2)
    task = tasks.create_task(secretary, title="楼道消杀", category="disinfection",
                             location="8幢", description="", slots=3, starts_at=starts,
                             ends_at=starts + timedelta(hours=2))
    db.session.commit()
    login(secretary)
    local = starts + timedelta(hours=8)  # the form takes Asia/Shanghai times
    page = client.post(f"/tasks/{task.id}/edit", data={
        "title": "", "category": "disinfection", "location": "8幢", "slots": "3",
        "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (local - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "visibility": "community"})
    errors = errors_of(page.get_data(as_text=True))
    assert "必填" in errors and "结束时间应晚于开始时间" in errors


# ---------------------------------------------------------------- pickers


def test_community_pickers_are_grouped_by_street_and_sorted(client, make_street,
                                                            make_community):
    west, east = make_street("虹桥街道"), make_street("城东街道")
    make_community("新西社区", west)
    make_community("北大街社区", west)
    make_community("永兴社区", east)
    db.session.commit()
    html = client.get("/register").get_data(as_text=True)
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', html, re.S)
    labels = {group: re.findall(r">([^<]+)</option>", body) for group, body in groups}
    assert labels["虹桥街道"] == ["虹桥街道" + name for name in sorted(["新西社区", "北大街社区"])]
    assert labels["城东街道"] == ["城东街道永兴社区"]
    assert "请选择" in html.split("<optgroup")[0]  # the placeholder stays outside the groups


def test_the_staff_scope_picker_groups_grids_by_street_and_community(
        client, login, admin, make_street, make_community, make_grid):
    street = make_street("虹桥街道")
    community = make_community("新西社区", street)
    make_grid(community, "第二网格")
    make_grid(community, "第一网格")
    db.session.commit()
    login(admin)
    html = client.get("/admin/staff?role=grid_worker").get_data(as_text=True)
    body = re.search(r'<optgroup label="虹桥街道 · 新西社区">(.*?)</optgroup>', html, re.S)
    assert body and re.findall(r">([^<]+)</option>", body.group(1)) == sorted(
        ["第二网格", "第一网格"])


def test_the_declare_form_groups_the_area_by_street(client, login, admin, make_street,
                                                   make_community, make_grid):
    street = make_street("虹桥街道")
    community = make_community("新西社区", street)
    make_grid(community, "虹桥北村网格")
    db.session.commit()
    login(admin)
    html = client.get("/mobilisations/new").get_data(as_text=True)
    assert "<legend>虹桥街道</legend>" in html
    assert "<legend>虹桥街道 · 新西社区</legend>" in html
    assert 'data-search="输入社区或街道名称筛选"' in html


# ---------------------------------------------------------------- 集结号 bounds


def test_a_post_bigger_than_the_area_is_refused_on_the_page_and_in_the_api(
        client, login, token_for, make_street, make_community, make_member, make_staff):
    street = make_street("虹桥街道")
    community = make_community("新西社区", street)
    make_member(community=community)
    make_member(community=community)
    make_member(community=community, status="pending")
    reviewer = make_staff("street_reviewer", street)
    db.session.commit()
    message = ("集结区域内共有 2 名已审核党员，岗位“卡口值守”需要 10000 人，超过了这个数，"
               "请减少到 2 人以内")
    api = client.post("/api/v1/mobilisations", headers=token_for(reviewer), json={
        "title": "集结", "message": "报到", "community_ids": [community.id],
        "posts": [{"name": "卡口值守", "needed": 10000}]})
    assert api.status_code == 400
    assert api.get_json()["error"]["fields"] == {"posts": message}
    login(reviewer)
    page = client.post("/mobilisations/new", data={
        "title": "", "message": "报到", "community_ids": [str(community.id)],
        "posts": "卡口值守 10000"})
    errors = errors_of(page.get_data(as_text=True))
    assert message in errors and "请填写标题" in errors
    assert db.session.scalar(select(func.count()).select_from(Mobilisation)) == 0
    ok = client.post("/mobilisations/new", data={
        "title": "集结", "message": "报到", "community_ids": [str(community.id)],
        "posts": "卡口值守 2\n后勤保障 2"})
    assert ok.status_code == 302


# ---------------------------------------------------------------- phones, addresses


def test_phones_are_tel_links_for_staff_and_masked_ones_stay_text(client, login, admin,
                                                                  make_staff):
    secretary = make_staff("community_secretary", phone="13900007777")
    db.session.commit()
    login(admin)
    html = client.get("/admin/staff").get_data(as_text=True)
    assert f'<a href="tel:{secretary.phone}" data-tel>{secretary.phone}</a>' in html


def test_the_tel_filter(app):
    tel = app.jinja_env.filters["tel"]
    assert str(tel("139 0000 1111")) == '<a href="tel:13900001111" data-tel>139 0000 1111</a>'
    assert str(tel("139****1111")) == "139****1111"
    assert str(tel(None)) == ""
    assert "<script>" not in str(tel("<script>"))


def test_a_request_shows_its_phone_as_a_link_and_its_address_with_a_copy_button(
        client, login, make_community, make_staff):
    community = make_community()
    worker = make_staff("community_secretary", community)
    req = requests.submit_request(ip="10.9.0.1", community_id=community.id, **RESIDENT)
    db.session.commit()
    login(worker)
    html = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert 'href="tel:13800001111"' in html
    assert 'data-copy="新西社区8幢201室"' in html


# ---------------------------------------------------------------- import


def test_the_import_offers_a_sample_sheet_with_the_header_row(client, login, admin):
    db.session.commit()
    login(admin)
    page = client.get("/admin/import/members").get_data(as_text=True)
    assert "/admin/import/members/template.xlsx" in page
    for kind in ("members", "places", "units"):
        sheet = client.get(f"/admin/import/{kind}/template.xlsx")
        assert sheet.status_code == 200 and sheet.mimetype.endswith("spreadsheetml.sheet")
        rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
        assert list(rows[0]) == list(sample_sheet(kind)[0])
    assert list(sample_sheet("members")[0][:3]) == ["姓名", "手机号", "工作单位"]


def test_a_used_report_link_is_a_friendly_page(client, login, admin):
    db.session.commit()
    login(admin)
    page = client.post("/admin/import/units", data={
        "file": (io.BytesIO("单位名称\n崇川区实验小学\n".encode()), "units.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert 'data-once="已下载"' in page
    link = re.search(r"/admin/import/report/[0-9a-f]{32}\.csv", page).group(0)
    assert client.get(link).status_code == 200
    again = client.get(link)
    assert again.status_code == 404
    assert "结果文件已下载" in again.get_data(as_text=True)
    assert "返回批量导入" in again.get_data(as_text=True)


# ---------------------------------------------------------------- a converted request


def test_the_tracking_page_shows_the_converted_task(client, make_community, make_grid,
                                                   make_staff):
    community = make_community()
    worker = make_staff("grid_worker", make_grid(community))
    secretary = make_staff("community_secretary", community)
    req = requests.submit_request(ip="10.9.0.2", community_id=community.id, **RESIDENT)
    requests.accept_request(worker, req)
    starts = utcnow() + timedelta(days=2)
    requests.convert_request(secretary, req, title="帮王阿姨修水龙头", location="8幢201室",
                             starts_at=starts, ends_at=starts + timedelta(hours=2), slots=1)
    db.session.commit()
    client.post("/requests/track", data={"code": req.tracking_code, "phone": RESIDENT["phone"]})
    html = client.get("/requests/track").get_data(as_text=True)
    assert 'data-testid="converted-task-title">帮王阿姨修水龙头' in html
    assert "服务结束后可在此评价" in html


def test_english_report_tabs(client, login, admin):
    db.session.commit()
    login(admin)
    client.post("/locale/en", data={"next": "/reports"})
    html = client.get("/reports").get_data(as_text=True)
    assert "一月一提醒" not in html and "一季一通报" not in html
