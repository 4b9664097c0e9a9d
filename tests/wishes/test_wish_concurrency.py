"""Concurrency on PostgreSQL: twenty members press "claim" on one wish at the same moment; one
member releases several claims at once; a release and an acceptance cross."""

import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from volunteer.extensions import db
from volunteer.wishes import services
from volunteer.wishes.models import Wish, WishClaim

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only(db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("concurrency tests need PostgreSQL (set TEST_DATABASE_URL)")


def fire(app, path: str | list[str], headers: list[dict],
         method: str | list[str] = "post") -> list[tuple[int, str | None]]:
    """Send ``path`` (or ``path[i]``) from one thread and client per header, all at once."""
    barrier = threading.Barrier(len(headers))
    results: list = [None] * len(headers)
    paths = path if isinstance(path, list) else [path] * len(headers)
    methods = method if isinstance(method, list) else [method] * len(headers)

    def run(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.open(paths[index], method=methods[index].upper(),
                               headers=headers[index])
        body = response.get_json() or {}
        results[index] = (response.status_code, (body.get("error") or {}).get("code"))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(headers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def claims_of(wish_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(WishClaim).where(
        WishClaim.wish_id == wish_id))


def test_twenty_members_one_wish_one_claim(app, area, make_wish, make_member, token_for):
    wish = make_wish()
    headers = [token_for(make_member(community=area.community)) for _ in range(20)]
    tally = Counter(fire(app, f"/api/v1/wishes/{wish.id}/claim", headers))
    assert tally[(201, None)] == 1, tally
    assert tally[(409, "wish_taken")] == 19, tally
    assert claims_of(wish.id) == 1
    row = db.session.get(Wish, wish.id)
    assert row.claims_taken == 1 and row.status == "claimed"


def test_group_wish_of_three_under_a_rush(app, area, make_wish, make_member, token_for):
    wish = make_wish(group=True, max_claimants=3)
    headers = [token_for(make_member(community=area.community)) for _ in range(20)]
    tally = Counter(fire(app, f"/api/v1/wishes/{wish.id}/claim", headers))
    assert tally[(201, None)] == 3, tally
    assert tally[(409, "wish_taken")] == 17, tally
    assert claims_of(wish.id) == 3


def test_one_member_pressing_twice_at_once(app, area, make_wish, member, token_for):
    wish = make_wish(group=True, max_claimants=5)
    headers = [token_for(member)] * 6
    tally = Counter(fire(app, f"/api/v1/wishes/{wish.id}/claim", headers))
    assert tally[(201, None)] == 1, tally
    assert claims_of(wish.id) == 1
    assert db.session.get(Wish, wish.id).claims_taken == 1


def test_releases_pressed_at_once_stay_within_the_limit(app, area, make_wish, member, token_for):
    wishes = [make_wish(claimant=member) for _ in range(5)]
    header = token_for(member)
    tally = Counter(fire(app, [f"/api/v1/wishes/{w.id}/claim" for w in wishes], [header] * 5,
                         method="delete"))
    assert tally[(200, None)] == services.release_limit() == 2, tally
    assert tally[(409, "release_limit")] == 3, tally
    db.session.expire_all()
    assert services.count_recent_releases(member) == 2
    assert sum(db.session.get(Wish, w.id).claims_taken for w in wishes) == 3


def test_a_release_and_an_acceptance_cross(app, area, make_wish, make_member, token_for):
    for _ in range(5):
        member = make_member(community=area.community)
        wish = make_wish(claimant=member, accepted=False)
        tally = Counter(fire(app, [f"/api/v1/wishes/{wish.id}/claim",
                                   f"/api/v1/wishes/{wish.id}/claim/accept"],
                             [token_for(member), token_for(area.secretary)],
                             method=["delete", "post"]))
        db.session.expire_all()
        row = db.session.get(Wish, wish.id)
        states = [c.state for c in row.claim_rows]
        assert 500 not in {status for status, _code in tally}, tally
        if states == ["released"]:
            assert row.claims_taken == 0 and row.status == "published"
        else:
            assert states == ["accepted"] and row.claims_taken == 1, (states, tally)
