"""API: status codes, JSON shapes, the permission matrix and bad input."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.tasks import services
from volunteer.tasks.models import Claim, Task


def iso(moment) -> str:
    return moment.isoformat()


def task_body(**overrides) -> dict:
    start = utcnow() + timedelta(days=2)
    body = {"title": "楼道消杀", "category": "disinfection", "description": "带好防护",
            "location": "5 幢", "starts_at": iso(start), "ends_at": iso(start + timedelta(hours=2)),
            "slots": 3, "skills": ["nursing"]}
    body.update(overrides)
    return body


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_secretary_posts_and_member_reads(client, secretary, member, token_for):
    response = client.post("/api/v1/tasks", json=task_body(), headers=token_for(secretary))
    assert response.status_code == 201
    task = response.get_json()
    assert task["slots"] == 3 and task["slots_taken"] == 0 and task["state"] == "open"
    assert task["category_label"] == "楼道消杀" and task["starts_at"].endswith("+08:00")
    assert task["claimable"] is True and task["skills"] == ["nursing"]
    headers = token_for(member)
    listing = client.get("/api/v1/tasks", headers=headers).get_json()
    assert listing["total"] == 1 and listing["page"] == 1 and listing["per_page"] == 20
    assert listing["items"][0]["my_claim"] is None
    detail = client.get(f"/api/v1/tasks/{task['id']}", headers=headers).get_json()
    assert detail["id"] == task["id"] and detail["waitlist_position"] is None


def test_draft_then_publish(client, secretary, member, token_for):
    headers = token_for(secretary)
    draft = client.post("/api/v1/tasks", json=task_body(publish=False), headers=headers)
    assert draft.get_json()["state"] == "draft"
    task_id = draft.get_json()["id"]
    assert client.get(f"/api/v1/tasks/{task_id}", headers=token_for(member)).status_code == 404
    published = client.post(f"/api/v1/tasks/{task_id}/publish", headers=headers)
    assert published.status_code == 200 and published.get_json()["state"] == "open"
    assert client.post(f"/api/v1/tasks/{task_id}/publish", headers=headers).status_code == 409


@pytest.mark.parametrize("overrides, field", [
    ({"ends_at": iso(utcnow() + timedelta(days=1))}, "ends_at"),
    ({"slots": 0}, "slots"),
    ({"slots": 10000}, "slots"),
    ({"category": "unknown"}, "category"),
    ({"starts_at": "2026-12-01 08:00"}, "starts_at"),
    ({"starts_at": "2026-12-01T08:00:00"}, "starts_at"),  # no offset
    ({"slots": "5"}, "slots"),
    ({"title": None}, "title"),
])
def test_bad_task_input_is_400_with_chinese_field_messages(client, secretary, token_for,
                                                          overrides, field):
    response = client.post("/api/v1/tasks", json=task_body(**overrides),
                           headers=token_for(secretary))
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input" and field in error["fields"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["fields"][field])
    assert count(Task) == 0


def test_malformed_json_is_400(client, secretary, token_for, make_task, member):
    headers = token_for(secretary)
    response = client.post("/api/v1/tasks", data="{oops", content_type="application/json",
                           headers=headers)
    assert response.status_code == 400 and response.get_json()["error"]["fields"]["body"]
    assert client.post("/api/v1/tasks", json=[1, 2], headers=headers).status_code == 400
    task = make_task()
    claim = services.claim_task(member, task)
    db.session.commit()
    bad = client.post(f"/api/v1/claims/{claim.id}/confirm", data="nope",
                      content_type="application/json", headers=headers)
    assert bad.status_code == 400


def test_claim_codes(client, make_task, make_member, community, member, token_for, secretary):
    task = make_task(slots=1)
    headers = token_for(member)
    claimed = client.post(f"/api/v1/tasks/{task.id}/claim", headers=headers)
    assert claimed.status_code == 201
    body = claimed.get_json()
    assert body["status"] == "claimed" and body["task_id"] == task.id
    again = client.post(f"/api/v1/tasks/{task.id}/claim", headers=headers)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_claimed"
    other = token_for(make_member(community=community))
    full = client.post(f"/api/v1/tasks/{task.id}/claim", headers=other)
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "task_full"
    assert full.get_json()["error"]["message"].startswith("名额已满")
    pending = token_for(make_member(community=community, status="pending"))
    refused = client.post(f"/api/v1/tasks/{task.id}/claim", headers=pending)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "not_approved"
    cancelled = make_task()
    client.post(f"/api/v1/tasks/{cancelled.id}/cancel", json={"reason": "暴雨"},
                headers=token_for(secretary))
    closed = client.post(f"/api/v1/tasks/{cancelled.id}/claim", headers=headers)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "task_closed"
    overlapping = make_task(starts_in=(task.starts_at - utcnow()).total_seconds() / 3600 + 1)
    conflict = client.post(f"/api/v1/tasks/{overlapping.id}/claim", headers=headers)
    assert conflict.status_code == 409 and conflict.get_json()["error"]["code"] == "time_conflict"
    assert client.post("/api/v1/tasks/99999/claim", headers=headers).status_code == 404
    assert count(Claim) == 1


def test_claim_refusals_answer_like_get_task_then_claim(client, make_task, make_member,
                                                         make_community, make_staff, community,
                                                         member, token_for, secretary):
    """The API decides refusals from one row; each answer matches the service path's."""
    headers = token_for(member)

    def code(task_id, who=headers):
        response = client.post(f"/api/v1/tasks/{task_id}/claim", headers=who)
        return response.status_code, (response.get_json().get("error") or {}).get("code")

    task = make_task(slots=1)
    assert code(task.id)[0] == 201
    assert code(task.id) == (409, "already_claimed")  # full, and this member holds the slot
    started = make_task(starts_in=-1, hours=3)
    assert code(started.id) == (409, "task_closed")
    assert code(make_task(publish=False).id)[0] == 404  # a draft is out of reach
    elsewhere = make_task(by=make_staff("community_secretary", make_community()))
    assert code(elsewhere.id)[0] == 404
    pending = token_for(make_member(community=community, status="pending"))
    assert code(started.id, pending) == (403, "not_approved")
    assert code(task.id, token_for(secretary))[0] == 403
    assert count(Claim) == 1


