"""Wishes API and pages: shapes, codes, bad input, photos and the privacy denials."""

import io

import pytest
from PIL import Image

from volunteer.extensions import db
from volunteer.wishes import services
from volunteer.wishes.models import Wish

from .conftest import WISH, image_bytes, noisy_png


def test_full_flow_over_the_api(client, area, member, token_for):
    worker, secretary, me = token_for(area.worker), token_for(area.secretary), token_for(member)
    response = client.post("/api/v1/wishes", json={**WISH, "deadline": "2099-01-01"},
                           headers=worker)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "submitted" and body["household"] == "张**"
    assert body["beneficiary"]["name"] == "张秀英"
    assert body["grid"]["name"] == "第一网格" and body["deadline"] == "2099-01-01"
    wish_id = body["id"]

    # not yet published: members cannot see it, let alone claim it
    assert client.post(f"/api/v1/wishes/{wish_id}/claim", headers=me).status_code == 403
    response = client.post(f"/api/v1/wishes/{wish_id}/publish", headers=secretary)
    assert response.status_code == 200 and response.get_json()["status"] == "published"

    listed = client.get("/api/v1/wishes", headers=me).get_json()
    assert listed["total"] == 1 and set(listed) >= {"items", "page", "per_page", "total"}
    item = listed["items"][0]
    assert item["household"] == "张**" and item["household_kind_label"] == "独居老人"
    assert "beneficiary" not in item and "flags" not in item

    response = client.post(f"/api/v1/wishes/{wish_id}/claim", headers=me)
    assert response.status_code == 201
    claimed = response.get_json()
    assert claimed["claimed_by_me"] is True
    # the claim waits for the community's staff: no household yet
    assert claimed["my_claim"]["state"] == "pending"
    assert "beneficiary" not in claimed and "张秀英" not in str(claimed)
    response = client.post(f"/api/v1/wishes/{wish_id}/claim/accept", headers=worker)
    assert response.status_code == 200, response.get_json()
    claimed = client.get(f"/api/v1/wishes/{wish_id}", headers=me).get_json()
    assert claimed["my_claim"]["state"] == "accepted"
    assert claimed["beneficiary"] == {"name": "张秀英", "address": "虹桥北村56幢302室",
                                      "phone": "13912345678"}

    response = client.post(f"/api/v1/wishes/{wish_id}/fulfil", json={"note": "已送到"},
                           headers=me)
    assert response.status_code == 200 and response.get_json()["status"] == "fulfilled"
    response = client.post(f"/api/v1/wishes/{wish_id}/confirm",
                           json={"satisfaction": 5, "story": "老人用上了新电饭煲"},
                           headers=worker)
    assert response.status_code == 200
    assert response.get_json()["status"] == "confirmed"
    wall = client.get("/api/v1/wishes/wall").get_json()
    assert wall["total"] == 1
    assert "张" not in str(wall) and "虹桥北村" not in str(wall)


def test_second_claim_is_409_wish_taken(client, area, make_wish, member, make_member,
                                        token_for):
    wish = make_wish()
    assert client.post(f"/api/v1/wishes/{wish.id}/claim",
                       headers=token_for(member)).status_code == 201
    other = make_member(community=area.community)
    response = client.post(f"/api/v1/wishes/{wish.id}/claim", headers=token_for(other))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "wish_taken"


@pytest.mark.parametrize(("patch", "field", "message"), [
    ({"value": -5}, "value", "金额不能为负数"),
    ({"content": ""}, "content", "不能为空"),
    ({"content": "愿" * 10_000}, "content", "不能超过 500 个字符"),
    ({"value": "200"}, "value", "应为整数"),
    ({"deadline": "明天"}, "deadline", "应为日期，如 2026-11-26"),
])
def test_bad_input_is_400_with_chinese_fields(client, area, token_for, patch, field, message):
    response = client.post("/api/v1/wishes", json={**WISH, **patch},
                           headers=token_for(area.worker))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and error["fields"][field] == message


