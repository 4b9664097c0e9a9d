"""English pages: labels, choices, validator and flash messages kept as N_-marked Chinese
constants are translated where pages display them; Chinese pages and the API stay as they were.
"""

from datetime import timedelta

from flask import render_template_string
from sqlalchemy import select

from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.tasks.models import Task


def english(client):
    client.post("/locale/en", data={"next": "/"})
    return client


def local_input(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def task_form(**overrides) -> dict:
    start = utcnow() + timedelta(days=1)
    data = {"title": "北门值守", "category": "checkpoint_duty", "location": "北门",
            "description": "", "slots": "4", "visibility": "community", "publish": "y",
            "starts_at": local_input(start), "ends_at": local_input(start + timedelta(hours=4))}
    data.update(overrides)
    return data


def test_login_form_labels_and_errors_follow_the_language(client):
    chinese = client.get("/login").get_data(as_text=True)
    assert '<label for="phone">手机号</label>' in chinese
    assert "请输入手机号" in client.post("/login", data={}).get_data(as_text=True)

    english(client)
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="phone">Phone</label>' in page and "手机号" not in page
    assert '<label for="password">Password</label>' in page
    errors = client.post("/login", data={}).get_data(as_text=True)
    assert "Enter your phone number" in errors and "请输入手机号" not in errors

    client.post("/locale/zh_CN")
    assert '<label for="phone">手机号</label>' in client.get("/login").get_data(as_text=True)


def test_task_form_choices_are_translated_but_submit_the_codes(client, login, make_staff):
    secretary = make_staff("community_secretary")
    login(secretary)
    chinese = client.get("/tasks/new").get_data(as_text=True)
    assert '<option value="checkpoint_duty">卡口值守</option>' in chinese
    assert '<option value="community">本社区</option>' in chinese

    english(client)
    page = client.get("/tasks/new").get_data(as_text=True)
    assert '<option value="checkpoint_duty">Checkpoint duty</option>' in page
    assert '<option value="community">This community</option>' in page
    assert "Publish now (unticked: save as draft)" in page and "卡口值守" not in page
    posted = client.post("/tasks/new", data=task_form(), follow_redirects=True)
    html = posted.get_data(as_text=True)
    assert "Task published" in html and "Checkpoint duty" in html
    task = db.session.scalar(select(Task))
    assert task.category == "checkpoint_duty" and task.visibility == "community"
    assert task.category_label == "卡口值守"

    client.post("/locale/zh_CN")
    detail = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "卡口值守" in detail and "Checkpoint duty" not in detail


def test_flash_and_form_errors_in_english(client, login, make_staff):
    login(make_staff("community_secretary"))
    english(client)
    bad = client.post("/tasks/new", data=task_form(title="", slots=""))
    text = bad.get_data(as_text=True)
    assert text.count("Required") >= 2 and "必填" not in text
    client.post("/tasks/new", data=task_form(publish=""))
    assert "Saved as draft" in client.get("/tasks").get_data(as_text=True)


def test_chinese_flash_is_unchanged(client, login, make_staff):
    login(make_staff("community_secretary"))
    html = client.post("/tasks/new", data=task_form(), follow_redirects=True)
    assert "服务项目已发布" in html.get_data(as_text=True)


def test_api_keeps_chinese_labels_in_an_english_session(client, login, make_staff):
    secretary = make_staff("community_secretary")
    login(secretary)
    english(client)
    client.post("/tasks/new", data=task_form())
    task = db.session.scalar(select(Task))
    templates = client.get("/api/v1/task-templates").get_json()
    labels = {item["category"]: item["category_label"] for item in templates["items"]}
    assert labels["checkpoint_duty"] == "卡口值守" and labels["disinfection"] == "楼道消杀"
    assert templates["visibilities"]["community"] == "本社区"
    detail = client.get(f"/api/v1/tasks/{task.id}").get_json()
    assert detail["category_label"] == "卡口值守"
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "找不到该页面或对象"
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "Page or item not found" in page.get_data(as_text=True)


def test_status_and_role_labels_on_english_pages(client, login, make_staff, make_member,
                                                 make_community):
    community = make_community()
    make_member(community=community, status="pending")
    secretary = make_staff("community_secretary", community)
    login(secretary)
    english(client)
    members = client.get("/members?status=pending").get_data(as_text=True)
    assert ">Pending</span>" in members
    account = client.get("/account/password").get_data(as_text=True)
    assert "Community secretary" in account and "社区书记" not in account


def test_tr_filter_escapes_and_leaves_percent_signs(app):
    with app.test_request_context("/"):
        html = render_template_string("{{ x|tr }}|{{ y|tr }}|{{ n|tr }}",
                                      x="<b>50%</b>", y="卡口值守", n=None)
    assert html == "&lt;b&gt;50%&lt;/b&gt;|卡口值守|None"


def test_forms_translate_only_choice_labels(app):
    from volunteer.auth.forms import StaffForm
    from volunteer.auth.models import ROLES, STAFF_ROLES

    with app.test_request_context("/"):
        from flask import session

        session["locale"] = "en"
        choices = StaffForm(meta={"csrf": False}).role.choices
    assert [value for value, _label in choices] == list(STAFF_ROLES)
    assert dict(choices)["community_secretary"] == "Community secretary"
    assert ROLES["community_secretary"] == "社区书记"


def test_report_and_email_kinds_on_english_pages(client, login, make_member, make_community):
    login(make_member(community=make_community()))
    english(client)
    page = client.get("/me/email").get_data(as_text=True)
    assert "Monthly reminder" in page and "Micro-wish updates" in page and "一月一提醒" not in page
    labels = client.get("/api/v1/me/email-preferences").get_json()["labels"]
    assert labels["monthly_reminder"] == "一月一提醒"  # the API stays Chinese


def test_the_language_outlives_logging_out(client, login, make_staff):
    login(make_staff("community_secretary"))
    english(client)
    page = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert "已退出登录" not in page and 'lang="en"' in page
    assert client.get("/tasks/new").status_code == 302  # logged out all the same


def test_period_names_follow_the_language(app):
    from flask_babel import force_locale

    from volunteer.core.i18n import period_label
    from volunteer.core.periods import parse_period

    keys = ("2026-01", "2026-11", "2026Q3", "2026H1", "2026H2", "2026", "2026-07-15..2026-10-14")
    with app.test_request_context():
        for key in keys:  # Chinese: exactly the label the exports and reports keep
            assert period_label(key) == period_label(parse_period(key)) == parse_period(key).label
        assert period_label("not-a-period") == "not-a-period"
        with force_locale("en"):
            assert [period_label(key) for key in keys] == [
                "Jan 2026", "Nov 2026", "Q3 2026", "H1 2026", "H2 2026", "2026",
                "2026-07-15 to 2026-10-14"]


def test_dashboard_period_names_in_english(client, login, make_staff):
    login(make_staff("district_admin"))
    english(client)
    page = client.get("/review/district?period=2026Q3").get_data(as_text=True)
    assert "Q3 2026" in page and "2026年第3季度" not in page