def test_cancel_claim_and_waitlist(client, make_task, make_member, community, member, token_for,
                                  secretary):
    task = make_task(slots=1)
    headers = token_for(member)
    client.post(f"/api/v1/tasks/{task.id}/claim", headers=headers)
    waiting = make_member(community=community)
    waiting_headers = token_for(waiting)
    joined = client.post(f"/api/v1/tasks/{task.id}/waitlist", headers=waiting_headers)
    assert joined.status_code == 201 and joined.get_json()["position"] == 1
    roster = client.get(f"/api/v1/tasks/{task.id}/waitlist", headers=token_for(secretary))
    assert roster.get_json()["items"][0]["member_id"] == waiting.id
    cancelled = client.delete(f"/api/v1/tasks/{task.id}/claim", headers=headers)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    mine = client.get("/api/v1/me/claims?when=upcoming", headers=waiting_headers).get_json()
    assert mine["total"] == 1 and mine["items"][0]["task"]["id"] == task.id
    assert client.delete(f"/api/v1/tasks/{task.id}/claim", headers=headers).status_code == 409


def test_cancel_claim_after_cutoff_is_409(client, make_task, member, token_for):
    task = make_task(starts_in=1)
    headers = token_for(member)
    assert client.post(f"/api/v1/tasks/{task.id}/claim", headers=headers).status_code == 201
    late = client.delete(f"/api/v1/tasks/{task.id}/claim", headers=headers)
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "cancel_too_late"
    assert "2 小时" in late.get_json()["error"]["message"]


