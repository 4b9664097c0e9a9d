"""A member asks for deletion; their community secretary (or the district) anonymises the
account; service records and past figures stay."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD
from volunteer.audit.models import AuditLog
from volunteer.auth.models import ApiToken, User
from volunteer.core.periods import containing, local_date
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members.models import MemberSkill
from volunteer.notifications.models import Notification
from volunteer.privacy import services
from volunteer.privacy.models import DeletionRequest
from volunteer.stats.figures import group_rows
from volunteer.tasks.models import Claim


@pytest.fixture
def served(make_member, make_service, area):
    """A member of the area with skills, an e-mail and a confirmed service last month."""
    member = make_member(community=area.community, grid=area.grid, skills=("legal",),
                         name="顾丽", phone="13812345678")
    member.email = "gu@example.com"
    when = utcnow() - timedelta(days=40)
    make_service(member, when, minutes=120, quality=5)
    db.session.commit()
    return member, containing("month", local_date(when))


def _ask(client, token_for, member):
    response = client.post("/api/v1/me/deletion-request", headers=token_for(member))
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def test_member_asks_and_the_secretary_is_told(client, token_for, served, area):
    member, _period = served
    first = _ask(client, token_for, member)
    assert first["status"] == "pending" and first["member"]["id"] == member.id
    assert _ask(client, token_for, member)["id"] == first["id"]  # asking twice: one request
    assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 1
    told = db.session.scalar(select(Notification).where(
        Notification.user_id == area.secretary.id, Notification.kind ==
        "privacy_deletion_request"))
    assert told is not None and told.link == "/members/deletion-requests"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "request_deletion"))
    listed = client.get("/api/v1/deletion-requests", headers=token_for(area.secretary))
    assert [row["id"] for row in listed.get_json()["items"]] == [first["id"]]


def test_staff_cannot_ask_for_deletion_here(client, token_for, area):
    response = client.post("/api/v1/me/deletion-request", headers=token_for(area.secretary))
    assert response.status_code == 403
    assert client.post("/api/v1/me/deletion-request").status_code == 401


def test_who_may_handle_a_deletion_request(client, token_for, served, area, make_staff,
                                           make_member):
    member, _period = served
    row = _ask(client, token_for, member)
    url = f"/api/v1/deletion-requests/{row['id']}/complete"
    other_secretary = make_staff("community_secretary")
    for user in (other_secretary, make_member(community=area.community), area.worker,
                 make_staff("street_reviewer", area.community.street)):
        assert client.post(url, headers=token_for(user)).status_code == 403, user.role
    assert client.get("/api/v1/deletion-requests",
                      headers=token_for(other_secretary)).get_json()["items"] == []
    assert client.get("/api/v1/deletion-requests",
                      headers=token_for(member)).status_code == 403
    assert client.post("/api/v1/deletion-requests/99999/complete",
                       headers=token_for(area.secretary)).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, member.id).name == "顾丽"


def test_the_secretary_anonymises_and_service_records_stay(client, token_for, served, area):
    member, period = served
    old_token = token_for(member)
    before = group_rows("community", period, street_id=area.community.street_id)
    claims_before = db.session.execute(select(Claim.id, Claim.confirmed_minutes).where(
        Claim.member_id == member.id)).all()
    row = _ask(client, token_for, member)
    done = client.post(f"/api/v1/deletion-requests/{row['id']}/complete",
                       headers=token_for(area.secretary))
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    db.session.expire_all()
    gone = db.session.get(User, member.id)
    assert gone.name == "已注销党员" and gone.phone != "13812345678" and len(gone.phone) <= 11
    assert gone.email is None and gone.skill_tags == [] and gone.industry is None
    assert gone.active is False and gone.anonymised_at is not None
    assert gone.community_id == area.community.id and gone.status == "approved"
    assert db.session.scalar(select(func.count()).select_from(MemberSkill).where(
        MemberSkill.user_id == member.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == member.id, ApiToken.revoked_at.is_(None))) == 0
    # no way back in: not with the old password, not with the old token
    assert client.post("/api/v1/auth/token", json={"phone": "13812345678",
                                                   "password": PASSWORD}).status_code == 401
    assert client.get("/api/v1/me", headers=old_token).status_code == 401
    # the service record is kept, and the past period's figures do not move
    assert db.session.execute(select(Claim.id, Claim.confirmed_minutes).where(
        Claim.member_id == member.id)).all() == claims_before
    assert group_rows("community", period, street_id=area.community.street_id) == before
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "anonymise_member"))
    assert audit.actor_id == area.secretary.id and audit.object_id == member.id
    assert "13812345678" not in str(audit.detail) and "顾丽" not in str(audit.detail)
    again = client.post(f"/api/v1/deletion-requests/{row['id']}/complete",
                        headers=token_for(area.secretary))
    assert again.status_code == 409


def test_the_district_admin_may_handle_any_and_placeholders_are_unique(ctx, make_member,
                                                                       admin):
    first, second = make_member(), make_member()
    for member in (first, second):
        services.complete_deletion(admin, services.request_deletion(member))
    db.session.commit()
    assert first.phone != second.phone and first.phone.startswith("D")


def test_an_anonymised_account_cannot_ask_again(ctx, make_member, admin):
    member = make_member()
    services.complete_deletion(admin, services.request_deletion(member))
    db.session.commit()
    with pytest.raises(services.NotAllowed):
        services.request_deletion(member)


# ---------------------------------------------------------------- pages


def test_deletion_through_the_pages(app, client, login, served, area):
    member, _period = served
    login(member)
    page = client.get("/me/deletion-request").get_data(as_text=True)
    assert "申请注销账号" in page and 'data-confirm=' in page
    refused = client.post("/me/deletion-request", data={})
    assert refused.status_code == 200 and "请勾选确认" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 0
    assert client.post("/me/deletion-request", data={"confirm": "y"}).status_code == 302
    assert "注销申请处理中" in client.get("/me").get_data(as_text=True)
    row = db.session.scalar(select(DeletionRequest))

    secretary = app.test_client()
    login(area.secretary, c=secretary)
    assert 'data-testid="deletion-requests"' in secretary.get("/members").get_data(
        as_text=True)
    listing = secretary.get("/members/deletion-requests").get_data(as_text=True)
    assert "顾丽" in listing and f'data-testid="complete-{row.id}"' in listing
    assert secretary.post(f"/members/deletion-requests/{row.id}/complete").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).name == "已注销党员"
    assert client.get("/me").status_code == 302  # the member's session has ended


def test_pages_refuse_other_secretaries_and_members(app, client, login, served, make_staff,
                                                    area):
    member, _period = served
    row = services.request_deletion(member)
    db.session.commit()
    login(make_staff("community_secretary"))
    assert "顾丽" not in client.get("/members/deletion-requests").get_data(as_text=True)
    assert client.post(f"/members/deletion-requests/{row.id}/complete").status_code == 403
    other = app.test_client()
    login(member, c=other)
    assert other.get("/members/deletion-requests").status_code == 403
    assert other.post(f"/members/deletion-requests/{row.id}/complete").status_code == 403
    db.session.expire_all()
    assert db.session.get(DeletionRequest, row.id).status == "pending"
