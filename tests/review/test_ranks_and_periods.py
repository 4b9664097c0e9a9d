"""Dashboards: 未参与 for nothing to rank, shared ranks, and the period by date pickers."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.review.test_dashboards import Q1


def test_a_member_without_service_is_not_ranked(town, client, login, token_for):
    login(town["reviewer"])
    street = town["s"].id
    html = client.get(f"/review/street/{street}?table=member&period={Q1}").get_data(as_text=True)
    row = html.split("陈静")[0].rsplit("<tr>", 1)[1]
    assert "未参与" in row
    body = client.get(f"/api/v1/stats?level=member&street_id={street}&period={Q1}",
                      headers=token_for(town["reviewer"])).get_json()
    ranks = {item["name"]: item["rank"] for item in body["items"]}
    assert ranks["陈静"] is None and sorted(r for r in ranks.values() if r) == [1, 2, 3]
    book = load_workbook(BytesIO(client.get(
        f"/review/street/{street}/export.xlsx?table=member&period={Q1}").data))
    sheet = book.active
    cells = {row[1].value: row[0].value for row in sheet.iter_rows() if row[1].value}
    assert cells["陈静"] == "未参与" and cells["顾丽"] == 1


def test_a_community_without_service_is_not_ranked(town, client, token_for):
    body = client.get(f"/api/v1/stats?level=community&street_id={town['s'].id}&period=2026Q2",
                      headers=token_for(town["reviewer"])).get_json()
    ranks = {item["name"]: item["rank"] for item in body["items"]}
    assert ranks == {"公园社区": 1, "虹桥社区": None}
    # sorted by rank, 未参与 comes last either way
    body = client.get(f"/api/v1/stats?level=community&street_id={town['s'].id}&period=2026Q2"
                      "&sort=rank&dir=asc", headers=token_for(town["reviewer"])).get_json()
    assert [item["rank"] for item in body["items"]] == [1, None]


def test_picked_dates_become_the_period(town, client, login):
    login(town["reviewer"])
    page = f"/review/street/{town['s'].id}"
    response = client.get(f"{page}?table=member&from=2026-01-01&to=2026-03-31")
    assert response.status_code == 302
    assert "period=2026Q1" in response.location and "from=" not in response.location
    response = client.get(f"{page}?from=2026-01-05&to=2026-02-20")
    assert "period=2026-01-05..2026-02-20" in response.location
    html = client.get(response.location).get_data(as_text=True)
    assert 'value="2026-01-05"' in html and 'value="2026-02-20"' in html


@pytest.mark.parametrize(("query", "field", "message"), [
    ("from=2026-03-01&to=2026-02-01", "to", "结束日期不能早于开始日期"),
    ("from=2020-01-01&to=2026-01-01", "to", "期间不能超过三年"),
    ("from=9999-01-01&to=9999-12-31", "from", "日期应在 2000-01-01 至 2100-12-31 之间"),
    ("from=2026-02-30&to=2026-03-01", "from", "日期无效"),
    ("from=2026-01-01&to=", "to", "请选择日期"),
    ("period=上个月", "from", "期间格式应为"),
])
def test_a_wrong_period_shows_the_dashboard_with_an_inline_error(town, client, login, query,
                                                                 field, message):
    login(town["reviewer"])
    response = client.get(f"/review/street/{town['s'].id}?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-testid="summary"' in html and 'data-testid="period-chips"' in html
    error = html.split(f'data-testid="period-error-{field}">')[1].split("</div>")[0]
    assert message in error
    assert 'data-testid="period-error"' in html


def test_the_api_refuses_a_far_year_without_a_server_error(town, client, token_for):
    response = client.get("/api/v1/stats?period=9999-01-01..9999-12-31",
                          headers=token_for(town["admin"]))
    assert response.status_code == 400 and "period" in response.get_json()["error"]["fields"]
