"""A member downloads their own data: everything of theirs, nothing of anyone else."""

import json
from datetime import timedelta

from volunteer.consents.services import record_consents
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.notifications.services import notify
from volunteer.wishes.models import WishClaim

from .conftest import RESIDENT, WISH


def _world(make_member, make_service, make_request, make_wish, area, member):
    """``member`` with a service, a wish claimed, a request done, a message and a consent;
    another member with their own of each."""
    other = make_member(community=area.community, name="王另人", phone="13955556666")
    for person in (member, other):
        make_service(person, utcnow() - timedelta(days=3), minutes=90)
        notify(person, "test", f"{person.name}的消息")
        record_consents(user=person)
    member.email = "me@example.com"
    wish = make_wish("published")
    db.session.add(WishClaim(wish_id=wish.id, member_id=member.id))
    make_request("completed", member=member)
    db.session.commit()
    return other, wish


def test_me_data_holds_the_members_own_data(client, token_for, make_member, make_service,
                                            make_request, make_wish, area, member):
    other, wish = _world(make_member, make_service, make_request, make_wish, area, member)
    response = client.get("/api/v1/me/data", headers=token_for(member))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["profile"]["id"] == member.id and data["profile"]["phone"] == member.phone
    assert data["profile"]["email"] == "me@example.com"
    assert data["profile"]["community_name"] == area.community.name
    assert [c["kind"] for c in data["consents"]] == ["privacy"]
    assert len(data["claims"]) == 1 and data["claims"][0]["confirmed_hours"] == 1.5
    assert data["claims"][0]["task"]["title"]
    assert [w["wish_id"] for w in data["wishes_claimed"]] == [wish.id]
    assert data["wishes_claimed"][0]["content"] == WISH["content"]
    assert len(data["requests_assigned"]) == 1
    assert data["requests_assigned"][0]["status"] == "completed"
    assert any(n["title"] == f"{member.name}的消息" for n in data["notifications"])
    assert data["deletion_requests"] == []


def test_me_data_leaks_nobody_elses_data(client, token_for, make_member, make_service,
                                         make_request, make_wish, area, member):
    other, _wish = _world(make_member, make_service, make_request, make_wish, area, member)
    text = client.get("/api/v1/me/data", headers=token_for(member)).get_data(as_text=True)
    data = json.loads(text)
    for secret in (other.name, other.phone, WISH["beneficiary_name"], WISH["phone"],
                   WISH["address"], RESIDENT["name"], RESIDENT["phone"], RESIDENT["address"]):
        assert secret not in text, secret
    assert all(c["member_id"] == member.id for c in data["claims"])


def test_me_data_refuses_staff_and_strangers(client, token_for, area):
    assert client.get("/api/v1/me/data").status_code == 401
    assert client.get("/api/v1/me/data", headers=token_for(area.secretary)).status_code == 403


def test_the_profile_page_offers_the_download(client, login, member):
    login(member)
    page = client.get("/me").get_data(as_text=True)
    assert 'data-testid="download-data"' in page and 'data-testid="ask-deletion"' in page
    response = client.get("/me/data")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert json.loads(response.get_data(as_text=True))["profile"]["name"] == member.name
