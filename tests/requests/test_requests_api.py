"""Requests API and pages: public submission, tracking, rating, the steps, privacy denials."""

from datetime import timedelta

import pytest

from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.requests.models import ServiceRequest

from .conftest import RESIDENT


def submit(client, area, **patch):
    return client.post("/api/v1/requests",
                       json={**RESIDENT, "community_id": area.community.id, **patch})


def test_public_submission_answers_code_and_id(client, area):
    response = submit(client, area)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"tracking_code", "id"} and len(body["tracking_code"]) == 8


@pytest.mark.parametrize(("patch", "field", "message"), [
    ({"description": ""}, "description", "不能为空"),
    ({"description": "修" * 10_000}, "description", "不能超过 1000 个字符"),
    ({"phone": "abc"}, "phone", "请填写 11 位手机号"),
    ({"community_id": "1"}, "community_id", "应为整数"),
    ({"category": "x"}, "category", "请选择服务类别"),
])
def test_bad_input_is_400_in_chinese(client, area, patch, field, message):
    response = submit(client, area, **patch)
    assert response.status_code == 400
    assert response.get_json()["error"]["fields"][field] == message


def test_malformed_json_and_honeypot(client, area):
    response = client.post("/api/v1/requests", data="{", content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "请求体不是有效的 JSON"
    response = submit(client, area, website="http://spam")
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count()).select_from(ServiceRequest)) == 0


def test_per_ip_rate_limit_is_429(client, area):
    codes = [submit(client, area).status_code for _ in range(6)]
    assert codes == [201] * 5 + [429]
    assert submit(client, area).get_json()["error"]["code"] == "too_many_requests"


def test_huge_body_is_413(client, area):
    response = client.post("/api/v1/requests", data="x" * (5 * 1024 * 1024),
                           content_type="application/json")
    assert response.status_code == 413


def test_all_four_steps_tracked_and_rated_over_the_api(client, area, member, token_for):
    created = submit(client, area).get_json()
    code, rid = created["tracking_code"], created["id"]
    track = f"/api/v1/requests/track?code={code}&phone={RESIDENT['phone']}"
    body = client.get(track).get_json()
    assert body["status"] == "submitted" and body["can_rate"] is False
    assert [s["action"] for s in body["steps"]] == ["submitted"]
    assert "phone" not in body and "address" not in body

    worker, secretary, me = token_for(area.worker), token_for(area.secretary), token_for(member)
    assert client.post(f"/api/v1/requests/{rid}/accept", headers=worker).status_code == 200
    suggestions = client.get(f"/api/v1/requests/{rid}/suggestions", headers=secretary)
    assert suggestions.get_json()["items"][0]["member"]["id"] == member.id
    response = client.post(f"/api/v1/requests/{rid}/dispatch", json={"member_id": member.id},
                           headers=secretary)
    assert response.status_code == 200 and response.get_json()["assignee"]["id"] == member.id
    assert client.post(f"/api/v1/requests/{rid}/take", headers=me).status_code == 200
    response = client.post(f"/api/v1/requests/{rid}/complete", json={"note": "修好了"},
                           headers=me)
    assert response.status_code == 200 and response.get_json()["status"] == "completed"

    body = client.get(track).get_json()
    assert [s["action"] for s in body["steps"]] == [
        "submitted", "accepted", "dispatched", "taken", "completed"]
    assert all(s["at"].endswith("+08:00") for s in body["steps"])
    assert body["member"] == "赵**" and body["can_rate"] is True

    rate = {"code": code, "phone": RESIDENT["phone"], "rating": 5, "comment": "谢谢"}
    response = client.post("/api/v1/requests/track/rate", json=rate)
    assert response.status_code == 200 and response.get_json()["rating"] == 5
    again = client.post("/api/v1/requests/track/rate", json=rate)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"


def test_illegal_steps_are_409_invalid_state(client, area, member, make_request, token_for):
    req = make_request()
    client.post(f"/api/v1/requests/{req.id}/reject", json={"reason": "重复点单"},
                headers=token_for(area.worker))
    response = client.post(f"/api/v1/requests/{req.id}/dispatch", json={"member_id": member.id},
                           headers=token_for(area.secretary))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"
    taken = make_request("taken", member=member)
    response = client.post(f"/api/v1/requests/{taken.id}/accept", headers=token_for(area.worker))
    assert response.status_code == 409
    response = client.post(f"/api/v1/requests/{taken.id}/take", headers=token_for(member))
    assert response.status_code == 409


def test_rating_before_completion_is_409(client, area, make_request):
    req = make_request("accepted")
    response = client.post("/api/v1/requests/track/rate", json={
        "code": req.tracking_code, "phone": RESIDENT["phone"], "rating": 5})
    assert response.status_code == 409


def test_wrong_phone_on_tracking_is_404(client, area, make_request):
    req = make_request()
    for url in (f"/api/v1/requests/track?code={req.tracking_code}&phone=13900000000",
                f"/api/v1/requests/track?code=NOSUCH00&phone={RESIDENT['phone']}",
                f"/api/v1/requests/track?code={req.tracking_code}"):
        response = client.get(url)
        assert response.status_code == 404
        assert RESIDENT["description"] not in response.get_data(as_text=True)
    response = client.post("/api/v1/requests/track/rate", json={
        "code": req.tracking_code, "phone": "13900000000", "rating": 1})
    assert response.status_code == 404


def test_tracking_failures_are_throttled(app, client, area, make_request):
    req = make_request()
    app.config["TRACK_MAX_FAILURES_PER_IP"] = 2
    try:
        bad = f"/api/v1/requests/track?code={req.tracking_code}&phone=13900000000"
        assert [client.get(bad).status_code for _ in range(3)] == [404, 404, 429]
    finally:
        app.config["TRACK_MAX_FAILURES_PER_IP"] = 20