def test_malformed_json_is_400(client, area, token_for):
    response = client.post("/api/v1/wishes", data="{not json", headers={
        **token_for(area.worker), "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"] == {"body": "无法解析"}


def test_illegal_steps_are_409_invalid_state(client, area, make_wish, member, token_for):
    wish = make_wish(claimant=member)
    response = client.post(f"/api/v1/wishes/{wish.id}/publish", headers=token_for(area.secretary))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"
    response = client.post(f"/api/v1/wishes/{wish.id}/confirm", json={"satisfaction": 5},
                           headers=token_for(area.secretary))
    assert response.status_code == 409


def test_role_matrix(client, area, make_wish, member, token_for, make_staff):
    wish = make_wish()
    assert client.post("/api/v1/wishes", json=WISH).status_code == 401
    assert client.get("/api/v1/wishes").status_code == 401
    assert client.post("/api/v1/wishes", json=WISH, headers=token_for(member)).status_code == 403
    assert client.post(f"/api/v1/wishes/{wish.id}/publish",
                       headers=token_for(area.worker)).status_code == 403
    assert client.post(f"/api/v1/wishes/{wish.id}/claim",
                       headers=token_for(area.secretary)).status_code == 403
    other_secretary = make_staff("community_secretary")
    assert client.get(f"/api/v1/wishes/{wish.id}",
                      headers=token_for(other_secretary)).status_code == 403
    assert client.get("/api/v1/wishes", headers=token_for(other_secretary)).get_json()[
        "total"] == 0
    assert client.get("/api/v1/wishes/999999", headers=token_for(member)).status_code == 404


def test_privacy_household_hidden_from_other_members(client, area, make_wish, member,
                                                     make_member, token_for):
    wish = make_wish(claimant=member)
    other = make_member(community=area.community)
    # a claimed wish drops out of other members' lists and its detail stays anonymous
    assert client.get("/api/v1/wishes", headers=token_for(other)).get_json()["total"] == 0
    body = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(other)).get_json()
    assert "beneficiary" not in body and "张秀英" not in str(body)
    assert "13912345678" not in str(body)
    mine = client.get("/api/v1/wishes?mine=1", headers=token_for(member)).get_json()
    assert mine["items"][0]["beneficiary"]["phone"] == "13912345678"
    # and a member of another street does not see it at all
    stranger = make_member()
    assert client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(stranger)).status_code == 403


def test_staff_see_flags_and_reason(client, area, make_wish, token_for):
    wish = make_wish(status="submitted")
    client.post(f"/api/v1/wishes/{wish.id}/return", json={"reason": "请补充地址"},
                headers=token_for(area.secretary))
    body = client.get(f"/api/v1/wishes/{wish.id}", headers=token_for(area.worker)).get_json()
    assert body["status"] == "returned" and body["return_reason"] == "请补充地址"
    assert body["flags"] == []
    response = client.patch(f"/api/v1/wishes/{wish.id}", json={"address": "虹桥北村56幢301室"},
                            headers=token_for(area.worker))
    assert response.status_code == 200 and response.get_json()["status"] == "submitted"


# ---------------------------------------------------------------- photos


