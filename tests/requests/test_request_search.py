"""The request list's search and filters (issue 13, item 9): text, category, grid, the day
sent; the same on the page and the API."""

from datetime import timedelta

from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.requests import services


def test_request_search_and_filters(make_request, area, client, login, token_for):
    tap = make_request()
    health = make_request(category="health", description="老人需要测血压", name="周大爷")
    health.grid_id = area.grid.id
    old = make_request(description="楼道灯坏了")
    old.created_at = utcnow() - timedelta(days=20)
    db.session.commit()
    today = to_local(utcnow()).date()

    def ids(**filters):
        return {r.id for r in db.session.scalars(
            services.list_requests_stmt(area.secretary, **filters))}

    assert ids(q="血压") == ids(q="周大爷") == ids(category="health") == {health.id}
    assert ids(q=tap.tracking_code) == {tap.id}
    assert health.id in ids(grid_id=area.grid.id)
    assert ids(date_from=today) == {tap.id, health.id}
    assert ids(date_to=today - timedelta(days=1)) == {old.id}
    headers = token_for(area.secretary)
    body = client.get(f"/api/v1/requests?q=水龙头&date_from={today}",
                      headers=headers).get_json()
    assert [r["id"] for r in body["items"]] == [tap.id]
    for query in ("category=nope", "q=" + "长" * 51, "date_to=someday"):
        assert client.get(f"/api/v1/requests?{query}", headers=headers).status_code == 400
    login(area.secretary)
    text = client.get("/requests?status=all&q=血压").get_data(as_text=True)
    assert f'"request-{health.id}"' in text and f'"request-{tap.id}"' not in text
    assert 'name="status" value="all"' in text
    assert client.get("/requests?category=x&date_to=y").status_code == 200
