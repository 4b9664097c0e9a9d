"""微心愿 in a browser: a grid worker records a wish, the secretary publishes, a member claims
it and waits (等待社区确认) until the grid worker accepts the claim, then sees the household and
fulfils it, the grid worker confirms, and the anonymous wall shows it."""

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def xinxi(make_street, make_community, make_grid, make_staff, make_member, make_unit,
          release_db):
    """新西社区 with a secretary, a grid worker of 第三网格 and two approved members."""
    community = make_community("新西社区", street=make_street("虹桥街道"))
    grid = make_grid(community=community, name="第三网格")
    facts = {
        "secretary": make_staff("community_secretary", scope=community, name="陆华雷").phone,
        "worker": make_staff("grid_worker", scope=grid, name="周网格").phone,
        "member": make_member(community=community, grid=grid, unit=make_unit("崇川区农水局"),
                              name="杜瑞山").phone,
        "other": make_member(community=community, name="钱党员").phone,
    }
    release_db()
    return facts


def fill_wish(page, *, kind: str, head: str, phone: str, address: str, wish: str,
              value: str) -> None:
    """Fill the grid worker's new-wish form (the page is open)."""
    page.get_by_label("家庭类别").select_option(label=kind)
    page.get_by_label("户主").fill(head)
    page.get_by_label("联系电话").fill(phone)
    page.get_by_label("住址").fill(address)
    page.get_by_label("心愿内容").fill(wish)
    page.get_by_label("预估价值").fill(value)