def test_check_in_out_confirm_through_the_api(client, make_task, member, secretary, token_for,
                                             claim_for):
    task = make_task(starts_in=-0.25, hours=0.5)  # began 15 minutes ago
    claim = claim_for(member, task)
    headers = token_for(member)
    checked_in = client.post(f"/api/v1/tasks/{task.id}/check-in", headers=headers)
    assert checked_in.status_code == 200
    assert checked_in.get_json()["check_in_method"] == "button"
    out = client.post(f"/api/v1/tasks/{task.id}/check-out", headers=headers)
    assert out.status_code == 200 and out.get_json()["self_hours"] is not None
    confirm = client.post(f"/api/v1/claims/{claim.id}/confirm", json={"quality": 5},
                          headers=token_for(secretary))
    assert confirm.status_code == 200
    assert confirm.get_json()["outcome"] == "confirmed" and confirm.get_json()["adjusted"] is False
    adjusted = client.post(f"/api/v1/claims/{claim.id}/confirm",
                           json={"quality": 4, "hours": 1.5, "reason": "会前布置场地"},
                           headers=token_for(secretary))
    body = adjusted.get_json()
    assert body["confirmed_hours"] == 1.5 and body["adjusted"] and body["adjust_reason"]
    mine = client.get("/api/v1/me/claims", headers=headers).get_json()
    assert mine["items"][0]["confirmed_hours"] == 1.5
    assert mine["totals"]["year"]["hours"] == 1.5


def test_check_in_outside_window_is_409_and_changes_nothing(client, make_task, member,
                                                           token_for, claim_for):
    task = make_task(starts_in=5)
    claim = claim_for(member, task)
    response = client.post(f"/api/v1/tasks/{task.id}/check-in", headers=token_for(member))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "outside_window" and "签到" in error["message"]
    db.session.refresh(claim)
    assert claim.checked_in_at is None


def test_scanned_check_in_with_the_qr_token(client, make_task, member, secretary, token_for,
                                           claim_for):
    task = make_task(starts_in=0.25)
    claim_for(member, task)
    qr = client.get(f"/api/v1/tasks/{task.id}/qr-token", headers=token_for(secretary)).get_json()
    assert qr["url"].endswith(qr["token"]) and qr["rotates_every"] == 180
    headers = token_for(member)
    bad = client.post(f"/api/v1/tasks/{task.id}/check-in", json={"token": "forged"},
                      headers=headers)
    assert bad.status_code == 409 and bad.get_json()["error"]["code"] == "qr_expired"
    ok = client.post(f"/api/v1/tasks/{task.id}/check-in", json={"token": qr["token"]},
                     headers=headers)
    assert ok.status_code == 200 and ok.get_json()["check_in_method"] == "scanned"


def test_series_and_templates(client, secretary, token_for):
    headers = token_for(secretary)
    templates = client.get("/api/v1/task-templates", headers=headers).get_json()["items"]
    assert {t["category"] for t in templates} >= {"checkpoint_duty", "health"}
    start = (utcnow() + timedelta(days=2)).date()
    body = task_body(first_date=start.isoformat(), days=3,
                     shifts=[{"start": "08:00", "end": "12:00"},
                             {"start": "14:00", "end": "18:00"}])
    del body["starts_at"], body["ends_at"]
    response = client.post("/api/v1/tasks/series", json=body, headers=headers)
    assert response.status_code == 201 and response.get_json()["total"] == 6
    bad = client.post("/api/v1/tasks/series", json={**body, "days": 40}, headers=headers)
    assert bad.status_code == 400 and "days" in bad.get_json()["error"]["fields"]
    assert count(Task) == 6


def test_update_cannot_go_below_claims(client, make_task, member, secretary, token_for,
                                      claim_for):
    task = make_task(slots=2)
    claim_for(member, task)
    body = task_body(slots=0, starts_at=iso(task.starts_at), ends_at=iso(task.ends_at))
    headers = token_for(secretary)
    assert client.put(f"/api/v1/tasks/{task.id}", json=body, headers=headers).status_code == 400
    body["slots"] = 4
    ok = client.put(f"/api/v1/tasks/{task.id}", json=body, headers=headers)
    assert ok.status_code == 200 and ok.get_json()["slots"] == 4


# ---------------------------------------------------------------- permission matrix


