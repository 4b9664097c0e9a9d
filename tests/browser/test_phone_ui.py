"""Issue 13 on a 390 px phone: staff tables as cards without sideways scrolling, the
searchable 集结号 area picker used by keyboard, the larger-text setting, and the resident's
journey to a converted request's task and its rating."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from tests.conftest import PASSWORD
from volunteer.core.time import utcnow
from volunteer.extensions import db

pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> None:
    width, viewport = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{page.url}: {width}px wide on a {viewport}px screen"


@pytest.fixture
def district(make_street, make_community, make_grid, make_staff, make_member, release_db):
    from volunteer.requests import services as requests
    from volunteer.tasks import services as tasks

    street = make_street("虹桥街道")
    xinxi = make_community("新西社区", street=street)
    grid = make_grid(community=xinxi, name="虹桥北村网格")
    for number in range(12):  # a street of many communities: the picker needs its search
        make_community(f"测试{number:02d}社区", street=street)
    make_community("新东社区", street=street)
    secretary = make_staff("community_secretary", scope=xinxi, name="新西社区书记")
    make_staff("grid_worker", scope=grid, name="周网格")
    members = [make_member(community=xinxi, grid=grid, name=name, phone=phone)
               for name, phone in (("杜瑞山", "13912345670"), ("万娟", "13912345671"),
                                   ("陆华雷", "13912345672"))]
    starts = utcnow() + timedelta(days=1)
    task = tasks.create_task(secretary, title="虹桥北村56幢楼道消杀（长标题也不挤）",
                             category="disinfection", location="虹桥北村56幢",
                             description="", slots=6, starts_at=starts,
                             ends_at=starts + timedelta(hours=3))
    tasks.claim_task(members[0], task)
    requests.submit_request(ip="10.8.0.1", name="王阿姨", phone="13800001111",
                            community_id=xinxi.id, category="repair", description="水龙头漏水",
                            address="虹桥北村8幢201室", privacy_consent=True)
    facts = {"secretary": secretary.phone,
             "reviewer": make_staff("street_reviewer", scope=street, name="街道").phone,
             "admin": make_staff("district_admin", name="区委组织部").phone,
             "xinxi": xinxi.id}
    release_db()
    return facts


def test_staff_tables_are_cards_on_a_phone(new_page, shoot, login_as, district):
    secretary = new_page()
    login_as(secretary, district["secretary"], PASSWORD)
    for path, name in (("/tasks", "tasks"), ("/members?status=all", "members"),
                       ("/requests?status=all", "requests")):
        secretary.goto(path)
        table = secretary.locator(".table-wrap > table").first
        expect(table).to_have_class("stack")
        expect(table.locator("thead")).to_be_hidden()
        no_sideways_scroll(secretary)
        shoot(secretary, f"phone-cards-{name}")
    secretary.goto("/tasks")
    cell = secretary.locator("table.stack td[data-label='状态']").first
    assert cell.bounding_box()["height"] < 60  # the status pill stays on one line
    roster = secretary.get_by_role("link", name="名单").first
    expect(roster).to_be_visible()
    box = roster.bounding_box()
    assert box["x"] + box["width"] <= 390 and box["height"] >= 44

    admin = new_page()
    login_as(admin, district["admin"], PASSWORD)
    for path, name in (("/admin/audit", "audit"), ("/admin/staff", "staff")):
        admin.goto(path)
        no_sideways_scroll(admin)
        shoot(admin, f"phone-cards-{name}")
    expect(admin.locator("a[href^='tel:']").first).to_be_visible()


def test_the_area_picker_by_keyboard(new_page, shoot, login_as, district):
    reviewer = new_page()
    login_as(reviewer, district["reviewer"], PASSWORD)
    reviewer.goto("/mobilisations/new")
    reviewer.get_by_label("标题").fill("虹桥北村56幢临时管控集结")
    reviewer.get_by_label("集结令").fill("请到社区党群服务中心报到。")
    search = reviewer.get_by_placeholder("输入社区或街道名称筛选")
    search.focus()
    reviewer.keyboard.type("新西")
    area = reviewer.locator("#community_ids")
    expect(area.locator("label:visible")).to_have_count(1)
    reviewer.keyboard.press("ArrowDown")  # into the first match
    reviewer.keyboard.press("Space")
    expect(reviewer.get_by_label("新西社区", exact=True)).to_be_checked()
    expect(reviewer.locator("[data-checked-count]").first).to_have_text("1")
    shoot(reviewer, "phone-picker-filtered")
    search.fill("")  # the whole list comes back, the choice kept
    expect(area.locator("label:visible")).to_have_count(14)
    reviewer.get_by_label("岗位及人数").fill("卡口值守 10000")
    reviewer.get_by_test_id("declare-submit").click()
    expect(reviewer.locator(".field.has-error")).to_contain_text("共有 3 名已审核党员")
    expect(reviewer.get_by_label("新西社区", exact=True)).to_be_checked()
    shoot(reviewer, "phone-picker-bound")
    reviewer.get_by_label("岗位及人数").fill("卡口值守 3\n后勤保障 2")
    reviewer.get_by_test_id("declare-submit").click()
    expect(reviewer.get_by_role("alert")).to_contain_text("已通知 3 名党员")


def test_larger_text_is_remembered(new_page, login_as, district):
    page = new_page()
    page.goto("/requests/new")
    toggle = page.get_by_test_id("large-text")
    toggle.click()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    page.goto("/requests/track")
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "20px"
    no_sideways_scroll(page)
    page.get_by_test_id("large-text").click()
    assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "16px"


def test_a_resident_sees_the_converted_task_and_rates_it(new_page, shoot, login_as, district,
                                                         app, release_db):
    resident = new_page()
    resident.goto("/requests/new")
    resident.get_by_label("您的称呼").fill("")
    resident.get_by_label("手机号").fill("123")
    resident.get_by_label("地址").fill("虹桥北村9幢")
    resident.get_by_test_id("submit-request").click()
    errors = resident.locator(".field.has-error")
    assert errors.count() >= 4  # name, phone, community, category … in one round
    shoot(resident, "phone-resident-errors")
    resident.get_by_label("您的称呼").fill("李大爷")
    resident.get_by_label("手机号").fill("13800002222")
    resident.get_by_label("所在社区").select_option(label="虹桥街道新西社区")
    resident.get_by_label("需要什么帮助").select_option(label="水电维修")
    resident.get_by_label("具体说明").fill("卫生间灯坏了")
    resident.get_by_test_id("privacy_consent").check()
    resident.get_by_test_id("submit-request").click()
    code = resident.get_by_test_id("tracking-code").inner_text()

    from volunteer.auth.models import User
    from volunteer.requests import services as requests
    from volunteer.requests.models import ServiceRequest
    from volunteer.tasks.models import Task

    with app.app_context():
        req = db.session.query(ServiceRequest).filter_by(tracking_code=code).one()
        worker = db.session.query(User).filter_by(role="grid_worker").one()
        secretary = db.session.query(User).filter_by(phone=district["secretary"]).one()
        requests.accept_request(worker, req)
        starts = utcnow() + timedelta(hours=1)
        task = requests.convert_request(secretary, req, title="李大爷家换灯", location="9幢",
                                        starts_at=starts, ends_at=starts + timedelta(hours=1),
                                        slots=1)
        db.session.commit()
        task_id = task.id
        release_db()
    resident.reload()
    expect(resident.get_by_test_id("converted-task-title")).to_have_text("李大爷家换灯")
    expect(resident.get_by_test_id("converted-task-date")).to_contain_text(
        (utcnow() + timedelta(hours=9)).strftime("%Y-%m-%d"))
    no_sideways_scroll(resident)
    shoot(resident, "phone-resident-converted")
    with app.app_context():  # the task is over
        db.session.execute(update(Task).where(Task.id == task_id).values(
            starts_at=utcnow() - timedelta(hours=3), ends_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
        release_db()
    resident.reload()
    resident.get_by_label("满意度").select_option("5")
    resident.get_by_test_id("rate").click()
    expect(resident.get_by_test_id("rating")).to_contain_text("5 分")
    shoot(resident, "phone-resident-rated")


def test_the_certificate_fits_a_phone(new_page, shoot, login_as, make_community, make_staff,
                                      make_member, make_unit, release_db):
    from volunteer.tasks import services as tasks

    community = make_community("新西社区")
    secretary = make_staff("community_secretary", scope=community)
    member = make_member(community=community, name="杜瑞山",
                         unit=make_unit("南通市崇川区人民政府虹桥街道办事处"))
    for days, title in ((2, "虹桥北村56幢楼道消杀与垃圾清运（周末长班）"), (1, "代购帮办")):
        past = utcnow() - timedelta(days=days)
        task = tasks.create_task(secretary, title=title, category="disinfection",
                                 location="虹桥北村56幢", description="", slots=3,
                                 starts_at=past, ends_at=past + timedelta(hours=2),
                                 now=past - timedelta(hours=6))
        claim = tasks.claim_task(member, task, now=past - timedelta(hours=5))
        tasks.check_in(member, task, now=past + timedelta(minutes=5))
        tasks.check_out(member, task, now=past + timedelta(hours=2))
        tasks.confirm_claim(secretary, claim, quality=5, now=past + timedelta(hours=3))
    phone = member.phone
    release_db()
    page = new_page()
    login_as(page, phone, PASSWORD)
    page.goto("/me/service/certificate")
    expect(page.get_by_test_id("certificate-hours")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "phone-certificate")
