"""Web pages: registration form, approval queue, details, my page, inbox."""

from sqlalchemy import select

from tests.conftest import PASSWORD
from volunteer.auth.models import User
from volunteer.extensions import db


def form_body(community, unit, **overrides):
    body = {"name": "周荣祥", "phone": "13812340001", "password": "Zhou-2022",
            "unit_name": unit.name, "community_id": str(community.id), "grid_id": "",
            "skills": ["legal", "mediation"], "extra_tags": "书法，太极", "industry": "government",
            "email": "", "privacy_consent": "y"}
    body.update(overrides)
    return body


def test_register_page_renders_in_chinese(client, make_community):
    make_community("公园社区")
    html = client.get("/register").get_data(as_text=True)
    assert "在职党员报到" in html and "公园社区" in html and 'lang="zh-CN"' in html


def test_register_through_the_form(client, make_community, make_unit):
    community, unit = make_community(), make_unit("南通市市场监督管理局")
    response = client.post("/register", data=form_body(community, unit))
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    member = db.session.scalar(select(User).where(User.phone == "13812340001"))
    assert member.status == "pending" and member.unit_id == unit.id
    assert sorted(member.skill_tags) == sorted(["legal", "mediation", "书法", "太极"])


def test_register_form_errors_are_shown_next_to_fields(client, make_community, make_unit,
                                                       make_member):
    community, unit = make_community(), make_unit()
    bad = client.post("/register", data=form_body(community, unit, unit_name="不存在的单位",
                                                  password="123"))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "请选择工作单位" in html and "密码至少 8 位" in html
    make_member(phone="13812340001")
    taken = client.post("/register", data=form_body(community, unit))
    assert "该手机号已注册" in taken.get_data(as_text=True)
    long = client.post("/register", data=form_body(community, unit, name="名" * 500))
    assert "Field cannot be longer" in long.get_data(as_text=True) or \
        "不能超过" in long.get_data(as_text=True) or long.status_code == 200
    assert db.session.scalar(select(User).where(User.phone == "13812340002")) is None


def test_secretary_approves_on_the_web(client, login, make_community, make_member, make_staff):
    community = make_community()
    member = make_member(community, status="pending", name="待审核甲")
    secretary = make_staff("community_secretary", community)
    login(secretary)
    queue = client.get("/members").get_data(as_text=True)
    assert "待审核甲" in queue and member.phone in queue  # the secretary sees the whole phone
    response = client.post(f"/members/{member.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).status == "approved"


def test_secretary_rejects_with_reason_on_the_web(client, login, make_community, make_member,
                                                  make_staff):
    community = make_community()
    member = make_member(community, status="pending")
    login(make_staff("community_secretary", community))
    client.post(f"/members/{member.id}/reject", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(User, member.id).status == "pending"
    client.post(f"/members/{member.id}/reject", data={"reason": "请补充工作单位证明"})
    db.session.expire_all()
    assert db.session.get(User, member.id).reject_reason == "请补充工作单位证明"


def test_pages_deny_other_scopes(app, client, login, make_community, make_member, make_staff):
    community = make_community()
    member = make_member(community, status="pending")
    login(make_staff("community_secretary", make_community()))
    assert client.get(f"/members/{member.id}").status_code == 403
    assert client.post(f"/members/{member.id}/approve").status_code == 403
    assert member.phone not in client.get("/members?status=all").get_data(as_text=True)
    member_client = app.test_client()
    login(make_member(community), c=member_client)
    assert member_client.get("/members").status_code == 403
    assert member_client.get("/admin/").status_code == 403
    assert member_client.get("/admin/staff").status_code == 403


def test_street_reviewer_sees_masked_phones(client, login, make_community, make_member,
                                            make_staff):
    community = make_community()
    make_member(community, phone="13812345678")
    login(make_staff("street_reviewer", community.street))
    html = client.get("/members?status=all").get_data(as_text=True)
    assert "138****5678" in html and "13812345678" not in html


def test_member_sees_status_and_inbox(client, login, make_member, make_staff):
    member = make_member(status="pending")
    login(member)
    assert "等待社区书记审核" in client.get("/me").get_data(as_text=True)
    from volunteer.members.services import approve_member

    secretary = make_staff("community_secretary", member.community)
    approve_member(secretary, member)
    db.session.commit()
    assert "已亮身份" in client.get("/me").get_data(as_text=True)
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "报到审核已通过" in inbox and 'data-testid="unread"' in inbox
    client.post("/inbox/read-all")
    assert 'data-testid="unread"' not in client.get("/inbox").get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/members")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_profile_edit(client, login, make_member, make_grid):
    member = make_member()
    grid = make_grid(member.community)
    login(member)
    response = client.post("/me/profile", data={"skills": ["it"], "extra_tags": "", "industry":
                                                "finance", "email": "", "grid_id": str(grid.id)})
    assert response.status_code == 302
    db.session.expire_all()
    updated = db.session.get(User, member.id)
    assert updated.skill_tags == ["it"] and updated.grid_id == grid.id


def test_change_password_page(client, login, make_member):
    member = make_member()
    login(member)
    wrong = client.post("/account/password", data={"old_password": "nope-nope",
                                                   "new_password": "Another-1"})
    assert "原密码不正确" in wrong.get_data(as_text=True)
    ok = client.post("/account/password", data={"old_password": PASSWORD,
                                                "new_password": "Another-1"})
    assert ok.status_code == 302
    assert client.get("/inbox").status_code == 200  # this device stays logged in


def test_language_switch(client):
    client.post("/locale/en", data={"next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in html and "Tongtong" in html
    client.post("/locale/zh_CN")
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)


def test_member_detail_shows_commendations(client, login, make_community, make_member,
                                           make_staff):
    from datetime import date

    from volunteer.commendations.models import Commendation

    community = make_community()
    member = make_member(community)
    reviewer = make_staff("street_reviewer", community.street)
    db.session.add(Commendation(member_id=member.id, street_id=community.street_id,
                                created_by_id=reviewer.id, period="2026Q3",
                                period_label="2026年第3季度", period_start=date(2026, 7, 1),
                                period_end=date(2026, 10, 1),
                                citation="疫情期间连续值守卡口十四天"))
    db.session.commit()
    login(make_staff("community_secretary", community))
    page = client.get(f"/members/{member.id}").get_data(as_text=True)
    assert "疫情期间连续值守卡口十四天" in page
