"""集结号 through the client API: the contract, bad input, denials."""

import threading

import pytest
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.mobilisation.models import Mobilisation, MobilisationReply

from .conftest import POSTS


def body(area, **fields) -> dict:
    return {"title": "城南新村临时管控区集结", "message": "请到社区党群服务中心报到",
            "community_ids": [area["south"].id], "grid_ids": [area["grid"].id],
            "posts": POSTS, **fields}


def test_declare_answer_assign_and_close(area, client, token_for):
    reviewer, secretary = token_for(area["reviewer"]), token_for(area["south_secretary"])
    created = client.post("/api/v1/mobilisations", json=body(area), headers=reviewer)
    assert created.status_code == 201, created.get_json()
    call = created.get_json()
    assert call["members_told"] == 3 and call["counts"]["unanswered"] == 3
    assert [p["name"] for p in call["posts"]] == ["卡口值守", "后勤保障"]
    url = f"/api/v1/mobilisations/{call['id']}"
    member = token_for(area["a"])
    listed = client.get("/api/v1/mobilisations", headers=member).get_json()
    assert listed["total"] == 1 and listed["items"][0]["my_reply"] is None
    answered = client.post(f"{url}/reply", json={"answer": "reporting", "note": "马上到"},
                           headers=member)
    assert answered.status_code == 200 and answered.get_json()["answer"] == "reporting"
    roster = client.get(f"{url}/roster?show=unassigned", headers=secretary).get_json()
    assert [i["member"]["name"] for i in roster["items"]] == ["冯罡"]
    assert roster["items"][0]["member"]["phone"] == "13700009001"  # their own community's
    assert roster["items"][0]["member"]["skills"] == ["driving"]
    assert roster["counts"]["reporting"] == 1
    post_id = call["posts"][0]["id"]
    assigned = client.post(f"{url}/assign", json={"member_id": area["a"].id, "post_id": post_id,
                                                  "shift": "8:00–12:00"}, headers=secretary)
    assert assigned.status_code == 200
    assert assigned.get_json()["post"] == {"id": post_id, "name": "卡口值守"}
    mine = client.get(url, headers=member).get_json()["my_reply"]
    assert (mine["post"]["name"], mine["shift"]) == ("卡口值守", "8:00–12:00")
    # the street reviewer's roster masks phones (not their community's)
    seen = client.get(f"{url}/roster", headers=reviewer).get_json()["items"]
    assert seen[0]["member"]["phone"] == "137****9001"
    closed = client.post(f"{url}/close", headers=reviewer)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    late = client.post(f"{url}/reply", json={"answer": "cannot"}, headers=token_for(area["b"]))
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "invalid_state"


@pytest.mark.parametrize(("payload", "field"), [
    ("{not json", "body"),
    ("[1, 2]", "body"),
    ({"title": 5}, "title"),
    ({"community_ids": "1"}, "community_ids"),
    ({"posts": [{"name": "卡口", "needed": "6"}]}, "posts"),
    ({"title": "集" * 81}, "title"),
])
def test_malformed_declarations_are_400_and_change_nothing(area, client, token_for, payload,
                                                            field):
    headers = {**token_for(area["reviewer"]), "Content-Type": "application/json"}
    if isinstance(payload, dict):
        response = client.post("/api/v1/mobilisations", json=body(area, **payload),
                               headers=headers)
    else:
        response = client.post("/api/v1/mobilisations", data=payload, headers=headers)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["error"]["fields"]
    assert db.session.scalar(select(func.count()).select_from(Mobilisation)) == 0


def test_denials(area, call, client, token_for):
    url = f"/api/v1/mobilisations/{call.id}"
    other_street = client.post("/api/v1/mobilisations",
                               json=body(area, community_ids=[area["away"].id], grid_ids=[]),
                               headers=token_for(area["reviewer"]))
    assert other_street.status_code == 400
    assert other_street.get_json()["error"]["fields"] == {
        "community_ids": "只能选择本街道的社区"}
    assert client.post("/api/v1/mobilisations", json=body(area),
                       headers=token_for(area["south_secretary"])).status_code == 403
    assert client.get(url, headers=token_for(area["e"])).status_code == 404
    assert client.get(url, headers=token_for(area["away_secretary"])).status_code == 404
    assert client.get(f"{url}/roster", headers=token_for(area["a"])).status_code == 403
    assert client.get("/api/v1/mobilisations/999999",
                      headers=token_for(area["a"])).status_code == 404
    assert client.post(f"{url}/reply", json={"answer": "reporting"},
                       headers=token_for(area["d"])).status_code == 404
    secretary = token_for(area["east_secretary"])
    client.post(f"{url}/reply", json={"answer": "reporting"}, headers=token_for(area["a"]))
    denied = client.post(f"{url}/assign", json={"member_id": area["a"].id,
                                                "post_id": call.posts[0].id}, headers=secretary)
    assert denied.status_code == 403
    unknown = client.post(f"{url}/assign", json={"member_id": 999999, "post_id": None},
                          headers=token_for(area["south_secretary"]))
    assert unknown.status_code == 404
    wrong = client.post(f"{url}/assign", json={"member_id": area["a"].id, "post_id": "x"},
                        headers=token_for(area["south_secretary"]))
    assert wrong.status_code == 400
    assert client.post(f"{url}/close", headers=token_for(area["other_reviewer"])).status_code \
        == 404
    assert client.get(f"{url}/roster?show=all", headers=token_for(area["reviewer"])
                      ).status_code == 400
    assert client.get(f"{url}/roster", headers=token_for(area["away_secretary"])
                      ).status_code == 404


