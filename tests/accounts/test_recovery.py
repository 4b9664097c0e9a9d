"""忘记密码: a code by e-mail, never telling whether a phone exists; reset; the limits."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.conftest import PASSWORD
from volunteer.accounts.models import PasswordResetCode
from volunteer.accounts.recovery import _code_hash
from volunteer.auth.models import ApiToken, User
from volunteer.extensions import db
from volunteer.notifications.models import EmailDelivery

NEW = "Langshan-2026"


def _reset(client, phone, code, password=NEW):
    return client.post("/api/v1/auth/reset", json={"phone": phone, "code": code,
                                                   "password": password})


def test_forgot_then_reset_then_log_in(client, member_with_email, mailed_code, token_for):
    member = member_with_email()
    old = token_for(member)
    response = client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    assert response.status_code == 202 and response.get_json() == {"ok": True}
    code = mailed_code("gu.li@example.com")
    assert code and len(code) == 6
    stored = db.session.scalar(select(PasswordResetCode))
    assert code not in stored.code_hash  # only a keyed hash is kept
    assert stored.expires_at - stored.created_at == timedelta(minutes=15)
    done = _reset(client, member.phone, code)
    assert done.status_code == 200 and "token" not in done.get_json()
    assert client.get("/api/v1/me", headers=old).status_code == 401  # tokens ended
    assert client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                   "password": NEW}).status_code == 200
    assert client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                   "password": PASSWORD}).status_code == 401


def test_unknown_phone_answers_the_same_and_sends_nothing(client, member_with_email):
    member = member_with_email()
    for phone in (member.phone, "13000000001"):
        response = client.post("/api/v1/auth/forgot", json={"phone": phone})
        assert response.status_code == 202
        assert response.get_json() == {"ok": True}
    assert db.session.scalar(select(func.count()).select_from(EmailDelivery)) == 1
    assert db.session.scalar(select(func.count()).select_from(PasswordResetCode)) == 1
    # an unknown phone's reset fails exactly like a wrong code
    unknown = _reset(client, "13000000001", "123456")
    assert unknown.status_code == 400
    assert unknown.get_json()["error"]["code"] == "invalid_code"


def test_a_member_without_e_mail_gets_202_and_no_mail(client, make_member):
    member = make_member()
    assert client.post("/api/v1/auth/forgot", json={"phone": member.phone}).status_code == 202
    assert db.session.scalar(select(func.count()).select_from(EmailDelivery)) == 0


def test_bad_phone_is_400_naming_the_field(client):
    response = client.post("/api/v1/auth/forgot", json={"phone": "12345"})
    assert response.status_code == 400 and "phone" in response.get_json()["error"]["fields"]


def test_a_used_code_is_refused(client, member_with_email, mailed_code):
    member = member_with_email()
    client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    code = mailed_code("gu.li@example.com")
    assert _reset(client, member.phone, code).status_code == 200
    again = _reset(client, member.phone, code, "Another-pass-9")
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "invalid_code"


def test_an_expired_code_is_refused(client, member_with_email, mailed_code):
    member = member_with_email()
    client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    code = mailed_code("gu.li@example.com")
    row = db.session.scalar(select(PasswordResetCode))
    row.expires_at = row.created_at - timedelta(seconds=1)
    db.session.commit()
    response = _reset(client, member.phone, code)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_code"


def test_a_newer_code_replaces_the_older(client, member_with_email, mailed_code):
    member = member_with_email()
    client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    first = mailed_code("gu.li@example.com")
    client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    second = mailed_code("gu.li@example.com")
    if first != second:
        assert _reset(client, member.phone, first).status_code == 400
    assert _reset(client, member.phone, second).status_code == 200


def test_five_wrong_codes_then_429_even_with_the_right_one(client, member_with_email,
                                                           mailed_code):
    member = member_with_email()
    client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    code = mailed_code("gu.li@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = _reset(client, member.phone, wrong)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_code"
    blocked = _reset(client, member.phone, code)
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "too_many_requests"
    db.session.expire_all()
    assert db.session.get(User, member.id).password_hash == member.password_hash


def test_password_rules_apply_and_do_not_spend_the_code(client, member_with_email, mailed_code):
    member = member_with_email()
    client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    code = mailed_code("gu.li@example.com")
    for weak in ("password123", "12345678", member.phone + "ab"):
        response = _reset(client, member.phone, code, weak)
        assert response.status_code == 400
        assert "password" in response.get_json()["error"]["fields"]
    assert _reset(client, member.phone, code).status_code == 200


def test_forgot_is_throttled_per_phone_and_per_ip(app, client, member_with_email):
    member = member_with_email()
    for _ in range(app.config["FORGOT_MAX_PER_PHONE"]):
        assert client.post("/api/v1/auth/forgot", json={"phone": member.phone}).status_code \
            == 202
    assert client.post("/api/v1/auth/forgot", json={"phone": member.phone}).status_code == 429
    # an unknown phone is throttled alike (no enumeration through the limit)
    for _ in range(app.config["FORGOT_MAX_PER_PHONE"]):
        client.post("/api/v1/auth/forgot", json={"phone": "13000000002"})
    assert client.post("/api/v1/auth/forgot", json={"phone": "13000000002"}).status_code == 429
    app.config["FORGOT_MAX_PER_IP"] = 8
    try:
        answers = [client.post("/api/v1/auth/forgot", json={"phone": f"1300000010{i}"})
                   .status_code for i in range(4)]
        assert answers[:2] == [202, 202] and answers[-1] == 429
    finally:
        app.config["FORGOT_MAX_PER_IP"] = 20


def test_reset_clears_the_lockout_and_a_temporary_password(client, member_with_email,
                                                           mailed_code, make_staff, token_for):
    member = member_with_email()
    secretary = make_staff("community_secretary", scope=member.community)
    client.post(f"/api/v1/members/{member.id}/reset-password", headers=token_for(secretary))
    for _ in range(5):
        client.post("/api/v1/auth/token", json={"phone": member.phone, "password": "wrong-pw1"})
    client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    assert _reset(client, member.phone, mailed_code("gu.li@example.com")).status_code == 200
    login = client.post("/api/v1/auth/token", json={"phone": member.phone, "password": NEW})
    assert login.status_code == 200
    assert login.get_json()["user"]["must_change_password"] is False


def test_a_disabled_account_gets_no_code(client, member_with_email):
    member = member_with_email()
    member.active = False
    db.session.commit()
    assert client.post("/api/v1/auth/forgot", json={"phone": member.phone}).status_code == 202
    assert db.session.scalar(select(func.count()).select_from(PasswordResetCode)) == 0


def test_the_code_hash_is_keyed_by_account(ctx):
    assert _code_hash(1, "123456") != _code_hash(2, "123456")


def test_the_pages_walk_forgot_reset_login(client, member_with_email, mailed_code):
    member = member_with_email()
    login_page = client.get("/login").get_data(as_text=True)
    assert "/forgot" in login_page and "忘记密码" in login_page
    response = client.post("/forgot", data={"phone": member.phone})
    assert response.status_code == 302 and response.location.endswith("/reset")
    form = client.get("/reset").get_data(as_text=True)
    assert member.phone in form  # carried in the session, not the URL
    code = mailed_code("gu.li@example.com")
    wrong = client.post("/reset", data={"phone": member.phone, "code": "999999" if code !=
                                        "999999" else "111111", "password": NEW})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.get_data(as_text=True)
    weak = client.post("/reset", data={"phone": member.phone, "code": code,
                                       "password": "password"})
    assert "常见" in weak.get_data(as_text=True) or "至少" in weak.get_data(as_text=True)
    done = client.post("/reset", data={"phone": member.phone, "code": code, "password": NEW})
    assert done.status_code == 302 and done.location.endswith("/login")
    assert client.post("/login", data={"phone": member.phone,
                                       "password": NEW}).status_code == 302


def test_the_lockout_page_says_how_to_get_help(client, make_member):
    member = make_member()
    for _ in range(5):
        client.post("/login", data={"phone": member.phone, "password": "wrong-pw1"})
    page = client.post("/login", data={"phone": member.phone, "password": PASSWORD})
    assert page.status_code == 429
    html = page.get_data(as_text=True)
    assert "忘记密码" in html and "社区书记" in html and "区委组织部" in html
    api = client.post("/api/v1/auth/token", json={"phone": member.phone, "password": PASSWORD})
    assert "忘记密码" in api.get_json()["error"]["message"]


def test_tokens_of_other_accounts_survive_a_reset(client, member_with_email, make_member,
                                                  mailed_code, token_for):
    member, other = member_with_email(), make_member()
    headers = token_for(other)
    client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    _reset(client, member.phone, mailed_code("gu.li@example.com"))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.revoked_at.is_(None))) == 1


def test_housekeeping_purges_expired_codes(client, member_with_email):
    from volunteer.core.time import utcnow
    from volunteer.scheduler import _housekeeping

    member = member_with_email()
    client.post("/api/v1/auth/forgot", json={"phone": member.phone})
    row = db.session.scalar(select(PasswordResetCode))
    row.expires_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert _housekeeping(utcnow())["reset_codes_purged"] == 1
