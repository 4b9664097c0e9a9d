"""Households' privacy over the API and on the pages: acceptance, refusal, the release limit and
the denials."""

from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.wishes import services
from volunteer.wishes.models import Wish, WishClaim

from .conftest import image_bytes

HOUSEHOLD = ("张秀英", "13912345678", "虹桥北村")


def shows_household(text: str) -> bool:
    return any(value in text for value in HOUSEHOLD)


def test_accept_over_the_api_and_the_denials(client, area, make_wish, member, make_member,
                                             make_staff, make_grid, token_for):
    wish = make_wish()
    me = token_for(member)
    assert client.post(f"/api/v1/wishes/{wish.id}/claim", headers=me).status_code == 201
    accept = f"/api/v1/wishes/{wish.id}/claim/accept"

    # the claimant does not see the household before acceptance: detail, list, photo
    body = client.get(f"/api/v1/wishes/{wish.id}", headers=me).get_json()
    assert body["my_claim"]["state"] == "pending" and body["my_claim"]["state_label"] == \
        "等待社区确认"
    assert "beneficiary" not in body and not shows_household(str(body))
    mine = client.get("/api/v1/wishes?mine=1", headers=me).get_json()
    assert mine["total"] == 1 and not shows_household(str(mine))
    assert client.get(f"/api/v1/wishes/{wish.id}/photos/wish", headers=me).status_code == 404

    # nobody but the wish's community staff accepts
    assert client.post(accept).status_code == 401
    response = client.post(accept, headers=me)
    assert response.status_code == 403
    other_secretary = make_staff("community_secretary")
    assert client.post(accept, headers=token_for(other_secretary)).status_code == 403
    other_worker = make_staff("grid_worker", make_grid(community=area.community))
    response = client.post(accept, headers=token_for(other_worker))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert client.post(f"/api/v1/wishes/{wish.id}/claim/refuse", json={"reason": "不行"},
                       headers=token_for(other_secretary)).status_code == 403
    assert client.post("/api/v1/wishes/999999/claim/accept",
                       headers=token_for(area.secretary)).status_code == 404
    db.session.expire_all()
    assert db.session.get(Wish, wish.id).claim_of(member.id).state == "pending"

    response = client.post(accept, headers=token_for(area.secretary))
    assert response.status_code == 200, response.get_json()
    staff_view = response.get_json()
    assert staff_view["awaiting_claims"] == 0
    assert [(h["member_id"], h["state"]) for h in staff_view["claim_history"]] == [
        (member.id, "accepted")]
    body = client.get(f"/api/v1/wishes/{wish.id}", headers=me).get_json()
    assert body["beneficiary"]["phone"] == "13912345678"
    assert "claim_history" not in body  # the history is the staff's
    # accepting again: nothing waits
    response = client.post(accept, headers=token_for(area.secretary))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"


def test_refuse_over_the_api(client, area, make_wish, member, make_member, token_for):
    wish = make_wish(claimant=member, accepted=False)
    refuse = f"/api/v1/wishes/{wish.id}/claim/refuse"
    worker = token_for(area.worker)
    response = client.post(refuse, json={}, headers=worker)
    assert response.status_code == 400 and "reason" in response.get_json()["error"]["fields"]
    response = client.post(refuse, json={"reason": "原" * 201}, headers=worker)
    assert response.status_code == 400
    response = client.post(refuse, json={"reason": 5}, headers=worker)
    assert response.status_code == 400
    response = client.post(refuse, json={"reason": "该户已搬离", "member_id": "x"},
                           headers=worker)
    assert response.status_code == 400
    response = client.post(refuse, json={"reason": "该户已搬离"}, headers=worker)
    assert response.status_code == 200
    assert response.get_json()["status"] == "published"
    body = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(member)).get_json()
    assert body["claimed_by_me"] is False and body["my_claim"] is None
    response = client.post(f"/api/v1/wishes/{wish.id}/claim", headers=token_for(member))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "claim_refused"


def test_group_accept_needs_member_id(client, area, make_wish, make_member, token_for):
    wish = make_wish(group=True, max_claimants=3)
    first, second = make_member(community=area.community), make_member(community=area.community)
    for m in (first, second):
        assert client.post(f"/api/v1/wishes/{wish.id}/claim",
                           headers=token_for(m)).status_code == 201
    secretary = token_for(area.secretary)
    response = client.post(f"/api/v1/wishes/{wish.id}/claim/accept", headers=secretary)
    assert response.status_code == 400
    assert "member_id" in response.get_json()["error"]["fields"]
    response = client.post(f"/api/v1/wishes/{wish.id}/claim/accept",
                           json={"member_id": second.id}, headers=secretary)
    assert response.status_code == 200
    assert response.get_json()["awaiting_claims"] == 1
    body = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(first)).get_json()
    assert not shows_household(str(body))
    body = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(second)).get_json()
    assert body["beneficiary"]["name"] == "张秀英"
    listed = client.get("/api/v1/wishes?flag=awaiting", headers=secretary).get_json()
    assert [item["id"] for item in listed["items"]] == [wish.id]


