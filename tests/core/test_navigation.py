"""The main navigation each role sees: recorded from the hand-written base.html before it was
built from one list (volunteer/core/navigation.py), so the refactor keeps every link."""

import re

import pytest

NAV = re.compile(r'<nav class="main"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)" class="([^"]*)"( data-testid="[^"]+")?>([^<]+)')

TAIL = [("/mobilisations", "集结号", "nav-mobilisation"), ("/reports", "通报", "nav-reports"),
        ("/inbox", "消息", None), ("/account/password", "账号", None)]
TASKS = ("/tasks", "服务项目", "nav-tasks")
WISHES_REQUESTS = [("/wishes", "微心愿", "nav-wishes"), ("/requests", "居民点单", "nav-requests")]
MEMBERS = ("/members", "党员报到", None)
REVIEW = ("/review", "统计", "nav-review")
MEMBER = [("/me", "我的", None), TASKS, ("/me/service", "我的服务", "nav-my-service"),
          *WISHES_REQUESTS, *TAIL]
WORKBENCH = ("/home", "工作台", "nav-home")
EXPECTED = {
    "member": MEMBER,
    "pending_member": MEMBER,
    "community_secretary": [WORKBENCH, ("/tasks", "服务项目管理", "nav-tasks"), *WISHES_REQUESTS,
                            MEMBERS, REVIEW, *TAIL],
    "grid_worker": [WORKBENCH, TASKS, *WISHES_REQUESTS, MEMBERS, *TAIL],
    "street_reviewer": [WORKBENCH, TASKS, *WISHES_REQUESTS, MEMBERS, REVIEW, *TAIL],
    "branch_secretary": [WORKBENCH, TASKS, MEMBERS, ("/branch", "本支部党员", "nav-branch"),
                         REVIEW, *TAIL],
    "unit_contact": [WORKBENCH, MEMBERS, REVIEW, *TAIL],
    "district_admin": [WORKBENCH, TASKS, *WISHES_REQUESTS, MEMBERS,
                       ("/admin/", "组织架构", None), ("/admin/staff", "工作人员", None),
                       ("/admin/audit", "操作日志", None), REVIEW, *TAIL],
}
# the page each role lands on, and the link marked active there
HOME = {"member": ("/me", "/me"), "pending_member": ("/me", "/me"),
        **{role: ("/home", "/home") for role in (
            "community_secretary", "grid_worker", "street_reviewer", "branch_secretary",
            "unit_contact", "district_admin")}}


def _links(html: str) -> list[tuple[str, str, str | None, bool]]:
    nav = NAV.search(html).group(1)
    return [(href, text.strip(), testid.split('"')[1] if testid else None, "active" in cls)
            for href, cls, testid, text in LINK.findall(nav)]


@pytest.fixture
def user_of(make_member, make_staff, make_street, make_grid, make_branch, make_unit, admin):
    def make(role):
        if role == "member":
            return make_member()
        if role == "pending_member":
            return make_member(status="pending")
        if role == "district_admin":
            return admin
        scope = {"street_reviewer": make_street, "grid_worker": make_grid,
                 "branch_secretary": make_branch, "unit_contact": make_unit}.get(role)
        return make_staff(role, scope() if scope else None)

    return make


@pytest.mark.parametrize("role", list(EXPECTED))
def test_nav_links_on_the_home_page(client, login, user_of, role):
    login(user_of(role))
    page = client.get("/", follow_redirects=True)
    landing, active = HOME[role]
    assert page.request.path == landing
    assert _links(page.get_data(as_text=True)) == [
        (href, text, testid, href == active) for href, text, testid in EXPECTED[role]]


@pytest.mark.parametrize(("role", "path", "active"), [
    ("member", "/tasks", "/tasks"),
    ("member", "/me/service", "/me/service"),
    ("community_secretary", "/tasks", "/tasks"),
    ("district_admin", "/admin/staff", "/admin/staff"),
    ("district_admin", "/reports", "/reports"),
    ("unit_contact", "/inbox", "/inbox"),
])
def test_the_current_section_is_marked_active(client, login, user_of, role, path, active):
    login(user_of(role))
    links = _links(client.get(path).get_data(as_text=True))
    assert [href for href, _text, _testid, on in links if on] == [active]


def test_visitors_see_the_residents_links(client):
    links = _links(client.get("/requests/new").get_data(as_text=True))
    assert [(href, text, on) for href, text, _testid, on in links] == [
        ("/requests/new", "居民点单", True), ("/requests/track", "点单查询", False),
        ("/wall", "心愿墙", False)]


def test_the_labels_follow_the_language_switch(client, login, user_of):
    login(user_of("community_secretary"))
    client.post("/locale/en", data={"next": "/"})
    links = _links(client.get("/members").get_data(as_text=True))
    assert links[0][:2] == ("/home", "Workbench")
    assert links[1][:2] == ("/tasks", "Manage tasks")
    assert not [text for _href, text, _testid, _on in links
                if any("\u4e00" <= ch <= "\u9fff" for ch in text)]
