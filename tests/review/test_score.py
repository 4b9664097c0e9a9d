"""The evaluation score: pure functions checked against values worked out by hand."""

import pytest

from volunteer.stats.score import (
    bayesian_average,
    rank_rows,
    scope_mean,
    score_rows,
    shared_ranks,
)


def row(id, services, hours, q=(0, 0), s=(0, 0), approved=None):
    return {"id": id, "services": services, "hours": hours, "quality_sum": q[0],
            "quality_n": q[1], "satisfaction_sum": s[0], "satisfaction_n": s[1],
            "approved": approved}


def street_members():
    # the members of the hand-built street (tests/review/conftest.py), Q1 2026
    return [row(1, 3, 5.0, (14, 3), (9, 2)), row(2, 1, 4.0, (3, 1), (3, 1)),
            row(3, 0, 0.0), row(4, 2, 2.0, (8, 2), (10, 2))]


def test_bayesian_average_shrinks_few_ratings_toward_the_mean():
    assert bayesian_average(5, 1, 4.0) == pytest.approx((5 + 3 * 4.0) / 4)  # 4.25
    assert bayesian_average(50, 10, 4.0) == pytest.approx(62 / 13)
    assert bayesian_average(0, 0, 4.0) == 4.0
    assert bayesian_average(9, 2, None) == 4.5 and bayesian_average(0, 0, None) is None


def test_scope_mean_pools_every_rating():
    rows = street_members()
    assert scope_mean(rows, "quality") == pytest.approx(25 / 6)
    assert scope_mean(rows, "satisfaction") == pytest.approx(22 / 5)


def test_member_scores_by_hand():
    rows = {r["id"]: r for r in score_rows(street_members())}
    # member 1: services 3/3, hours 5/5, quality (14 + 12.5)/6 = 4.4167, satisfaction
    # (9 + 13.2)/5 = 4.44 → 100·(.3 + .3 + .2·.85417 + .2·.86) = 94.28
    assert rows[1]["score"] == 94.3
    # member 2: 1/3, 4/5, (3 + 12.5)/4 = 3.875, (3 + 13.2)/4 = 4.05 → 63.625
    assert abs(rows[2]["score"] - 63.625) <= 0.05
    # member 4: 2/3, 2/5, (8 + 12.5)/5 = 4.1, (10 + 13.2)/5 = 4.64 → 65.7
    assert rows[4]["score"] == 65.7
    assert rows[3]["score"] == 0.0


def test_rank_order_weighs_quality_and_satisfaction():
    ranked = rank_rows(street_members())
    assert [r["id"] for r in ranked] == [1, 4, 2, 3]  # 4 beats 2 despite half the hours
    assert [r["rank"] for r in ranked] == [1, 2, 3, None]  # member 3 served nothing: 未参与


def test_groups_are_scored_per_approved_member():
    # communities A (3 approved) and B (1 approved) of the hand-built street
    a = row(10, 4, 9.0, (17, 4), (12, 3), approved=3)
    b = row(11, 2, 2.0, (8, 2), (10, 2), approved=1)
    ranked = rank_rows([a, b], per_member=True)
    scores = {r["id"]: r["score"] for r in ranked}
    # A: services 1.333/2, hours 3/3, quality 29.5/7 = 4.2143, satisfaction 25.2/6 = 4.2
    assert scores[10] == 82.1
    # B: services 2/2, hours 2/3, quality 4.1, satisfaction 4.64
    assert scores[11] == 83.7
    assert [r["id"] for r in ranked] == [11, 10]


def test_ties_and_empty_scopes():
    assert rank_rows([]) == []
    same = rank_rows([row(2, 1, 1.0), row(1, 1, 1.0)])
    assert [r["id"] for r in same] == [1, 2]  # no ratings anywhere: equal scores, by id
    assert same[0]["score"] == 60.0


