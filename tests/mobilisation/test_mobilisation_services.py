"""集结号: who is called, who answers, who assigns, who sees what."""

import pytest
from sqlalchemy import func, select

from volunteer.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from volunteer.extensions import db
from volunteer.mobilisation import services
from volunteer.notifications.models import Notification

from .conftest import POSTS


def inbox(user) -> list[str]:
    return list(db.session.scalars(select(Notification.title).where(
        Notification.user_id == user.id).order_by(Notification.id)))


def test_a_call_reaches_every_approved_member_living_in_the_area(area, call):
    """The whole of 城南新村 and one grid of 城东: a, b and c; not the pending member, not d (the
    other grid), not e (another street)."""
    assert call.members_told == 3
    for name in ("a", "b", "c"):
        assert inbox(area[name]) == ["集结号：城南新村临时管控区集结"], name
    for name in ("pending", "d", "e"):
        assert inbox(area[name]) == [], name
    # the area's community staff are told too, the other street's are not
    assert inbox(area["south_secretary"]) and inbox(area["east_secretary"])
    assert inbox(area["east_grid_worker"]) and not inbox(area["away_secretary"])
    assert [p.name for p in call.posts] == ["卡口值守", "后勤保障"]
    assert call.street_id == area["street"].id


def test_a_street_reviewer_calls_only_inside_their_street(area):
    with pytest.raises(ValidationFailed) as refused:
        services.declare(area["reviewer"], title="集结", message="报到",
                         community_ids=[area["away"].id], posts=POSTS)
    assert refused.value.fields == {"community_ids": "只能选择本街道的社区"}
    with pytest.raises(NotAllowed):
        services.declare(area["south_secretary"], title="集结", message="报到",
                         community_ids=[area["south"].id], posts=POSTS)
    with pytest.raises(NotAllowed):
        services.declare(area["a"], title="集结", message="报到",
                         community_ids=[area["south"].id], posts=POSTS)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


@pytest.mark.parametrize(("fields", "errors"), [
    ({"community_ids": [], "grid_ids": []}, {"community_ids": "请选择集结区域（社区或网格）"}),
    ({"community_ids": [999999]}, {"community_ids": "包含不存在的社区"}),
    ({"grid_ids": ["1"]}, {"grid_ids": "应为编号列表"}),
    ({"posts": []}, {"posts": "请至少设置一个岗位"}),
    ({"posts": [{"name": "卡口值守", "needed": 0}]},
     {"posts": "第 1 个岗位的人数应为 1–10000 的整数"}),
    ({"posts": [{"name": "卡口", "needed": 1}, {"name": "卡口", "needed": 2}]},
     {"posts": "岗位“卡口”重复"}),
    ({"posts": [{"name": "岗" * 41, "needed": 1}]}, {"posts": "第 1 个岗位名称不能超过 40 个字符"}),
    ({"title": "", "message": "字" * 1001},
     {"title": "不能为空", "message": "不能超过 1000 个字符"}),
])
def test_bad_calls_are_refused_clearly_and_change_nothing(area, fields, errors):
    data = {"title": "集结", "message": "报到", "community_ids": [area["south"].id],
            "grid_ids": [], "posts": [{"name": "卡口值守", "needed": 2}], **fields}
    with pytest.raises(ValidationFailed) as refused:
        services.declare(area["reviewer"], **data)
    assert refused.value.fields == errors
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_district_admin_calls_anywhere(area, admin):
    mobilisation = services.declare(admin, title="全区集结", message="报到",
                                    community_ids=[area["away"].id, area["south"].id],
                                    posts=POSTS)
    assert mobilisation.street_id is None and mobilisation.members_told == 3  # a, b, e
    # a grid of a community called whole adds no area row and nobody twice
    again = services.declare(admin, title="再集结", message="报到",
                             community_ids=[area["east"].id], grid_ids=[area["grid"].id],
                             posts=POSTS)
    assert [(a.community_id, a.grid_id) for a in again.areas] == [(area["east"].id, None)]
    assert again.members_told == 2


def test_parse_posts_reads_one_post_a_line():
    assert services.parse_posts("卡口值守 6\n\n后勤 保障　4\n") == [
        {"name": "卡口值守", "needed": 6}, {"name": "后勤 保障", "needed": 4}]
    with pytest.raises(ValidationFailed) as refused:
        services.parse_posts("卡口值守 6\n后勤保障")
    assert refused.value.fields == {"posts": "第 2 行应为“岗位名称 人数”，例如“卡口值守 6”"}