def test_member_cannot_manage(client, make_task, member, token_for, claim_for):
    task = make_task(starts_in=-4, hours=2)
    claim = claim_for(member, task)
    headers = token_for(member)
    assert client.post("/api/v1/tasks", json=task_body(), headers=headers).status_code == 403
    assert client.post(f"/api/v1/claims/{claim.id}/confirm", json={"quality": 5, "hours": 2,
                                                                   "reason": "x"},
                       headers=headers).status_code == 403
    assert client.get(f"/api/v1/tasks/{task.id}/roster", headers=headers).status_code == 403
    assert client.post(f"/api/v1/claims/{claim.id}/no-show", headers=headers).status_code == 403
    assert client.post(f"/api/v1/tasks/{task.id}/cancel", json={"reason": "x"},
                       headers=headers).status_code == 403


def test_other_communitys_secretary_sees_no_roster_and_no_phones(
        client, make_task, member, make_staff, token_for, claim_for, secretary):
    task = make_task(starts_in=-4, hours=2)
    claim = claim_for(member, task)
    stranger = token_for(make_staff("community_secretary"))
    assert client.get(f"/api/v1/tasks/{task.id}", headers=stranger).status_code == 403
    roster = client.get(f"/api/v1/tasks/{task.id}/roster", headers=stranger)
    assert roster.status_code == 403 and member.phone not in roster.get_data(as_text=True)
    assert client.get(f"/api/v1/tasks/{task.id}/waitlist", headers=stranger).status_code == 403
    assert client.post(f"/api/v1/claims/{claim.id}/confirm", json={"quality": 5},
                       headers=stranger).status_code == 403
    own = client.get(f"/api/v1/tasks/{task.id}/roster", headers=token_for(secretary)).get_json()
    assert own["items"][0]["member"]["phone"] == member.phone


def test_roster_phone_masking_for_admin_and_grid_worker(client, make_task, member, make_staff,
                                                       make_grid, community, token_for,
                                                       claim_for):
    task = make_task()
    claim_for(member, task)
    worker = make_staff("grid_worker", make_grid(community=community))
    seen = client.get(f"/api/v1/tasks/{task.id}/roster", headers=token_for(worker)).get_json()
    assert seen["items"][0]["member"]["phone"] == member.phone
    reviewer = make_staff("street_reviewer", community.street)
    assert client.get(f"/api/v1/tasks/{task.id}/roster",
                      headers=token_for(reviewer)).status_code == 403


def test_unauthenticated_is_401(client, make_task):
    task = make_task()
    assert client.get("/api/v1/tasks").status_code == 401
    assert client.post(f"/api/v1/tasks/{task.id}/claim").status_code == 401


def test_openapi_lists_task_paths(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/tasks", "/api/v1/tasks/{task_id}", "/api/v1/tasks/{task_id}/claim",
                 "/api/v1/tasks/{task_id}/check-in", "/api/v1/tasks/{task_id}/check-out",
                 "/api/v1/claims/{claim_id}/confirm", "/api/v1/me/claims"):
        assert path in paths, path
    assert "delete" in paths["/api/v1/tasks/{task_id}/claim"]


def test_a_refused_claim_is_one_read_on_postgresql(client, make_task, make_member, community,
                                                   member, token_for):
    """On PostgreSQL the rush's refusals come from one statement before any login; a token
    that no longer stands still gets the login check's 401."""
    from sqlalchemy import event

    from volunteer.auth.services import end_all_sessions

    task = make_task(slots=1)
    assert client.post(f"/api/v1/tasks/{task.id}/claim", headers=token_for(member)
                       ).status_code == 201
    other = make_member(community=community)
    headers = token_for(other)
    url = f"/api/v1/tasks/{task.id}/claim"  # read before counting: the test's own refresh
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        full = client.post(url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "task_full"
    if db.engine.dialect.name == "postgresql":
        assert len(statements) == 1, statements
    else:  # SQLite takes the regular path: a transaction, token and user, claim facts
        assert statements[0] == "BEGIN IMMEDIATE" and len(statements) > 2
    end_all_sessions(other)
    db.session.commit()
    gone = client.post(url, headers=headers)
    assert gone.status_code == 401
    forged = client.post(url, headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401