def test_the_openapi_document_lists_the_mobilisation_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/mobilisations", "/api/v1/mobilisations/{mobilisation_id}/reply",
                 "/api/v1/mobilisations/{mobilisation_id}/roster",
                 "/api/v1/mobilisations/{mobilisation_id}/assign"):
        assert path in paths, path


@pytest.mark.postgres
def test_one_member_pressing_twice_at_once_keeps_one_answer(area, call, app, db_url,
                                                             token_for):
    """Ten threads answer for the same member at the same moment (and ten for ten others):
    every request succeeds and each member holds exactly one roster row."""
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrency tests need PostgreSQL (set TEST_DATABASE_URL)")
    headers = token_for(area["a"])
    path = f"/api/v1/mobilisations/{call.id}/reply"
    barrier = threading.Barrier(10)
    statuses: list = [None] * 10

    def run(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        answer = "reporting" if index % 2 else "cannot"
        statuses[index] = client.post(path, json={"answer": answer}, headers=headers).status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 10
    db.session.expire_all()
    rows = db.session.scalars(select(MobilisationReply).where(
        MobilisationReply.member_id == area["a"].id)).all()
    assert len(rows) == 1 and rows[0].answer in ("reporting", "cannot")


def test_the_roster_downloads_as_excel_as_each_may_see_it(area, call, client, login):
    import io

    from openpyxl import load_workbook

    from volunteer.mobilisation import services

    services.reply(area["a"], call, "reporting", "马上到")
    services.assign(area["south_secretary"], call, area["a"].id, call.posts[0].id, "8:00–12:00")
    db.session.commit()
    login(area["south_secretary"])
    response = client.get(f"/mobilisations/{call.id}/roster.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(response.get_data())).active.iter_rows(
        values_only=True))
    assert "城南新村临时管控区集结" in rows[0][0] and rows[1][0] == "请到社区党群服务中心报到"
    assert rows[2] == ("姓名", "手机号", "社区", "网格", "专长", "回复", "备注", "回复时间",
                       "岗位", "班次")
    assert [r[:2] for r in rows[3:]] == [("冯罡", "13700009001"), ("秦晓春", area["b"].phone)]
    assert rows[3][2] == "城南新村社区" and rows[3][4] == "驾驶"
    assert rows[3][5:7] == ("响应报到", "马上到") and rows[3][8:] == ("卡口值守", "8:00–12:00")
    assert rows[4][5] == "未回复"
    client.post("/logout")
    login(area["reviewer"])
    masked = load_workbook(io.BytesIO(client.get(
        f"/mobilisations/{call.id}/roster.xlsx?show=reporting").get_data())).active
    assert [r[:2] for r in masked.iter_rows(min_row=4, values_only=True)] == [
        ("冯罡", "137****9001")]
    client.post("/logout")
    login(area["a"])
    assert client.get(f"/mobilisations/{call.id}/roster.xlsx").status_code == 403


def test_the_pages_refuse_whom_the_service_refuses(area, call, client, login):
    """The web routes: a secretary cannot declare, an outsider cannot answer or see the call,
    another community's secretary cannot assign, a secretary cannot close; a bad posts box and
    an over-long shift answer clearly and change nothing."""
    login(area["south_secretary"])
    assert client.get("/mobilisations/new").status_code == 403
    assert client.post(f"/mobilisations/{call.id}/close").status_code == 403
    client.post("/logout")
    login(area["e"])
    assert client.get(f"/mobilisations/{call.id}").status_code == 404
    assert client.post(f"/mobilisations/{call.id}/reply",
                       data={"answer": "reporting"}).status_code == 404
    client.post("/logout")
    login(area["a"])
    client.post(f"/mobilisations/{call.id}/reply", data={"answer": "reporting"})
    client.post("/logout")
    login(area["east_secretary"])
    assert client.post(f"/mobilisations/{call.id}/assign/{area['a'].id}",
                       data={"post_id": str(call.posts[0].id)}).status_code == 403
    client.post("/logout")
    login(area["south_secretary"])
    long_shift = client.post(f"/mobilisations/{call.id}/assign/{area['a'].id}",
                             data={"post_id": str(call.posts[0].id), "shift": "班" * 41},
                             follow_redirects=True)
    assert "班次不能超过 40 个字符" in long_shift.get_data(as_text=True)
    client.post("/logout")
    login(area["reviewer"])
    bad = client.post("/mobilisations/new", data={
        "title": "集结", "message": "报到", "community_ids": [str(area["south"].id)],
        "posts": "卡口值守 六"})
    assert "第 1 行应为“岗位名称 人数”" in bad.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.scalar(select(MobilisationReply))
    assert row.post_id is None
    assert db.session.scalar(select(func.count()).select_from(Mobilisation)) == 1