def _reference_scores(rows: list[dict], per_member: bool) -> list[float]:
    """The formula written plainly, row by row, with ``bayesian_average`` and ``scope_mean``."""
    def volume(row, key):
        value = float(row.get(key) or 0)
        if not per_member:
            return value
        members = int(row.get("approved") or 0)
        return value / members if members else 0.0

    means = {name: scope_mean(rows, name) for name in ("quality", "satisfaction")}
    top_services = max((volume(r, "services") for r in rows), default=0.0)
    top_hours = max((volume(r, "hours") for r in rows), default=0.0)
    scores = []
    for row in rows:
        if not row.get("services"):
            scores.append(0.0)
            continue
        total = (0.3 * (volume(row, "services") / top_services if top_services else 0.0)
                 + 0.3 * (volume(row, "hours") / top_hours if top_hours else 0.0))
        for name in ("quality", "satisfaction"):
            average = bayesian_average(float(row.get(f"{name}_sum") or 0),
                                       int(row.get(f"{name}_n") or 0), means[name])
            total += 0.2 * ((average - 1) / 4 if average is not None else 0.0)
        scores.append(round(100 * total, 1))
    return scores


@pytest.mark.parametrize("per_member", [False, True])
def test_the_column_formula_equals_the_plain_one_exactly(per_member):
    import random

    generator = random.Random(2026)
    for _trial in range(200):
        rows = []
        for number in range(generator.randint(0, 40)):
            services = generator.choice([0, 0, 1, 2, 3, 7, 12])
            rated = generator.randint(0, services)
            rows.append({"id": number, "services": services,
                         "hours": round(generator.randint(0, 900) / 60, 1) if services else 0.0,
                         "approved": generator.randint(0, 30),
                         "quality_sum": float(sum(generator.randint(1, 5) for _ in range(rated))),
                         "quality_n": rated,
                         "satisfaction_sum": float(3 * (rated // 2)),
                         "satisfaction_n": rated // 2})
        expected = _reference_scores(rows, per_member)
        assert [r["score"] for r in score_rows(rows, per_member=per_member)] == expected


def test_ties_share_a_rank_and_nothing_to_rank_is_not_ranked():
    # competition ranking: 1 + the number with a strictly higher score
    assert shared_ranks([90.0, 80.0, 80.0, 70.0], [1, 1, 1, 1]) == [1, 2, 2, 4]
    assert shared_ranks([80.0, 90.0, 80.0], [2, 1, 3]) == [2, 1, 2]
    # without service there is nothing to rank (未参与), whatever the score says
    assert shared_ranks([0.0, 0.0, 50.0], [0, 0, 1]) == [None, None, 1]
    assert shared_ranks([0.0, 0.0], [0, 0]) == [None, None]
    assert shared_ranks([], []) == []


def test_equal_scores_share_a_rank_listed_by_hours():
    # no ratings anywhere, same services and hours: the same score and the same rank
    ranked = rank_rows([row(2, 1, 1.0), row(1, 1, 1.0), row(3, 0, 0.0)])
    assert [(r["id"], r["rank"]) for r in ranked] == [(1, 1), (2, 1), (3, None)]


def test_a_community_without_service_is_not_ranked_within_its_street():
    rows = [dict(row(10, 0, 0.0, approved=5), parent_id=1),
            dict(row(11, 2, 3.0, approved=2), parent_id=1),
            dict(row(12, 2, 3.0, approved=2), parent_id=1),
            dict(row(13, 1, 1.0, approved=4), parent_id=2)]
    ranked = {r["id"]: r for r in rank_rows(rows, per_member=True, within="parent_id")}
    assert ranked[10]["rank"] is None and ranked[10]["rank_in_parent"] is None
    assert (ranked[11]["rank_in_parent"], ranked[12]["rank_in_parent"]) == (1, 1)
    assert (ranked[11]["rank"], ranked[12]["rank"], ranked[13]["rank"]) == (1, 1, 3)
    assert ranked[13]["rank_in_parent"] == 1
