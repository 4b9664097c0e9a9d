"""Security baseline: headers, cookies, CSRF, secret key, login throttling on the web."""

import pytest

from tests.conftest import PASSWORD, IsolatedClient, make_config
from volunteer import create_app


@pytest.fixture
def csrf_app(app, db_url, tmp_path):
    """A second app on the same database with CSRF on, as in production."""
    second = create_app(make_config(db_url, str(tmp_path), WTF_CSRF_ENABLED=True))
    second.test_client_class = IsolatedClient
    return second


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_session_cookie_flags(client, make_member):
    member = make_member()
    response = client.post("/login", data={"phone": member.phone, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_forms_require_csrf(csrf_app, make_member):
    member = make_member()
    client = csrf_app.test_client()
    response = client.post("/login", data={"phone": member.phone, "password": PASSWORD})
    assert response.status_code == 302 and "/login" not in response.headers.get("Location", "x")
    assert client.get("/inbox").status_code == 302  # not logged in: the post was refused
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    ok = client.post("/login", data={"phone": member.phone, "password": PASSWORD,
                                     "csrf_token": token})
    assert ok.status_code == 302
    assert client.get("/inbox").status_code == 200


def test_page_json_calls_need_the_csrf_header(csrf_app, make_member):
    member = make_member()
    client = csrf_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"phone": member.phone, "password": PASSWORD, "csrf_token": token})
    refused = client.post("/api/v1/me/notifications/read-all")
    assert refused.status_code == 400 and refused.get_json()["error"]["code"] == "csrf_failed"
    allowed = client.post("/api/v1/me/notifications/read-all", headers={"X-CSRFToken": token})
    assert allowed.status_code == 200


def test_bearer_calls_are_exempt_from_csrf(csrf_app, make_member, token_for):
    member = make_member()
    client = csrf_app.test_client()
    response = client.post("/api/v1/me/notifications/read-all", headers=token_for(member))
    assert response.status_code == 200
    token = client.post("/api/v1/auth/token", json={"phone": member.phone, "password": PASSWORD})
    assert token.status_code == 200  # logging in needs no CSRF token: no ambient authority