def test_members_answer_and_change_their_answer(area, call):
    row = services.reply(area["a"], call, "reporting", "今晚 8 点后到")
    db.session.commit()
    assert (row.answer, row.note) == ("reporting", "今晚 8 点后到")
    services.reply(area["a"], call, "cannot")
    db.session.commit()
    rows = db.session.scalars(select(services.MobilisationReply)).all()
    assert [(r.member_id, r.answer, r.note) for r in rows] == [(area["a"].id, "cannot", None)]
    with pytest.raises(ValidationFailed) as refused:
        services.reply(area["a"], call, "maybe")
    assert refused.value.fields == {"answer": "应为 reporting（响应报到）或 cannot（无法报到）"}
    for outsider in ("d", "e", "pending"):
        with pytest.raises(NotAllowed):
            services.reply(area[outsider], call, "reporting")


def test_the_secretary_assigns_posts_and_shifts_to_their_members(area, call):
    checkpoint, supplies = call.posts
    services.reply(area["a"], call, "reporting")
    services.reply(area["c"], call, "reporting")
    services.reply(area["b"], call, "cannot")
    db.session.commit()
    row = services.assign(area["south_secretary"], call, area["a"].id, checkpoint.id, "8:00–12:00")
    db.session.commit()
    assert (row.post_id, row.shift, row.assigned_by_id) == (
        checkpoint.id, "8:00–12:00", area["south_secretary"].id)
    assert inbox(area["a"])[-1] == "集结号岗位安排：卡口值守"
    # not another community's member, not someone who cannot come, not another call's post
    with pytest.raises(NotAllowed):
        services.assign(area["south_secretary"], call, area["c"].id, checkpoint.id)
    with pytest.raises(NotAllowed):
        services.assign(area["reviewer"], call, area["a"].id, checkpoint.id)
    with pytest.raises(NotAllowed):  # a branch secretary follows, the community assigns
        services.assign(area["branch_secretary"], call, area["a"].id, supplies.id)
    with pytest.raises(InvalidState):
        services.assign(area["south_secretary"], call, area["b"].id, checkpoint.id)
    with pytest.raises(NotFound):
        services.assign(area["south_secretary"], call, area["e"].id, checkpoint.id)
    with pytest.raises(NotFound):
        services.assign(area["south_secretary"], call, "x", checkpoint.id)
    other = services.declare(area["reviewer"], title="另一集结", message="报到",
                             community_ids=[area["south"].id], posts=POSTS)
    with pytest.raises(ValidationFailed) as refused:
        services.assign(area["south_secretary"], call, area["a"].id, other.posts[0].id)
    assert refused.value.fields == {"post_id": "岗位不属于该集结号"}
    with pytest.raises(ValidationFailed) as refused:
        services.assign(area["south_secretary"], call, area["a"].id, checkpoint.id, "班" * 41)
    assert refused.value.fields == {"shift": "不能超过 40 个字符"}
    db.session.rollback()
    counts = services.counts(area["reviewer"], call)
    assert {k: counts[k] for k in ("reached", "reporting", "cannot", "unanswered")} == {
        "reached": 3, "reporting": 2, "cannot": 1, "unanswered": 0}
    assert [(p["name"], p["assigned"], p["needed"]) for p in counts["posts"]] == [
        ("卡口值守", 1, 2), ("后勤保障", 0, 1)]
    # answering "cannot" gives the post back
    services.reply(area["a"], call, "cannot")
    assert services.counts(area["reviewer"], call)["posts"][0]["assigned"] == 0


def test_each_sees_their_part_of_the_roster(area, call, admin):
    services.reply(area["a"], call, "reporting")
    services.reply(area["c"], call, "cannot")
    db.session.commit()

    def names(viewer, show=None):
        return [m.name for m in db.session.scalars(services.roster_stmt(viewer, call, show))]

    assert names(area["reviewer"]) == ["冯罡", "陆华雷", "秦晓春"]  # reported, cannot, silent
    assert names(admin, "none") == ["秦晓春"]
    assert names(area["south_secretary"]) == ["冯罡", "秦晓春"]  # their community only
    assert names(area["east_grid_worker"]) == ["陆华雷"]
    assert names(area["south_secretary"], "unassigned") == ["冯罡"]
    assert names(area["branch_secretary"]) == ["冯罡"]  # their branch's members only
    for outsider in ("away_secretary", "other_reviewer", "d", "away_branch_secretary"):
        with pytest.raises(NotFound):
            services.get_mobilisation(area[outsider], call.id)
    for outsider in ("away_secretary", "other_reviewer"):
        with pytest.raises(NotAllowed):
            services.roster_stmt(area[outsider], call)
    with pytest.raises(NotAllowed):
        services.roster_stmt(area["a"], call)  # a member sees the call, not the roster
    with pytest.raises(ValidationFailed):
        services.roster_stmt(area["reviewer"], call, "everyone")


