"""More than one machine, on real parts: nginx in front of two gunicorn instances, a PostgreSQL
primary and a streaming replica made with ``pg_basebackup -R``, all started here on free ports
and removed afterwards (tests/ops/stack.py).

Through nginx: a claim rush fills exactly the slots; the dashboards and ``/api/v1/stats`` are
served from the replica; a login on one instance holds on the other; the login throttle counts
across both. Marked ``scaleout`` and skipped unless ``SCALEOUT_TESTS=1`` (``.ci/run`` sets it).
"""

import http.cookiejar
import json
import os
import re
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.core.test_outage import _get, _opener
from tests.ops.stack import PASSWORD, Stack, missing_parts
from volunteer.core.replica import APPLICATION_NAME

ENABLED = os.environ.get("SCALEOUT_TESTS") == "1"
MEMBERS, SLOTS = 200, 12

pytestmark = [
    pytest.mark.scaleout, pytest.mark.postgres,
    pytest.mark.skipif(not ENABLED, reason="scale-out tests run only with SCALEOUT_TESTS=1"),
]


@pytest.fixture(scope="module")
def stack():
    if missing_parts():
        pytest.fail(f"SCALEOUT_TESTS=1 but {missing_parts()}", pytrace=False)
    built = Stack()
    try:
        built.start_databases()
        built.migrate_and_seed(MEMBERS, SLOTS)
        built.wait_for_replay()
        first, second = built.start_gunicorn(), built.start_gunicorn()
        built.start_nginx([first, second])
        built.ports = (first, second)
        yield built
    finally:
        built.close()


def _base(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _login(opener, base: str, phone: str, password: str = PASSWORD) -> int:
    _status, _headers, body = _get(opener, f"{base}/login")
    csrf = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body).group(1).decode()
    form = urllib.parse.urlencode({"csrf_token": csrf, "phone": phone, "password": password})
    return _get(opener, f"{base}/login", data=form.encode())[0]


def test_the_parts_are_real(stack):
    with psycopg.connect(stack.replica.url(), autocommit=True) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0] is True
    with psycopg.connect(stack.primary.url(), autocommit=True) as conn:
        assert conn.execute("SELECT state FROM pg_stat_replication").fetchall() == [
            ("streaming",)]
    status, headers, _body = _get(_opener(), f"{_base(stack.nginx_port)}/readyz")
    assert status == 200 and headers["X-Upstream"].startswith("127.0.0.1:")


def test_a_claim_rush_through_nginx_fills_exactly_the_slots(stack):
    base, task_id = _base(stack.nginx_port), stack.seeded["tasks"][0]

    def claim(token: str) -> tuple[int, str, str]:
        opener = _opener()
        status, headers, body = _get(opener, f"{base}/api/v1/tasks/{task_id}/claim",
                                     {"Authorization": f"Bearer {token}"}, data=b"")
        code = json.loads(body)["error"]["code"] if status >= 400 else ""
        return status, code, headers.get("X-Upstream", "")

    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(claim, stack.seeded["tokens"]))
    outcomes = Counter((status, code) for status, code, _upstream in answers)
    assert outcomes[(201, "")] == SLOTS, outcomes
    assert sum(n for (status, _code), n in outcomes.items() if status == 409) == \
        MEMBERS - SLOTS, outcomes
    assert {code for (status, code) in outcomes if status == 409} <= {"task_full"}
    assert len({upstream for *_rest, upstream in answers}) == 2  # both instances answered
    with psycopg.connect(stack.primary_url(), autocommit=True) as conn:
        live, taken = conn.execute(
            "SELECT (SELECT count(*) FROM claims WHERE task_id = %s AND status = 'claimed'),"
            " slots_taken FROM tasks WHERE id = %s", (task_id, task_id)).fetchone()
    assert (live, taken) == (SLOTS, SLOTS)


def test_dashboards_and_stats_are_served_from_the_replica(stack):
    base = _base(stack.nginx_port)
    pages = _opener(http.cookiejar.CookieJar())
    assert _login(pages, base, stack.seeded["admin_phone"]) == 302
    with psycopg.connect(stack.replica.url(), autocommit=True) as replica:
        for path in ("/review/district", "/review/district?table=member"):
            status, headers, body = _get(pages, base + path)
            assert status == 200, body[:300]
            assert headers["X-Database"] == "replica", path
            assert "大庆社区" in body.decode() or "任港街道" in body.decode()
        bearer = {"Authorization": f"Bearer {stack.seeded['admin_token']}"}
        status, headers, body = _get(_opener(), f"{base}/api/v1/stats?level=community", bearer)
        assert status == 200 and headers["X-Database"] == "replica", body[:300]
        assert json.loads(body)["items"][0]["name"] == "大庆社区"
        # the replica itself ran the dashboards' queries, on the app's reader connections
        readers = replica.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND datname = %s",
            (APPLICATION_NAME, "tt_scaleout")).fetchone()[0]
        assert readers >= 1
    # one entry per statement (continuation lines begin with a tab), prefixed by its application
    entries = re.split(r"\n(?!\t)", stack.replica_log())
    ran = [e for e in entries if e.startswith(f"{APPLICATION_NAME} LOG:") and "member_periods" in e]
    assert ran, stack.replica_log()[-3000:]
    # a member's own pages, and every write, stay on the primary
    status, headers, _body = _get(pages, f"{base}/inbox")
    assert status == 200 and headers["X-Database"] == "primary"


def test_a_login_on_one_instance_holds_on_the_other(stack):
    first, second = stack.ports
    jar = http.cookiejar.CookieJar()
    pages = _opener(jar)
    assert _login(pages, _base(stack.nginx_port), stack.seeded["member_phone"]) == 302
    for port in (first, second):  # the cookie made through nginx, sent to each instance
        status, _headers, body = _get(pages, f"{_base(port)}/me")
        assert status == 200, (port, status, body[:200])
    jar = http.cookiejar.CookieJar()
    pages = _opener(jar)
    assert _login(pages, _base(first), stack.seeded["admin_phone"]) == 302
    status, _headers, _body = _get(pages, f"{_base(second)}/review/district")
    assert status == 200
    anonymous = _get(_opener(), f"{_base(second)}/me")
    assert anonymous[0] == 302 and "/login" in anonymous[1]["Location"]


def test_the_login_throttle_holds_across_both_instances(stack):
    first, second = stack.ports
    phone = stack.seeded["throttled_phone"]

    def token(port: int, password: str) -> tuple[int, str]:
        status, _headers, body = _get(
            _opener(), f"{_base(port)}/api/v1/auth/token", {"Content-Type": "application/json"},
            data=json.dumps({"phone": phone, "password": password}).encode())
        return status, json.loads(body).get("error", {}).get("code", "")

    for attempt in range(5):  # five failures for one phone, spread over both instances
        assert token((first, second)[attempt % 2], "wrong-password")[0] == 401
    for port in (first, second, stack.nginx_port):  # now locked everywhere, right password too
        assert token(port, PASSWORD) == (429, "too_many_requests"), port
    pages = _opener(http.cookiejar.CookieJar())
    assert _login(pages, _base(second), phone) == 429  # the login page is locked as well
    assert _get(pages, f"{_base(first)}/me")[0] == 302  # and no session was opened
