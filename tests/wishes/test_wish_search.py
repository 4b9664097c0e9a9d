"""The wish list's search and filters (issue 13, item 9): text, household kind, grid, the day
recorded; the same on the page and the API, bad values a 400 there and dropped here."""

from datetime import timedelta

from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.wishes import services


def test_wish_search_and_filters(make_wish, area, member, client, login, token_for,
                                 make_grid):
    fan = make_wish(content="想要一台电风扇", household_kind="disability")
    cooker = make_wish(content="想要一台电饭煲", beneficiary_name="陈桂兰")
    old = make_wish(content="冬天的棉被")
    old.created_at = utcnow() - timedelta(days=20)
    db.session.commit()
    today = to_local(utcnow()).date()

    def ids(viewer=area.secretary, **filters):
        return {w.id for w in db.session.scalars(services.list_wishes_stmt(viewer, **filters))}

    assert ids(q="风扇") == {fan.id} and ids(q="陈桂兰") == {cooker.id}
    assert ids(member, q="陈桂兰") == set()  # members search the wish's text only
    assert ids(kind="disability") == {fan.id}
    other = make_grid(community=area.community)
    assert ids(grid_id=other.id) == set() and len(ids(grid_id=area.grid.id)) == 3
    assert ids(date_from=today) == {fan.id, cooker.id}
    assert ids(date_to=today - timedelta(days=10)) == {old.id}
    headers = token_for(area.secretary)
    body = client.get(f"/api/v1/wishes?q=电&kind=disability&date_from={today}",
                      headers=headers).get_json()
    assert [w["id"] for w in body["items"]] == [fan.id]
    for query in ("kind=rich", "q=" + "长" * 51, "date_from=2026-13-01",
                  "date_from=2026-12-09&date_to=2026-12-01", "grid_id=abc"):
        assert client.get(f"/api/v1/wishes?{query}", headers=headers).status_code == 400, query
    login(area.secretary)
    text = client.get("/wishes?q=风扇&tab=all").get_data(as_text=True)
    assert f'"wish-{fan.id}"' in text and f'"wish-{cooker.id}"' not in text
    assert 'value="风扇"' in text and 'name="tab" value="all"' in text
    assert client.get("/wishes?kind=bad&date_from=x&grid_id=-3").status_code == 200