def test_exe_renamed_jpg_is_refused(client, area, make_wish, token_for):
    wish = make_wish(status="submitted")
    fake = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    response = client.post(f"/api/v1/wishes/{wish.id}/photos",
                           data={"photo": (io.BytesIO(fake), "photo.jpg"), "kind": "wish"},
                           headers=token_for(area.worker), content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"]["photo"] == "文件不是有效的 JPG 或 PNG 照片"


def test_gif_is_refused(client, area, make_wish, token_for):
    wish = make_wish(status="submitted")
    response = client.post(f"/api/v1/wishes/{wish.id}/photos",
                           data={"photo": (io.BytesIO(image_bytes("GIF")), "a.png")},
                           headers=token_for(area.worker), content_type="multipart/form-data")
    assert response.status_code == 400


def test_photo_is_reencoded_without_metadata_and_served_only_to_the_allowed(
        client, app, area, make_wish, member, make_member, token_for):
    wish = make_wish(status="submitted")
    original = image_bytes("JPEG", exif=True)
    assert b"SecretCamera" in original
    response = client.post(f"/api/v1/wishes/{wish.id}/photos",
                           data={"photo": (io.BytesIO(original), "p.jpg"), "kind": "wish"},
                           headers=token_for(area.worker), content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    url = response.get_json()["photo_url"]
    served = client.get(url, headers=token_for(area.secretary))
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "no-store" in served.headers["Cache-Control"]
    assert b"SecretCamera" not in served.data
    assert not Image.open(io.BytesIO(served.data)).getexif()
    db.session.expire_all()
    stored = db.session.get(Wish, wish.id).photo
    assert stored.endswith(".jpg") and "p.jpg" not in stored

    client.post(f"/api/v1/wishes/{wish.id}/publish", headers=token_for(area.secretary))
    other = make_member(community=area.community)
    assert client.get(url, headers=token_for(other)).status_code == 404
    assert client.get(url).status_code == 401
    client.post(f"/api/v1/wishes/{wish.id}/claim", headers=token_for(member))
    assert client.get(url, headers=token_for(member)).status_code == 404  # not yet accepted
    client.post(f"/api/v1/wishes/{wish.id}/claim/accept", headers=token_for(area.secretary))
    assert client.get(url, headers=token_for(member)).status_code == 200


def test_oversized_photo_is_refused(client, app, area, make_wish, token_for):
    wish = make_wish(status="submitted")
    app.config["UPLOAD_MAX_BYTES"] = 1000
    try:
        response = client.post(f"/api/v1/wishes/{wish.id}/photos",
                               data={"photo": (io.BytesIO(noisy_png()),
                                               "big.png")},
                               headers=token_for(area.worker),
                               content_type="multipart/form-data")
    finally:
        app.config["UPLOAD_MAX_BYTES"] = 3 * 1024 * 1024
    assert response.status_code == 400
    assert "不能超过" in response.get_json()["error"]["fields"]["photo"]


# ---------------------------------------------------------------- pages


def test_grid_worker_records_a_wish_on_the_web_with_a_photo(client, area, login):
    login(area.worker)
    assert client.get("/wishes/new").status_code == 200
    response = client.post("/wishes/new", data={
        **{k: str(v) for k, v in WISH.items()}, "grid_id": str(area.grid.id),
        "deadline": "", "photo": (io.BytesIO(image_bytes("PNG")), "home.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    wish = db.session.scalar(db.select(Wish))
    assert wish.status == "submitted" and wish.photo


def test_web_form_shows_chinese_errors(client, area, login):
    login(area.worker)
    response = client.post("/wishes/new", data={**{k: str(v) for k, v in WISH.items()},
                                                "value": "-5", "content": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "金额不能为负数" in page or "请填写心愿内容" in page


def test_web_upload_of_a_fake_image_is_refused(client, area, login):
    login(area.worker)
    response = client.post("/wishes/new", data={
        **{k: str(v) for k, v in WISH.items()},
        "photo": (io.BytesIO(b"MZ" + b"\x00" * 100), "virus.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    assert "文件不是有效的 JPG 或 PNG 照片" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Wish)) == 0


def test_member_pages_hide_the_household_until_accepted(client, area, make_wish, member, login):
    wish = make_wish()
    login(member)
    page = client.get("/wishes").get_data(as_text=True)
    assert "想要一台电饭煲" in page and "张**" in page and "张秀英" not in page
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "张秀英" not in page and "虹桥北村" not in page
    assert client.post(f"/wishes/{wish.id}/claim").status_code == 302
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "等待社区确认" in page
    assert "张秀英" not in page and "13912345678" not in page and "虹桥北村" not in page
    services.accept_wish_claim(area.secretary, db.session.get(Wish, wish.id), member.id)
    db.session.commit()
    page = client.get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "张秀英" in page and "13912345678" in page
    response = client.post(f"/wishes/{wish.id}/fulfil", data={"note": "送到了"})
    assert response.status_code == 302
    assert db.session.get(Wish, wish.id).status == "fulfilled"


def test_secretary_pages_publish_return_confirm(client, area, make_wish, member, login):
    submitted = make_wish(status="submitted")
    done = make_wish(status="fulfilled", claimant=member)
    login(area.secretary)
    page = client.get("/wishes?tab=submitted").get_data(as_text=True)
    assert "张秀英" not in page  # lists stay anonymous even for staff
    assert client.post(f"/wishes/{submitted.id}/publish").status_code == 302
    assert client.post(f"/wishes/{done.id}/confirm",
                       data={"satisfaction": "4", "story": "送去了温暖", "on_wall": "y"}
                       ).status_code == 302
    db.session.expire_all()
    assert db.session.get(Wish, submitted.id).status == "published"
    assert db.session.get(Wish, done.id).satisfaction == 4
    wall = client.get("/wall").get_data(as_text=True)
    assert "送去了温暖" in wall and "张秀英" not in wall


def test_wall_is_public(client):
    response = client.get("/wall")
    assert response.status_code == 200 and "心愿墙" in response.get_data(as_text=True)
