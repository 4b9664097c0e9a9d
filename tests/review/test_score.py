"""The evaluation score: pure functions checked against values worked out by hand."""

import pytest

from volunteer.review.score import bayesian_average, rank_rows, scope_mean, score_rows


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
    assert [r["rank"] for r in ranked] == [1, 2, 3, 4]


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