def test_privacy_denials(client, area, member, make_request, make_member, make_staff,
                         token_for, make_street):
    req = make_request("dispatched", member=member)
    url = f"/api/v1/requests/{req.id}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=token_for(make_member(community=area.community))
                      ).status_code == 403
    assert client.get(url, headers=token_for(make_staff("community_secretary"))
                      ).status_code == 403
    other_secretary = token_for(make_staff("community_secretary"))
    assert client.get("/api/v1/requests", headers=other_secretary
                      ).get_json()["total"] == 0
    assert client.post(f"{url}/take", headers=token_for(make_member(community=area.community))
                       ).status_code == 403
    # the assignee and the community's staff see the resident
    body = client.get(url, headers=token_for(member)).get_json()
    assert body["resident"]["phone"] == RESIDENT["phone"]
    body = client.get("/api/v1/requests", headers=token_for(area.worker)).get_json()
    assert body["total"] == 1
    body = client.get("/api/v1/requests?status=dispatched", headers=token_for(area.worker)
                      ).get_json()
    assert body["items"][0]["resident"]["address"] == RESIDENT["address"]
    # a street reviewer sees the request but not who asked
    reviewer = make_staff("street_reviewer", area.community.street)
    body = client.get(url, headers=token_for(reviewer)).get_json()
    assert body["resident"] == {"name": "王**", "phone": "138****1111", "address": None}
    assert RESIDENT["address"] not in str(body)
    # after declining, the member loses sight of it
    client.post(f"{url}/decline", json={"reason": "出差"}, headers=token_for(member))
    assert client.get(url, headers=token_for(member)).status_code == 403


def test_grid_worker_enters_the_rating(client, area, member, make_request, token_for):
    req = make_request("completed", member=member)
    response = client.post(f"/api/v1/requests/{req.id}/rate", json={"rating": 3},
                           headers=token_for(area.worker))
    assert response.status_code == 200 and response.get_json()["rating"] == 3
    assert client.post(f"/api/v1/requests/{req.id}/rate", json={"rating": 3},
                       headers=token_for(member)).status_code == 403


def test_convert_over_the_api(client, area, make_request, token_for):
    req = make_request("accepted")
    start = utcnow() + timedelta(days=30)  # a task starts at most a year ahead
    response = client.post(f"/api/v1/requests/{req.id}/convert", json={
        "title": "帮老人修水龙头", "location": "新西社区", "slots": 1,
        "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()},
        headers=token_for(area.secretary))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["request"]["status"] == "converted" and body["task_id"]


# ---------------------------------------------------------------- pages


def test_resident_submits_and_tracks_on_the_web(client, area):
    page = client.get("/requests/new").get_data(as_text=True)
    assert "居民点单" in page and 'name="website"' in page
    response = client.post("/requests/new", data={**RESIDENT,
                                                  "community_id": str(area.community.id)})
    assert response.status_code == 302
    req = db.session.scalar(db.select(ServiceRequest))
    page = client.get("/requests/track").get_data(as_text=True)
    assert req.tracking_code in page and "待网格接单" in page
    other = client.application.test_client()
    page = other.post("/requests/track", data={"code": req.tracking_code,
                                               "phone": "13900000000"}).get_data(as_text=True)
    assert "查询码或手机号不正确" in page and RESIDENT["description"] not in page
    response = other.post("/requests/track", data={"code": req.tracking_code,
                                                   "phone": RESIDENT["phone"]})
    assert response.status_code == 302
    assert RESIDENT["description"] in other.get("/requests/track").get_data(as_text=True)


def test_web_form_errors_are_chinese(client, area):
    response = client.post("/requests/new", data={**RESIDENT, "description": "",
                                                  "community_id": str(area.community.id)})
    assert response.status_code == 200
    assert "请说明需要什么帮助" in response.get_data(as_text=True)


def test_resident_rates_on_the_tracking_page(client, member, make_request):
    req = make_request("completed", member=member)
    client.post("/requests/track", data={"code": req.tracking_code, "phone": RESIDENT["phone"]})
    assert "评价这次服务" in client.get("/requests/track").get_data(as_text=True)
    assert client.post("/requests/track/rate", data={"rating": "5", "comment": "好"}
                       ).status_code == 302
    assert db.session.get(ServiceRequest, req.id).rating == 5


def test_staff_and_member_pages(client, area, member, make_request, login, make_member):
    req = make_request()
    login(area.worker)
    page = client.get("/requests").get_data(as_text=True)
    assert "厨房水龙头漏水" in page
    assert client.post(f"/requests/{req.id}/accept").status_code == 302
    client.post("/logout")
    login(area.secretary)
    page = client.get(f"/requests/{req.id}").get_data(as_text=True)
    assert RESIDENT["phone"] in page and f"dispatch-{member.id}" in page
    assert client.post(f"/requests/{req.id}/dispatch",
                       data={"member_id": str(member.id)}).status_code == 302
    client.post("/logout")
    login(member)
    assert client.post(f"/requests/{req.id}/take").status_code == 302
    assert client.post(f"/requests/{req.id}/complete", data={"note": "修好了"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(ServiceRequest, req.id).status == "completed"
    client.post("/logout")
    login(make_member(community=area.community))
    assert client.get(f"/requests/{req.id}").status_code == 403


def test_overdue_tab_for_the_secretary(client, area, make_request, login):
    from datetime import timedelta

    from volunteer.core.time import utcnow

    req = make_request()
    req.created_at = utcnow() - timedelta(hours=30)
    db.session.commit()
    login(area.secretary)
    page = client.get("/requests?status=overdue").get_data(as_text=True)
    assert "超 24 小时未接单" in page