def test_third_release_within_seven_days_is_409_release_limit(client, area, make_wish, member,
                                                              token_for):
    wishes = [make_wish(claimant=member) for _ in range(3)]
    me = token_for(member)
    for wish in wishes[:2]:
        response = client.delete(f"/api/v1/wishes/{wish.id}/claim", headers=me)
        assert response.status_code == 200 and response.get_json()["status"] == "published"
    body = client.get(f"/api/v1/wishes/{wishes[2].id}", headers=me).get_json()
    assert body["my_claim"]["releases_left"] == 0
    rows_before = db.session.scalar(select(func.count()).select_from(WishClaim))
    response = client.delete(f"/api/v1/wishes/{wishes[2].id}/claim", headers=me)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "release_limit" and "7 天内最多退还 2 个" in error["message"]
    db.session.expire_all()
    wish = db.session.get(Wish, wishes[2].id)
    assert wish.status == "claimed" and wish.claims_taken == 1
    assert wish.claim_of(member.id).state == "accepted"
    assert db.session.scalar(select(func.count()).select_from(WishClaim).where(
        WishClaim.state == "released")) == 2
    assert db.session.scalar(select(func.count()).select_from(WishClaim)) == rows_before


def test_openapi_describes_the_new_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "post" in paths["/api/v1/wishes/{wish_id}/claim/accept"]
    assert "post" in paths["/api/v1/wishes/{wish_id}/claim/refuse"]
    assert "release_limit" in paths["/api/v1/wishes/{wish_id}/claim"]["delete"]["summary"]


# ---------------------------------------------------------------- pages


def test_claimant_page_waits_then_shows_the_household(client, area, make_wish, member, login):
    wish = make_wish()
    services.attach_photo(area.secretary, wish, image_bytes("PNG"))
    db.session.commit()
    login(member)
    client.post(f"/wishes/{wish.id}/claim")
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "等待社区确认" in page and not shows_household(page)
    assert f"/wishes/{wish.id}/photo/wish" not in page
    assert client.get(f"/wishes/{wish.id}/photo/wish").status_code == 404
    assert "撤回认领" in page and "您现在还可退还 2 个" in page
    listing = client.get("/wishes?tab=mine").get_data(as_text=True)
    assert "等待社区确认" in listing and not shows_household(listing)
    # the claimant cannot accept their own claim on the page either
    assert client.post(f"/wishes/{wish.id}/claim/accept",
                       data={"member_id": str(member.id)}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Wish, wish.id).claim_of(member.id).state == "pending"


def test_staff_accept_and_refuse_on_the_page(client, app, area, make_wish, member, make_member,
                                            login):
    wish = make_wish(claimant=member, accepted=False)
    login(area.worker)
    listing = client.get("/wishes?tab=awaiting").get_data(as_text=True)
    assert "1 人认领待确认" in listing
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "认领待确认" in page and member.name in page and "认领记录" in page
    assert 'data-confirm="确认后' in page and "谢绝原因" in page
    response = client.post(f"/wishes/{wish.id}/claim/refuse",
                           data={"member_id": str(member.id), "reason": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Wish, wish.id).claim_of(member.id).state == "pending"
    assert client.post(f"/wishes/{wish.id}/claim/accept",
                       data={"member_id": str(member.id)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Wish, wish.id).claim_of(member.id).state == "accepted"
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "社区已确认" in page

    second = make_wish()
    other = make_member(community=area.community)
    services.claim_wish(other, db.session.get(Wish, second.id))
    db.session.commit()
    assert client.post(f"/wishes/{second.id}/claim/refuse", data={
        "member_id": str(other.id), "reason": "请先完成已认领的心愿"}).status_code == 302
    page = client.get(f"/wishes/{second.id}").get_data(as_text=True)
    assert "社区未同意" in page and "请先完成已认领的心愿" in page


def test_other_community_staff_cannot_accept_on_the_page(client, area, make_wish, member,
                                                         make_staff, login):
    wish = make_wish(claimant=member, accepted=False)
    login(make_staff("community_secretary"))
    assert client.post(f"/wishes/{wish.id}/claim/accept",
                       data={"member_id": str(member.id)}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Wish, wish.id).claim_of(member.id).state == "pending"


def test_release_limit_on_the_page_is_a_clear_message(client, area, make_wish, member, login):
    wishes = [make_wish(claimant=member) for _ in range(3)]
    login(member)
    for wish in wishes[:2]:
        assert client.post(f"/wishes/{wish.id}/release").status_code == 302
    page = client.get(f"/wishes/{wishes[2].id}").get_data(as_text=True)
    assert "您现在还可退还 0 个" in page and 'data-testid="release"' not in page
    response = client.post(f"/wishes/{wishes[2].id}/release", follow_redirects=True)
    assert response.status_code == 200
    assert "7 天内最多退还 2 个认领的心愿" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Wish, wishes[2].id).claims_taken == 1


def test_bad_member_id_on_the_page_changes_nothing(client, area, make_wish, member, login):
    wish = make_wish(claimant=member, accepted=False)
    login(area.secretary)
    for value in ("", "abc", "99999999999999999999", "-1"):
        response = client.post(f"/wishes/{wish.id}/claim/accept", data={"member_id": value})
        assert response.status_code in (302, 400), (value, response.status_code)
    db.session.expire_all()
    assert db.session.get(Wish, wish.id).claim_of(member.id).state == "pending"
