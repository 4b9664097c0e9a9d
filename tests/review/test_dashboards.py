"""Dashboards, exports, the stats API and commendations: permissions, shape, figures."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from volunteer.extensions import db
from volunteer.notifications.models import Notification

Q1 = "2026Q1"


def pages(town):
    s, t, a, b = town["s"].id, town["t"].id, town["a"].id, town["b"].id
    return {
        "district": "/review/district",
        "street_s": f"/review/street/{s}", "street_t": f"/review/street/{t}",
        "community_a": f"/review/community/{a}", "community_b": f"/review/community/{b}",
        "community_c": f"/review/community/{town['c'].id}",
        "branch": f"/review/branch/{town['branch'].id}",
        "school": f"/review/unit/{town['school'].id}",
        "hospital": f"/review/unit/{town['hospital'].id}",
    }


ALLOWED = {
    "admin": {"district", "street_s", "street_t", "community_a", "community_b", "community_c",
              "branch", "school", "hospital"},
    "reviewer": {"street_s", "community_a", "community_b", "branch"},
    "other_reviewer": {"street_t", "community_c"},
    "secretary": {"community_a", "branch"},
    "branch_secretary": {"branch"},
    "school_contact": {"school"},
    "gu": set(),
}


@pytest.mark.parametrize("who", sorted(ALLOWED))
def test_dashboard_permission_matrix(town, client, login, who):
    login(town[who])
    for name, path in pages(town).items():
        expected = 200 if name in ALLOWED[who] else 403
        for suffix in ("", "/export.xlsx", "/charts.xlsx", "/hours.csv"):
            response = client.get(f"{path}{suffix}?period={Q1}")
            response.close()  # an export streams a temporary file, removed on close
            assert response.status_code == expected, (who, name, suffix)


def test_home_sends_each_role_to_its_scope(town, client, login):
    login(town["reviewer"])
    assert client.get("/review").headers["Location"].endswith(f"/review/street/{town['s'].id}")
    assert client.get("/review/street/999999").status_code == 404


def test_page_shows_the_figures_score_explanation_and_masked_phones(town, client, login):
    login(town["reviewer"])
    html = client.get(f"/review/street/{town['s'].id}?period={Q1}&table=member").get_data(
        as_text=True)
    assert "综合评分（满分 100）" in html and "贝叶斯" in html
    assert "139****0001" in html and "13900000001" not in html
    assert html.index("顾丽") < html.index("吴强") < html.index("周荣祥")
    assert "chart.umd.min.js" in html and 'data-chart="trend"' in html
    sorted_html = client.get(f"/review/street/{town['s'].id}?period={Q1}&table=member"
                             "&sort=hours&dir=desc").get_data(as_text=True)
    assert sorted_html.index("顾丽") < sorted_html.index("周荣祥") < sorted_html.index("吴强")


def test_secretary_sees_own_members_phones(town, client, login):
    login(town["secretary"])
    html = client.get(f"/review/community/{town['a'].id}?period={Q1}&table=member").get_data(
        as_text=True)
    assert "13900000001" in html


def test_bad_periods_and_tables(town, client, login, token_for):
    login(town["admin"])
    page = client.get("/review/district?period=2026Q5")  # the dashboard, the error inline
    assert page.status_code == 200 and "季度应为 Q1–Q4" in page.get_data(as_text=True)
    assert client.get("/review/district?table=grid").status_code == 400
    headers = token_for(town["admin"])
    for period, message in (("2026Q5", "季度应为 Q1–Q4"), ("2026-13", "月份应为 01–12"),
                            ("2026-03-01..2026-02-01", "结束日期不能早于开始日期"),
                            ("next year", "期间格式应为")):
        response = client.get(f"/api/v1/stats?period={period}", headers=headers)
        assert response.status_code == 400
        body = response.get_json()["error"]
        assert message in body["message"] and "period" in body["fields"]
    response = client.get("/api/v1/stats?level=planet&period=2026Q1", headers=headers)
    assert response.status_code == 400 and "level" in response.get_json()["error"]["fields"]


def test_stats_api_matches_the_page(town, client, token_for):
    headers = token_for(town["reviewer"])
    body = client.get(f"/api/v1/stats?level=community&street_id={town['s'].id}&period={Q1}",
                      headers=headers).get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["per_page"] == 20
    assert [(r["name"], r["score"], r["hours"], r["participation"]) for r in body["items"]] == [
        ("虹桥社区", 83.7, 2.0, 1.0), ("公园社区", 82.1, 9.0, 0.6667)]
    assert "quality_sum" not in body["items"][0] and body["period_label"] == "2026年第1季度"
    members = client.get(f"/api/v1/stats?level=member&community_id={town['a'].id}"
                         f"&period={Q1}&per_page=2", headers=headers).get_json()
    assert members["total"] == 3 and [r["name"] for r in members["items"]] == ["顾丽", "周荣祥"]
    assert members["items"][0]["phone"] == "139****0001"
    denied = client.get(f"/api/v1/stats?street_id={town['t'].id}&period={Q1}", headers=headers)
    assert denied.status_code == 403
    other = client.get(f"/api/v1/stats?community_id={town['c'].id}&period={Q1}", headers=headers)
    assert other.status_code == 403
    unit = client.get(f"/api/v1/stats?level=member&period={Q1}",
                      headers=token_for(town["school_contact"])).get_json()
    assert sorted(r["name"] for r in unit["items"]) == ["周荣祥", "李明", "顾丽"]
    member = client.get(f"/api/v1/stats?period={Q1}", headers=token_for(town["gu"]))
    assert member.status_code == 403
    assert client.get(f"/api/v1/stats?period={Q1}").status_code == 401


def test_openapi_lists_stats(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/stats" in paths


def test_excel_export_matches_the_page(town, client, login, token_for):
    login(town["reviewer"])
    response = client.get(f"/review/street/{town['s'].id}/export.xlsx?period={Q1}&table=member")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = list(sheet.iter_rows(values_only=True))
    assert "和平桥街道" in values[0][0] and "2026年第1季度" in values[0][0]
    header = list(values[2])
    assert header[:4] == ["排名", "姓名", "手机号", "居住社区"]
    rows = [dict(zip(header, row, strict=True)) for row in values[3:]]
    api = client.get(f"/api/v1/stats?level=member&street_id={town['s'].id}&period={Q1}",
                     headers=token_for(town["reviewer"])).get_json()["items"]
    assert [(r["姓名"], r["综合评分"], r["服务时长（小时）"], r["服务次数"]) for r in rows] == [
        (r["name"], r["score"], r["hours"], r["services"]) for r in api]
    assert isinstance(rows[0]["服务时长（小时）"], int | float)
    assert rows[0]["手机号"] == "139****0001"
    groups = client.get(f"/review/street/{town['s'].id}/export.xlsx?period={Q1}")
    sheet = load_workbook(io.BytesIO(groups.get_data())).active
    group_rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [r[1] for r in group_rows] == ["虹桥社区", "公园社区"]
    assert sheet.cell(row=5, column=7).number_format == "0.0%"
    assert sheet.cell(row=5, column=7).value == 0.6667


def test_chart_tables_download_as_excel(town, client, login):
    login(town["reviewer"])
    page = client.get(f"/review/street/{town['s'].id}?period={Q1}").get_data(as_text=True)
    assert f"/review/street/{town['s'].id}/charts.xlsx?period={Q1}" in page
    response = client.get(f"/review/street/{town['s'].id}/charts.xlsx?period={Q1}")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["月度趋势", "服务类别", "各社区参与率"]
    trend = list(book["月度趋势"].iter_rows(values_only=True))
    assert "和平桥街道" in trend[0][0] and "图表数据" in trend[0][0]
    assert trend[1] == ("月份", "服务时长（小时）", "参与党员", "服务人次")
    # 吴强 in January (1 h), 周荣祥 in February (4 h), 顾丽 ×3 and 吴强 in March (6 h)
    assert trend[2:] == [("2026年1月", 1.0, 1, 1), ("2026年2月", 4.0, 1, 1),
                         ("2026年3月", 6.0, 2, 4)]
    categories = list(book["服务类别"].iter_rows(min_row=3, values_only=True))
    assert categories == [("卡口值守", 11.0, 6)]
    participation = list(book["各社区参与率"].iter_rows(min_row=3, values_only=True))
    assert participation == [("公园社区", 0.6667, 2, 3), ("虹桥社区", 1.0, 1, 1)]


def test_a_range_that_cuts_months_says_its_trend_is_by_whole_months(town, client, login):
    login(town["reviewer"])
    base = f"/review/street/{town['s'].id}?period="
    assert 'data-testid="trend-whole-months"' not in client.get(base + Q1).get_data(as_text=True)
    cut = client.get(base + "2026-03-09..2026-03-20").get_data(as_text=True)
    assert 'data-testid="trend-whole-months"' in cut and "按整月统计" in cut


def test_hours_csv_for_the_registries(town, client, login):
    login(town["reviewer"])
    response = client.get(f"/review/street/{town['s'].id}/hours.csv?period={Q1}")
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["姓名", "手机号（脱敏）", "服务日期", "服务时长（小时）", "服务项目",
                       "服务类别", "服务组织"]
    assert len(rows) == 1 + 6  # 顾丽 3, 周荣祥 1, 吴强 2 (the April service is Q2)
    gu = [r for r in rows if r[0] == "顾丽"]
    assert [r[2] for r in gu] == ["2026-03-10", "2026-03-20", "2026-03-31"]
    assert gu[0][1] == "139****0001" and gu[0][3] == "2.0"
    assert gu[0][6] == "崇川区和平桥街道公园社区"


def test_commendation_reaches_member_unit_and_summary(town, client, login):
    from volunteer.core.periods import parse_period
    from volunteer.reports import content

    gu_id, school_contact_id = town["gu"].id, town["school_contact"].id
    hospital_contact_id = town["hospital_contact"].id
    login(town["reviewer"])
    page = client.get(f"/review/commend/{gu_id}?period={Q1}")
    assert page.status_code == 200 and "94.3" in page.get_data(as_text=True)
    citation = "疫情期间连续值守卡口，服务居民热情周到。"
    response = client.post(f"/review/commend/{gu_id}?period={Q1}",
                           data={"period": Q1, "citation": citation})
    assert response.status_code == 302
    again = client.post(f"/review/commend/{gu_id}?period={Q1}",
                        data={"period": Q1, "citation": "再次"})
    assert again.status_code == 409
    idle = client.post(f"/review/commend/{town['chen'].id}?period={Q1}",
                       data={"period": Q1, "citation": "好"})
    assert "没有经确认的服务" in idle.get_data(as_text=True)
    street = client.get(f"/review/street/{town['s'].id}?period={Q1}").get_data(as_text=True)
    assert "疫情期间连续值守卡口" in street
    kinds = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert (gu_id, "commendation") in kinds and (school_contact_id, "commendation") in kinds
    assert (hospital_contact_id, "commendation") not in kinds
    login(town["gu"])
    assert "2026年第1季度模范志愿者" in client.get("/me/service").get_data(as_text=True)
    _shared, recipients = content.half_year_summary(parse_period("2026H1"), None)
    mine = next(r for r in recipients if r["user_id"] == gu_id)
    assert mine["payload"]["commendations"][0]["period"] == Q1
    assert "模范志愿者" in mine["body"]
    unit = next(r for r in recipients if r["user_id"] == school_contact_id)
    assert any(m["commendations"] for m in unit["payload"]["members"])


def test_only_the_members_street_reviewer_commends(town, client, login):
    login(town["other_reviewer"])
    response = client.post(f"/review/commend/{town['gu'].id}?period={Q1}",
                           data={"period": Q1, "citation": "好"})
    assert response.status_code == 403
    login(town["secretary"])
    assert client.get(f"/review/commend/{town['gu'].id}?period={Q1}").status_code == 403


def test_a_commendation_is_withdrawn_with_a_reason(town, client, login):
    from volunteer.audit.models import AuditLog
    from volunteer.commendations.models import Commendation

    gu_id = town["gu"].id
    login(town["reviewer"])
    client.post(f"/review/commend/{gu_id}?period={Q1}", data={"period": Q1, "citation": "好"})
    commendation_id = db.session.scalar(select(Commendation.id))
    url = f"/review/commendations/{commendation_id}/withdraw"
    for who in ("other_reviewer", "secretary", "gu"):  # only the street's reviewer
        login(town[who])
        assert client.post(url, data={"reason": "误评"}).status_code == 403
    login(town["reviewer"])
    page = client.get(f"/review/street/{town['s'].id}?period={Q1}").get_data(as_text=True)
    assert url in page and "data-confirm" in page
    refused = client.post(url, data={"reason": "  "}, follow_redirects=True)
    assert "请填写撤销原因" in refused.get_data(as_text=True)
    assert db.session.get(Commendation, commendation_id) is not None
    assert client.post(url, data={"reason": "x" * 201}).status_code == 302
    assert db.session.get(Commendation, commendation_id) is not None
    assert client.post(url, data={"reason": "评选时统计有误"}).status_code == 302
    assert db.session.get(Commendation, commendation_id) is None
    assert client.post(url, data={"reason": "再次"}).status_code == 404
    titles = [n.title for n in db.session.scalars(select(Notification).where(
        Notification.user_id == gu_id))]
    assert "2026年第1季度模范志愿者评选已撤销" in titles
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "withdraw_commendation"))
    assert log.detail["reason"] == "评选时统计有误"


def test_dashboard_in_english(town, client, login):
    login(town["reviewer"])
    client.post("/locale/en", data={"next": "/"})
    html = client.get(f"/review/street/{town['s'].id}?period={Q1}").get_data(as_text=True)
    assert 'lang="en"' in html
    for text in ("Hours and active members by month", "Service categories",
                 "Download chart data (Excel)", "Custom period", "Registered members",
                 "Avg. resident satisfaction", "Score (out of 100)", "Participation by Community"):
        assert text in html, text
    assert "综合评分" not in html and "报到党员" not in html