def logout(page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def test_record_publish_claim_fulfil_confirm(new_page, shoot, login_as, xinxi, tmp_path):
    photo = tmp_path / "wish.png"
    Image.new("RGB", (64, 48), (220, 60, 40)).save(photo)

    worker = new_page()
    login_as(worker, xinxi["worker"], PASSWORD)
    worker.get_by_test_id("nav-wishes").click()
    worker.get_by_test_id("new-wish").click()
    fill_wish(worker, kind="独居老人", head="张秀英", phone="13912345678",
              address="虹桥北村56幢302室", wish="想要一台电饭煲", value="200")
    worker.get_by_label("照片").set_input_files(str(photo))
    shoot(worker, "wishes-01-record")
    worker.get_by_role("button", name="提交审核").click()
    expect(worker.get_by_role("alert")).to_contain_text("微心愿已登记")
    expect(worker.get_by_test_id("wish-status")).to_have_text("待审核")
    expect(worker.locator(".photos img")).to_be_visible()
    wish_url = worker.url

    secretary = new_page()
    login_as(secretary, xinxi["secretary"], PASSWORD)
    secretary.get_by_test_id("nav-wishes").click()
    secretary.get_by_role("link", name="待审核", exact=True).click()
    secretary.locator(".wish-card", has_text="想要一台电饭煲").click()
    expect(secretary.get_by_test_id("beneficiary")).to_have_text("张秀英")
    shoot(secretary, "wishes-02-review")
    secretary.get_by_test_id("publish").click()
    expect(secretary.get_by_role("alert")).to_contain_text("心愿已发布")

    other = new_page()
    login_as(other, xinxi["other"], PASSWORD)
    other.goto(wish_url)
    expect(other.get_by_test_id("beneficiary")).to_have_text("张**")
    expect(other.locator("main")).not_to_contain_text("虹桥北村")
    expect(other.locator(".photos")).to_have_count(0)

    member = new_page()
    login_as(member, xinxi["member"], PASSWORD)
    member.get_by_test_id("nav-wishes").click()
    card = member.locator(".wish-card", has_text="想要一台电饭煲")
    expect(card).to_contain_text("张**")
    expect(card).to_contain_text("第三网格")
    shoot(member, "wishes-03-browse")
    card.click()
    member.get_by_test_id("claim").click()
    expect(member.get_by_role("alert").first).to_contain_text("认领成功")
    # the claim waits for the community: no name, address, phone or photo yet
    expect(member.get_by_test_id("claim-state")).to_contain_text("等待社区确认")
    expect(member.get_by_test_id("beneficiary")).to_have_text("张**")
    expect(member.locator("main")).not_to_contain_text("13912345678")
    expect(member.locator("main")).not_to_contain_text("虹桥北村")
    expect(member.locator(".photos")).to_have_count(0)
    expect(member.get_by_test_id("fulfil")).to_have_count(0)
    shoot(member, "wishes-04-waiting")
    member.goto("/wishes?tab=mine")
    expect(member.locator(".wish-card", has_text="想要一台电饭煲")).to_contain_text("等待社区确认")
    shoot(member, "wishes-04-mine")
    other.reload()
    expect(other.get_by_test_id("wish-status")).to_have_text("已认领")
    expect(other.locator("main")).not_to_contain_text("张秀英")
    expect(other.get_by_test_id("claim")).to_have_count(0)

    # the grid worker of the wish's grid accepts the claim (on a phone)
    worker.get_by_test_id("nav-wishes").click()
    worker.locator(".tabs a", has_text="认领待确认").click()
    card = worker.locator(".wish-card", has_text="想要一台电饭煲")
    expect(card).to_contain_text("1 人认领待确认")
    shoot(worker, "wishes-04-awaiting")
    worker.locator(".wish-card", has_text="想要一台电饭煲").click()
    expect(worker.get_by_test_id("pending-claims")).to_contain_text("杜瑞山")
    shoot(worker, "wishes-04-accept")
    worker.get_by_role("button", name="确认认领").click()
    expect(worker.get_by_role("alert")).to_contain_text("已确认认领")
    expect(worker.get_by_test_id("pending-claims")).to_have_count(0)
    expect(worker.get_by_test_id("claim-history")).to_contain_text("社区已确认")

    member.goto(wish_url)
    expect(member.get_by_test_id("claim-state")).to_contain_text("社区已确认")
    expect(member.get_by_test_id("beneficiary")).to_have_text("张秀英")
    expect(member.locator("main")).to_contain_text("13912345678")
    expect(member.locator(".photos img")).to_be_visible()
    shoot(member, "wishes-05-accepted")
    member.get_by_label("圆梦情况").fill("周六上午把电饭煲送到老人家中，并教会了使用")
    member.get_by_test_id("fulfil").click()
    expect(member.get_by_role("alert")).to_contain_text("已标记圆梦")
    expect(member.get_by_test_id("wish-status")).to_have_text("待确认")

    worker.goto(wish_url)
    worker.get_by_label("家庭满意度").select_option("5")
    worker.get_by_label("家庭的感谢").fill("谢谢党员同志！")
    worker.get_by_label("心愿墙故事").fill("独居老人用上了新电饭煲，党员还教会了老人使用。")
    shoot(worker, "wishes-06-confirm")
    worker.get_by_test_id("confirm").click()
    expect(worker.get_by_role("alert")).to_contain_text("已确认圆梦")
    expect(worker.get_by_test_id("satisfaction")).to_have_text("5 分")

    resident = new_page()
    resident.goto("/wall")
    item = resident.locator(".wall-item", has_text="想要一台电饭煲")
    expect(item).to_contain_text("独居老人用上了新电饭煲")
    expect(resident.locator("main")).not_to_contain_text("张秀英")
    expect(resident.locator("main")).not_to_contain_text("虹桥北村")
    shoot(resident, "wishes-07-wall")


def test_secretary_returns_a_wish_with_a_reason(new_page, shoot, login_as, xinxi):
    worker = new_page()
    login_as(worker, xinxi["worker"], PASSWORD)
    worker.goto("/wishes/new")
    fill_wish(worker, kind="低保户", head="李桂兰", phone="13800002222",
              address="新西新村3幢", wish="想要一台冰箱", value="-5")
    worker.get_by_role("button", name="提交审核").click()
    expect(worker.locator(".field.has-error")).to_contain_text("金额不能为负数")
    worker.get_by_label("预估价值").fill("900")
    worker.get_by_role("button", name="提交审核").click()
    expect(worker.locator(".field.has-error")).to_contain_text("不能超过 500 元")
    worker.get_by_label("预估价值").fill("480")
    worker.get_by_role("button", name="提交审核").click()
    wish_url = worker.url

    secretary = new_page()
    login_as(secretary, xinxi["secretary"], PASSWORD)
    secretary.goto(wish_url)
    secretary.get_by_label("退回原因").fill("请先核实家中是否已有冰箱")
    secretary.get_by_test_id("return").click()
    expect(secretary.get_by_test_id("wish-status")).to_have_text("已退回")

    worker.goto("/inbox")
    expect(worker.locator("main")).to_contain_text("微心愿被退回")
    worker.goto(wish_url)
    expect(worker.locator("main")).to_contain_text("请先核实家中是否已有冰箱")
    shoot(worker, "wishes-08-returned")


def test_secretary_refuses_a_claim_and_the_member_may_release_twice(new_page, shoot, login_as,
                                                                     xinxi, live_server):
    worker = new_page()
    login_as(worker, xinxi["worker"], PASSWORD)
    urls = []
    for wish in ("想要一个保温杯", "想要一床棉被"):
        worker.goto("/wishes/new")
        fill_wish(worker, kind="困难家庭", head="王桂芳", phone="13800003333",
                  address="新西新村5幢", wish=wish, value="80")
        worker.get_by_role("button", name="提交审核").click()
        urls.append(worker.url)
    secretary = new_page()
    login_as(secretary, xinxi["secretary"], PASSWORD)
    for url in urls:
        secretary.goto(url)
        secretary.get_by_test_id("publish").click()

    member = new_page()
    login_as(member, xinxi["member"], PASSWORD)
    member.goto(urls[0])
    member.get_by_test_id("claim").click()
    expect(member.get_by_test_id("releases-left")).to_contain_text("还可退还 2 个")

    secretary.goto(urls[0])
    secretary.get_by_text("谢绝认领").click()
    secretary.get_by_label("谢绝原因").fill("该户已由社区帮扶解决")
    shoot(secretary, "wishes-09-refuse")
    secretary.get_by_role("button", name="谢绝", exact=True).click()
    expect(secretary.get_by_role("alert")).to_contain_text("已谢绝")
    expect(secretary.get_by_test_id("wish-status")).to_have_text("待认领")
    expect(secretary.get_by_test_id("claim-history")).to_contain_text("该户已由社区帮扶解决")
    shoot(secretary, "wishes-10-history")

    member.goto("/inbox")
    expect(member.locator("main")).to_contain_text("社区未同意您认领微心愿")
    expect(member.locator("main")).to_contain_text("该户已由社区帮扶解决")
    member.goto(urls[1])
    member.get_by_test_id("claim").click()
    member.get_by_test_id("release").click()
    expect(member.get_by_role("alert")).to_contain_text("已退还")
    member.goto(urls[1])
    member.get_by_test_id("claim").click()
    expect(member.get_by_test_id("releases-left")).to_contain_text("还可退还 1 个")
    member.get_by_test_id("release").click()
    member.goto(urls[1])
    member.get_by_test_id("claim").click()
    expect(member.get_by_test_id("releases-left")).to_contain_text("还可退还 0 个")
    expect(member.get_by_test_id("release")).to_have_count(0)
    shoot(member, "wishes-11-release-limit")
