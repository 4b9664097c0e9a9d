"""/admin/audit: Chinese action names, objects by name with links, readable details, filters."""

from datetime import UTC, datetime, timedelta

from volunteer.audit.services import record_action
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.tasks import services as tasks
from volunteer.wishes.models import Wish


def _task(secretary):
    starts = utcnow() + timedelta(days=2)
    task = tasks.create_task(secretary, title="楼道消杀", category="disinfection",
                             location="3 幢楼道", description="", slots=5, starts_at=starts,
                             ends_at=starts + timedelta(hours=3), now=utcnow())
    db.session.commit()
    return task


def _setup(make_community, make_member, make_staff):
    community = make_community("公园社区")
    secretary = make_staff("community_secretary", community, name="陈书记", phone="13800000011")
    other = make_staff("community_secretary", make_community("虹桥社区"), name="王书记",
                       phone="13800000022")
    member = make_member(community, name="顾丽")
    admin = make_staff("district_admin", name="区管理员", phone="13800000033")
    task = _task(secretary)
    record_action(other, "approve_member", member)
    record_action(secretary, "remove_claim", task, member_id=member.id, task_id=task.id,
                  reason="临时有事")
    record_action(None, "declare_mobilisation", None, title="防汛", communities=[1, 2],
                  grids=[], members=12, post=None)
    old = record_action(other, "create_wish", Wish(), kind="elderly_alone", value=50)
    old.created_at = datetime(2026, 1, 10, 4, tzinfo=UTC)
    db.session.commit()
    return {"secretary": secretary, "other": other, "member": member, "admin": admin,
            "task": task, "community": community}


def test_rows_read_as_sentences(make_community, make_member, make_staff, client, login):
    town = _setup(make_community, make_member, make_staff)
    login(town["admin"])
    response = client.get("/admin/audit")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("创建服务项目", "移出报名党员", "审核通过党员报到", "发布集结号", "登记微心愿",
                 "独居老人", "社区数：</span>2 个", "原因：</span>临时有事", "楼道消杀", "顾丽",
                 f'href="/tasks/{town["task"].id}"', f'href="/members/{town["member"].id}"',
                 "招募中"):
        assert text in html, text
    for raw in ("create_task", "elderly_alone", "#None", "communities:", "None", "grids"):
        assert raw not in html.split('id="audit-action"')[0] + html.split("</form>")[-1], raw


def test_filters(make_community, make_member, make_staff, client, login):
    town = _setup(make_community, make_member, make_staff)
    login(town["admin"])

    def rows(query):
        html = client.get(f"/admin/audit?{query}").get_data(as_text=True)
        return html.split('data-testid="audit-table"')[1]

    assert "移出报名党员" in rows("actor=陈书记") and "审核通过" not in rows("actor=陈书记")
    assert "审核通过" in rows("actor=13800000022") and "楼道消杀" not in rows("actor=0000022")
    only = rows("action=approve_member")
    assert "审核通过党员报到" in only and "移出报名党员" not in only
    task_id = town["task"].id
    by_object = rows(f"object_type=tasks&object_id={task_id}")
    assert "创建服务项目" in by_object and "移出报名党员" in by_object and "顾丽" not in \
        by_object.split("详情")[0]
    dated = rows("from=2026-01-01&to=2026-01-31")
    assert "登记微心愿" in dated and "楼道消杀" not in dated
    assert "登记微心愿" not in rows(f"from={utcnow():%Y-%m-%d}")


def test_bad_filters_are_shown_inline(make_community, make_member, make_staff, client, login):
    town = _setup(make_community, make_member, make_staff)
    login(town["admin"])
    response = client.get("/admin/audit?action=drop_tables&object_id=-3&from=2026-13-01"
                          "&to=9999-01-01&actor=" + "长" * 500)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in ("action", "object_id", "from", "to"):
        assert f'data-testid="audit-error-{name}"' in html, name
    response = client.get("/admin/audit?from=2026-03-01&to=2026-02-01")
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)


def test_only_the_district_admin_reads_the_log(make_community, make_member, make_staff,
                                               client, login):
    town = _setup(make_community, make_member, make_staff)
    login(town["secretary"])
    assert client.get("/admin/audit").status_code == 403
