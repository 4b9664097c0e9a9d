"""Browser sessions end on the server: logout, log out everywhere, idleness, disabled accounts."""

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import PASSWORD
from volunteer.auth import services
from volunteer.auth.models import WebSession
from volunteer.extensions import db


def _cookie(client) -> str:
    return client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]).value


def _copy_cookie(source, target, value=None) -> None:
    """Put ``source``'s session cookie into ``target`` (a cookie stolen before logout)."""
    target.set_cookie(source.application.config["SESSION_COOKIE_NAME"],
                      value or _cookie(source))


def test_a_cookie_copied_before_logout_no_longer_opens_me(app, client, login, make_member):
    member = make_member()
    login(member)
    thief = app.test_client()
    _copy_cookie(client, thief)
    assert thief.get("/me").status_code == 200
    client.post("/logout")
    assert client.get("/me").status_code == 302
    response = thief.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert thief.get("/api/v1/me").status_code == 401
    row = db.session.scalar(select(WebSession).where(WebSession.user_id == member.id))
    assert row.ended_at is not None


def test_logout_ends_only_this_browser(app, login, make_member):
    member = make_member()
    phone_browser, laptop = app.test_client(), app.test_client()
    login(member, c=phone_browser)
    login(member, c=laptop)
    phone_browser.post("/logout")
    assert phone_browser.get("/me").status_code == 302
    assert laptop.get("/me").status_code == 200


def test_log_out_everywhere_ends_every_session_row(app, login, make_member):
    member = make_member()
    first, second = app.test_client(), app.test_client()
    login(member, c=first)
    login(member, c=second)
    first.post("/logout-all")
    assert second.get("/me").status_code == 302
    rows = db.session.scalars(select(WebSession).where(WebSession.user_id == member.id)).all()
    assert len(rows) == 2 and all(r.ended_at is not None for r in rows)


def test_password_change_keeps_this_browser_in_a_new_session(app, client, login, make_member):
    member = make_member()
    login(member)
    other = app.test_client()
    login(member, c=other)
    before = _cookie(client)
    response = client.post("/account/password", data={"old_password": PASSWORD,
                                                      "new_password": "Another-secret-9"})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200
    assert other.get("/me").status_code == 302
    stale = app.test_client()
    _copy_cookie(client, stale, before)
    assert stale.get("/me").status_code == 302


def _age_sessions(user, delta) -> None:
    for row in db.session.scalars(select(WebSession).where(WebSession.user_id == user.id)):
        row.last_seen_at = row.last_seen_at - delta
    db.session.commit()


def test_a_member_session_idle_for_30_days_ends(client, login, make_member):
    member = make_member()
    login(member)
    _age_sessions(member, timedelta(days=29, hours=23))
    assert client.get("/me").status_code == 200  # used again: idle time restarts
    _age_sessions(member, timedelta(days=30, minutes=1))
    assert client.get("/me").status_code == 302


def test_a_staff_session_idle_for_12_hours_ends(client, login, make_staff):
    secretary = make_staff()
    login(secretary)
    assert client.get("/members").status_code == 200
    _age_sessions(secretary, timedelta(hours=11, minutes=50))
    assert client.get("/members").status_code == 200
    _age_sessions(secretary, timedelta(hours=12, minutes=1))
    assert client.get("/members").status_code == 302


def test_idle_limits_are_settings(app, ctx, make_member, make_staff):
    app.config.update(SESSION_IDLE_HOURS_STAFF=2, SESSION_IDLE_DAYS_MEMBER=3)
    try:
        assert services.session_idle_limit(make_staff()) == timedelta(hours=2)
        assert services.session_idle_limit(make_member()) == timedelta(days=3)
    finally:
        app.config.update(SESSION_IDLE_HOURS_STAFF=12, SESSION_IDLE_DAYS_MEMBER=30)


def test_last_seen_is_written_at_most_every_few_minutes(client, login, make_member):
    member = make_member()
    login(member)
    row = db.session.scalar(select(WebSession).where(WebSession.user_id == member.id))
    first_seen = row.last_seen_at
    for _ in range(3):
        assert client.get("/me").status_code == 200
    db.session.expire_all()
    assert db.session.get(WebSession, row.id).last_seen_at == first_seen
    _age_sessions(member, services.SESSION_TOUCH_INTERVAL + timedelta(seconds=1))
    client.get("/me")
    db.session.expire_all()
    assert db.session.get(WebSession, row.id).last_seen_at > first_seen


def test_a_disabled_account_loses_its_session(client, login, admin, make_staff, ctx):
    secretary = make_staff()
    login(secretary)
    services.set_user_active(admin, secretary, False)
    db.session.commit()
    assert client.get("/members").status_code == 302


def test_a_cookie_without_a_server_session_is_anonymous(app, client, login, make_member):
    member = make_member()
    login(member)
    with client.session_transaction() as sess:
        sess[services.WEB_SESSION_KEY] = "forged-or-old"
    assert client.get("/me").status_code == 302
    with client.session_transaction() as sess:
        sess.pop(services.WEB_SESSION_KEY)
    assert client.get("/me").status_code == 302


def test_housekeeping_purges_old_sessions(ctx, make_member):
    member = make_member()
    old, live = services.start_web_session(member), services.start_web_session(member)
    old.last_seen_at -= timedelta(days=61)
    db.session.commit()
    assert services.purge_web_sessions() == 1
    db.session.commit()
    assert db.session.get(WebSession, live.id) is not None
