"""Common and trivial passwords are refused wherever a password is chosen."""

import pytest

from tests.conftest import PASSWORD
from volunteer.auth import services
from volunteer.core.errors import ValidationFailed
from volunteer.extensions import db

BAD = ["password", "Password", "PASSWORD1", "aaaaaaaa", "zzzzzzzzzzzz", "abcdefgh", "hgfedcba",
       "qwertyuiop", "iloveyou", "1qaz2wsx", "woaini1314", "p@ssw0rd", "baseball"]


@pytest.mark.parametrize("password", BAD)
def test_common_and_trivial_passwords_are_refused(ctx, password):
    with pytest.raises(ValidationFailed) as caught:
        services.check_password(password)
    assert "常见" in caught.value.fields["password"]


@pytest.mark.parametrize("password", ["Gu-li-2022x", "南通通通在2026", "Zx-81!qrtv", PASSWORD])
def test_ordinary_passwords_pass(ctx, password):
    assert services.check_password(password) == password


def test_the_list_ships_with_the_package():
    words = services.common_passwords()
    assert len(words) > 5000 and "password" in words and "password1" in words
    assert all(len(w) >= services.PASSWORD_MIN for w in words)


def test_a_password_holding_the_phone_is_refused(ctx):
    with pytest.raises(ValidationFailed) as caught:
        services.check_password("a13812345678", phone="13812345678")
    assert "手机号" in caught.value.fields["password"]


def test_registration_refuses_a_common_password(client, make_community, make_unit):
    community, unit = make_community(), make_unit()
    body = {"name": "顾丽", "phone": "13812345678", "unit_id": unit.id,
            "community_id": community.id, "privacy_consent": True}
    for password in ("password", "aaaaaaaa", "x13812345678"):
        response = client.post("/api/v1/members/register", json={**body, "password": password})
        assert response.status_code == 400
        assert "password" in response.get_json()["error"]["fields"]
    page = client.post("/register", data={"name": "顾丽", "phone": "13812345679",
                                          "password": "iloveyou", "unit_name": unit.name,
                                          "community_id": str(community.id),
                                          "privacy_consent": "y"})
    assert "该密码过于常见" in page.get_data(as_text=True)


def test_password_change_refuses_common_and_current_passwords(client, make_member, token_for):
    member = make_member()
    headers = token_for(member)
    for new, message in (("password", "常见"), (PASSWORD, "相同")):
        response = client.post("/api/v1/auth/password", headers=headers,
                               json={"old_password": PASSWORD, "new_password": new})
        assert response.status_code == 400
        assert message in response.get_json()["error"]["fields"]["new_password"]
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # nothing changed


def test_staff_creation_refuses_a_common_password(client, admin, token_for, make_community):
    community = make_community()
    response = client.post("/api/v1/staff", headers=token_for(admin), json={
        "name": "新书记", "phone": "13911112222", "password": "sunshine1",
        "role": "community_secretary", "community_id": community.id})
    assert response.status_code == 400 and "password" in response.get_json()["error"]["fields"]


def test_create_admin_refuses_a_common_password(ctx):
    with pytest.raises(ValidationFailed):
        services.create_admin(name="管理员", phone="13911113333", password="aaaaaaaaaa")
    db.session.rollback()
