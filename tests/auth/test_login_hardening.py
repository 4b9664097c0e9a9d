"""Logins: no user enumeration by timing, an exact throttle, argon2 outside the transaction."""

import threading

import pytest
from argon2 import PasswordHasher

from tests.conftest import PASSWORD
from volunteer.auth import services
from volunteer.extensions import db


@pytest.fixture
def verify_calls(monkeypatch):
    """Count PasswordHasher.verify calls (and whether a transaction was open meanwhile)."""
    calls: list[bool] = []
    lock = threading.Lock()
    real_verify = PasswordHasher.verify

    def verify(self, hash, password):
        with lock:
            calls.append(db.session().in_transaction())
        return real_verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return calls


@pytest.mark.parametrize("phone", ["known", "13000000000", "not-a-phone", "", "disabled"])
def test_every_failed_login_verifies_a_hash(client, make_member, verify_calls, phone):
    member = make_member()
    if phone == "known":
        phone = member.phone
    elif phone == "disabled":
        member.active = False
        db.session.commit()
        phone = member.phone
    response = client.post("/api/v1/auth/token", json={"phone": phone, "password": "wrong-pass1"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_credentials"
    assert len(verify_calls) == 1
    page = client.post("/login", data={"phone": phone or "x", "password": "wrong-pass1"})
    assert page.status_code == 200 and len(verify_calls) == 2


def test_a_disabled_account_cannot_log_in_with_the_right_password(client, make_member):
    member = make_member()
    member.active = False
    db.session.commit()
    response = client.post("/api/v1/auth/token", json={"phone": member.phone,
                                                       "password": PASSWORD})
    assert response.status_code == 401


def test_argon2_runs_outside_any_transaction(app, client, make_member, verify_calls, monkeypatch):
    """On SQLite an open transaction holds the write lock: a first login's verify and rehash
    under it made logins under load fail with "database is locked"."""
    member = make_member()  # hashed with the test's light parameters
    hashed: list[bool] = []
    real_hash = PasswordHasher.hash

    def hash_(self, password, *, salt=None):
        hashed.append(db.session().in_transaction())
        return real_hash(self, password, salt=salt)

    monkeypatch.setattr(PasswordHasher, "hash", hash_)
    app.config["PASSWORD_TIME_COST"] = 2  # the stored hash is now stale: the login rehashes
    try:
        response = client.post("/login", data={"phone": member.phone, "password": PASSWORD})
    finally:
        app.config["PASSWORD_TIME_COST"] = 1
    assert response.status_code == 302
    assert verify_calls == [False] and hashed == [False]
    db.session.expire_all()
    assert "t=2" in member.password_hash
    assert client.get("/me").status_code == 200


def test_a_right_password_forgets_the_attempt(app, client, make_member):
    app.config["LOGIN_MAX_FAILURES_PER_IP"] = 3
    try:
        for _ in range(5):
            member = make_member()
            assert client.post("/api/v1/auth/token", json={
                "phone": member.phone, "password": PASSWORD}).status_code == 200
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_IP"] = 30


def test_a_burst_of_40_wrong_logins_reaches_the_hasher_exactly_5_times(app, make_member,
                                                                        verify_calls):
    """Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL (where count-then-insert
    without a lock let 6 through)."""
    phone = make_member().phone
    db.session.commit()  # reading the phone began a transaction: on SQLite, the write lock
    barrier = threading.Barrier(40)
    statuses: list[int] = []

    def run() -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post("/api/v1/auth/token",
                               json={"phone": phone, "password": "wrong-pass1"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=run) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(verify_calls) == 5
    assert sorted(statuses) == [401] * 5 + [429] * 35


def test_throttle_take_is_all_or_nothing(ctx):
    from datetime import timedelta

    from volunteer.core import throttle

    window = timedelta(minutes=5)
    assert throttle.take([("a", "k", 1), ("b", "k", 2)], window) is not None
    assert throttle.take([("a", "k", 1), ("b", "k", 2)], window) is None
    assert throttle.count_events("b", "k", window) == 1
    services.end_web_session(None)  # nothing to end: no error


@pytest.fixture
def register_limit(app):
    app.config["REGISTER_MAX_PER_IP"] = 3
    yield 3
    app.config["REGISTER_MAX_PER_IP"] = 10


def test_registration_is_rate_limited_per_ip_on_the_api(client, register_limit, make_member,
                                                        make_community, make_unit):
    from volunteer.auth.models import User

    taken, community, unit = make_member(), make_community(), make_unit()
    body = {"name": "试探者", "password": "Gu-li-2022x", "unit_id": unit.id,
            "community_id": community.id, "privacy_consent": True}
    for _ in range(register_limit):
        probe = client.post("/api/v1/members/register", json={**body, "phone": taken.phone})
        assert probe.status_code == 409 and probe.get_json()["error"]["code"] == "phone_taken"
    blocked = client.post("/api/v1/members/register", json={**body, "phone": "13900000001"})
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "too_many_requests"
    assert db.session.query(User).filter_by(phone="13900000001").first() is None
    other_ip = client.post("/api/v1/members/register", json={**body, "phone": "13900000001"},
                           environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other_ip.status_code == 201


def test_registration_is_rate_limited_per_ip_on_the_page(client, register_limit, make_member,
                                                         make_community, make_unit):
    taken, community, _unit = make_member(), make_community(), make_unit("南通大学")
    data = {"name": "试探者", "phone": taken.phone, "password": "Gu-li-2022x",
            "unit_name": "南通大学", "community_id": str(community.id), "privacy_consent": "y"}
    for _ in range(register_limit):
        page = client.post("/register", data=data)
        assert page.status_code == 200 and "该手机号已注册" in page.get_data(as_text=True)
    blocked = client.post("/register", data={**data, "phone": "13900000002"})
    assert blocked.status_code == 429 and "报到提交过于频繁" in blocked.get_data(as_text=True)