def test_lists_show_each_their_calls(area, call, admin, make_staff, make_unit):
    def titles(viewer):
        return [m.title for m in db.session.scalars(services.list_stmt(viewer))]

    for name in ("a", "c", "reviewer", "south_secretary", "east_grid_worker",
                 "branch_secretary"):
        assert titles(area[name]) == ["城南新村临时管控区集结"], name
    assert titles(admin) == ["城南新村临时管控区集结"]
    for name in ("d", "e", "pending", "away_secretary", "other_reviewer",
                 "away_branch_secretary"):
        assert titles(area[name]) == [], name
    assert titles(make_staff("unit_contact", make_unit())) == []  # units follow no calls


def test_closing_thanks_those_who_reported_and_ends_answers(area, call):
    services.reply(area["a"], call, "reporting")
    services.reply(area["b"], call, "cannot")
    with pytest.raises(NotAllowed):
        services.close(area["other_reviewer"], call)
    with pytest.raises(NotAllowed):
        services.close(area["south_secretary"], call)
    services.close(area["reviewer"], call)
    db.session.commit()
    assert inbox(area["a"])[-1] == "集结号已结束：城南新村临时管控区集结"
    assert inbox(area["b"])[-1] == "集结号：城南新村临时管控区集结"
    with pytest.raises(InvalidState):
        services.reply(area["b"], call, "reporting")
    with pytest.raises(InvalidState):
        services.close(area["reviewer"], call)


def test_a_member_is_asked_on_their_page_until_they_answer(area, call, client, login):
    assert services.awaiting_answer(area["a"]) == [call]
    assert services.awaiting_answer(area["d"]) == []  # not in the area
    login(area["a"])
    assert "城南新村临时管控区集结" in client.get("/me").get_data(as_text=True)
    services.reply(area["a"], call, "cannot")
    db.session.commit()
    assert services.awaiting_answer(area["a"]) == []
    assert "城南新村临时管控区集结" not in client.get("/me").get_data(as_text=True)
    assert services.awaiting_answer(area["b"]) == [call]
    services.close(area["reviewer"], call)
    assert services.awaiting_answer(area["b"]) == []  # a closed call asks nobody


def test_a_deactivated_member_is_not_called(area):
    area["b"].active = False
    db.session.commit()
    mobilisation = services.declare(
        area["reviewer"], title="城南新村临时管控区集结", message="请到社区党群服务中心报到",
        community_ids=[area["south"].id], grid_ids=[area["grid"].id], posts=POSTS)
    db.session.commit()
    assert mobilisation.members_told == 2
    assert inbox(area["b"]) == []


def test_posts_need_no_more_people_than_live_in_the_area(area):
    """城南新村社区 has two approved members (the pending one does not count)."""
    base = {"title": "集结", "message": "报到", "community_ids": [area["south"].id]}
    with pytest.raises(ValidationFailed) as refused:
        services.declare(area["reviewer"], **base, posts=[{"name": "卡口值守", "needed": 10000}])
    assert refused.value.fields == {"posts": "集结区域内共有 2 名已审核党员，岗位“卡口值守”需要 "
                                              "10000 人，超过了这个数，请减少到 2 人以内"}
    with pytest.raises(ValidationFailed) as refused:
        services.declare(area["reviewer"], **base, posts=[
            {"name": "卡口值守", "needed": 2}, {"name": "后勤保障", "needed": 3}])
    assert "岗位“后勤保障”需要 3 人" in refused.value.fields["posts"]
    db.session.rollback()
    # the area's grid counts its own members: 城南新村 (2) + 城东一网格 (1); posts together
    # may need more (members take them in shifts)
    call = services.declare(area["reviewer"], **base, grid_ids=[area["grid"].id], posts=[
        {"name": "卡口值守", "needed": 3}, {"name": "后勤保障", "needed": 3}])
    assert call.members_told == 3