def test_refuses_to_start_without_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("VOLUNTEER_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with pytest.raises(RuntimeError):
        create_app({"SECRET_KEY": "dev", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    (tmp_path / "secret_key").write_text("a" * 64)
    assert create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"] == "a" * 64


def test_web_login_failure_message_and_throttle(client, make_member):
    member = make_member()
    wrong = client.post("/login", data={"phone": member.phone, "password": "nope-nope"})
    assert wrong.status_code == 200 and "手机号或密码不正确" in wrong.get_data(as_text=True)
    for _ in range(5):
        client.post("/login", data={"phone": member.phone, "password": "nope-nope"})
    blocked = client.post("/login", data={"phone": member.phone, "password": PASSWORD})
    assert blocked.status_code == 429 and "15 分钟" in blocked.get_data(as_text=True)


def test_open_redirect_is_refused(client, make_member):
    member = make_member()
    response = client.post("/login?next=//evil.example/x",
                           data={"phone": member.phone, "password": PASSWORD})
    assert response.headers["Location"] in ("/home", "http://localhost/home")


def test_proxy_fix_reads_the_client_address(db_url, tmp_path):
    from flask import request

    proxied = create_app(make_config(db_url, str(tmp_path), PROXY_FIX=1))

    @proxied.get("/_whoami")
    def whoami():
        return request.remote_addr or ""

    answer = proxied.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9"},
                        environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert answer.get_data(as_text=True) == "203.0.113.9"


def _csrf_login(client, member) -> str:
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"phone": member.phone, "password": PASSWORD, "csrf_token": token})
    return token


@pytest.mark.parametrize("header", ["Bearer garbage", "bearer garbage", "Bearer ", "BEARER x.y"])
def test_a_bad_bearer_header_never_falls_back_to_the_cookie(csrf_app, make_member, header):
    member = make_member()
    client = csrf_app.test_client()
    _csrf_login(client, member)
    assert client.get("/api/v1/me").status_code == 200
    write = client.post("/api/v1/me/notifications/read-all", headers={"Authorization": header})
    assert write.status_code == 401 and write.get_json()["error"]["code"] == "not_authenticated"
    read = client.get("/api/v1/me", headers={"Authorization": header})
    assert read.status_code == 401


def test_a_good_bearer_header_wins_over_the_cookie(csrf_app, make_member, token_for):
    cookie_user, token_user = make_member(), make_member()
    client = csrf_app.test_client()
    _csrf_login(client, cookie_user)
    me = client.get("/api/v1/me", headers=token_for(token_user))
    assert me.status_code == 200 and me.get_json()["id"] == token_user.id


def test_a_stale_bearer_header_does_not_block_getting_a_new_token(client, make_member):
    member = make_member()
    response = client.post("/api/v1/auth/token", headers={"Authorization": "Bearer old"},
                           json={"phone": member.phone, "password": PASSWORD})
    assert response.status_code == 200


URL_FOR_NAMES = "kind=street&scope_id=9&endpoint=auth.login&_external=1&_anchor=x&_method=POST" \
    "&_scheme=javascript&values=1"


def test_query_parameters_named_like_url_for_arguments_stay_inert(client, login, admin):
    login(admin)
    response = client.get(f"/review/district?{URL_FOR_NAMES}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "http://localhost" not in html and "javascript:" not in html and "#x" not in html
    assert "/review/district?" in html and "/review/street/9" not in html
    home = client.get(f"/review?{URL_FOR_NAMES}")
    assert home.status_code == 302 and home.headers["Location"].startswith("/review/district")
    assert "_external" not in home.headers["Location"]


def test_page_links_keep_ordinary_parameters_only(app):
    from volunteer.core.links import this_page_url

    with app.test_request_context(f"/admin/staff?q=张&{URL_FOR_NAMES}&page=3"):
        from flask import request

        request.url_rule = app.url_map.bind("localhost").match(
            "/admin/staff", return_rule=True)[0]
        url = this_page_url(page=4)
    assert url.startswith("/admin/staff?") and "page=4" in url and "q=" in url
    for name in ("endpoint", "_external", "_anchor", "_method", "_scheme"):
        assert name not in url


@pytest.mark.parametrize("phone", ["１３８００００１１１１", "1380000111é", "电话号码",
                                   "13800001111\u200b"])
def test_tracking_with_a_non_ascii_phone_is_not_found(client, make_community, phone):
    from volunteer.extensions import db
    from volunteer.requests.services import submit_request

    req = submit_request(ip="10.9.9.9", website=None, name="王阿姨", phone="13800001111",
                         category="repair", description="厨房水龙头漏水", address="8幢201室",
                         community_id=make_community().id, privacy_consent=True)
    db.session.commit()
    code = req.tracking_code
    api = client.get("/api/v1/requests/track", query_string={"code": code, "phone": phone})
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"
    page = client.post("/requests/track", data={"code": code, "phone": phone})
    assert page.status_code in (200, 404) and "查询码或手机号不正确" in page.get_data(as_text=True)
    ok = client.get("/api/v1/requests/track", query_string={"code": code, "phone": "13800001111"})
    assert ok.status_code == 200


@pytest.mark.parametrize("role", ["pope", "district_admin", "member"])
def test_staff_form_with_an_unknown_role_is_a_form_error(client, login, admin, make_community,
                                                         role):
    from sqlalchemy import select

    from volunteer.auth.models import User
    from volunteer.extensions import db

    community = make_community()
    login(admin)
    response = client.post("/admin/staff", data={
        "action": "create", "name": "新书记", "phone": "13911112222", "password": "Zx-81!qrtv",
        "role": role, "scope_id": str(community.id)})
    assert response.status_code == 200
    assert db.session.scalar(select(User).where(User.phone == "13911112222")) is None
    html = response.get_data(as_text=True)
    assert "不是有效的选择" in html
    page = client.get(f"/admin/staff?role={role}")
    assert page.status_code == 200


def test_nothing_but_static_files_may_be_cached(client, login, make_member, admin, token_for):
    member = make_member()
    assert "no-store" in client.get("/login").headers["Cache-Control"]
    login(member)
    for path in ("/me", "/api/v1/me", "/inbox"):
        assert "no-store" in client.get(path).headers["Cache-Control"], path
    assert "no-store" in client.get("/api/v1/me", headers=token_for(admin)).headers[
        "Cache-Control"]
    assert "no-store" not in (client.get("/static/app.css").headers.get("Cache-Control") or "")


def test_downloads_are_not_cached(client, login, admin):
    login(admin)
    response = client.get("/review/district/export.xlsx")
    assert response.status_code == 200, response.status_code
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    response.close()


def test_hsts_when_https_is_forced(app, db_url, tmp_path):
    try:
        forced = create_app(make_config(db_url, str(tmp_path), FORCE_HTTPS=True))
        response = forced.test_client().get("/login", base_url="https://localhost")
        assert "max-age=" in response.headers["Strict-Transport-Security"]
    finally:
        # the Talisman extension is one object: give it back the other apps' settings
        create_app(make_config(db_url, str(tmp_path)))
    plain = app.test_client().get("/login", base_url="https://localhost")
    assert "Strict-Transport-Security" not in plain.headers
