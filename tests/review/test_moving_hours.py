"""Hours stay where they were earned (SPEC.md, "Two rules"): a member who moves house, changes
grid, unit or branch after serving leaves last quarter's bulletin, dashboards and rankings as
they were, while their new services count in the new place."""

import json
from datetime import timedelta

import pytest

from tests.reports.conftest import make_claimed_task  # noqa: F401  (a fixture, shared)
from volunteer.core.periods import parse_period
from volunteer.extensions import db
from volunteer.members.services import move_member
from volunteer.reports.content import half_year_summary, quarterly_bulletin
from volunteer.review.services import ranked_members
from volunteer.stats import figures
from volunteer.stats.figures import activity

from .conftest import local

LEVELS = ("street", "community", "grid", "unit", "branch")


def snapshot(town, key: str) -> str:
    """Everything the past period shows: bulletin content and recipients, the dashboards'
    group tables (district and each scope), the member rankings and the half-year summary."""
    period, now = parse_period(key), local(2026, 7, 2)
    shared, recipients = quarterly_bulletin(period, now) if key.find("Q") > 0 else (
        half_year_summary(period, now))
    scopes = ({}, {"street_id": town["s"].id}, {"community_id": town["a"].id},
              {"unit_id": town["school"].id}, {"branch_id": town["branch"].id},
              {"community_id": town["c"].id})
    return json.dumps({
        "shared": shared,
        "recipients": sorted((r["user_id"], r["body"], r["payload"]) for r in recipients),
        "tables": [figures.page_figures(LEVELS, period, now=now, **scope) for scope in scopes],
        "ranked": [ranked_members(period, **scope) for scope in scopes],
    }, default=str, sort_keys=True, ensure_ascii=False)


@pytest.fixture
def served(town, make_grid, make_service):
    """顾丽 of 公园社区 (和平桥街道), 南通市第二中学, its branch: her Q1 is in the town fixture."""
    town["a_grid"] = make_grid(community=town["a"], name="公园一村网格")
    town["c_grid"] = make_grid(community=town["c"], name="幸福一村网格")
    return town


@pytest.mark.parametrize("change", ["community", "grid_and_unit", "branch"])
def test_a_move_leaves_last_quarter_as_it_was(served, change, make_service, monkeypatch):
    town, gu = served, served["gu"]
    before = {key: snapshot(town, key) for key in ("2026Q1", "2026H1")}
    if change == "community":
        move_member(gu, community_id=town["c"].id, grid_id=town["c_grid"].id,
                    unit_id=town["hospital"].id, now=local(2026, 7, 1, 9))
        assert gu.status == "pending" and gu.branch_id is None
    elif change == "grid_and_unit":
        move_member(gu, grid_id=town["a_grid"].id, unit_id=town["hospital"].id,
                    now=local(2026, 7, 1, 9))
        assert gu.status == "approved"
    else:  # a branch change (the branch placement is another feature's): the same signal
        from volunteer.core import signals

        signals.member_moving.send(gu, now=local(2026, 7, 1, 9))
        gu.branch_id = None
    db.session.commit()
    for key, old in before.items():
        assert snapshot(town, key) == old, key
    monkeypatch.setattr(activity, "PERIOD_KINDS", ())  # summed from months: the same figures
    assert snapshot(town, "2026Q1") == before["2026Q1"]


def test_new_services_count_in_the_new_place(served, make_service):
    town, gu = served, served["gu"]
    move_member(gu, community_id=town["c"].id, grid_id=town["c_grid"].id,
                unit_id=town["hospital"].id, now=local(2026, 7, 1, 9))
    db.session.commit()
    make_service(gu, local(2026, 7, 10, 12), minutes=90, quality=4)
    q3, now = parse_period("2026Q3"), local(2026, 10, 2)
    tables = figures.page_figures(LEVELS, q3, now=now, charts=False)[0]

    def row(level, place):
        (found,) = [r for r in tables[level] if r["id"] == place.id] or [None]
        return found and (found["services"], found["hours"], found["active"])

    assert row("community", town["c"]) == (1, 1.5, 1)
    assert row("grid", town["c_grid"]) == (1, 1.5, 1)
    assert row("street", town["t"]) == (1, 1.5, 1)
    assert row("unit", town["hospital"]) == (1, 1.5, 1)
    assert row("community", town["a"]) == (0, 0.0, 0)
    assert row("unit", town["school"]) in (None, (0, 0.0, 0))
    # Q1 still counts her in 公园社区, 2026 both places
    year = {r["id"]: r["services"] for r in figures.group_rows("community", parse_period("2026"),
                                                                 now=now)}
    assert year[town["c"].id] == 2 and year[town["a"].id] >= 4


def test_a_service_over_before_the_move_but_confirmed_after_counts_where_it_was(
        served, make_claimed_task):  # noqa: F811
    from volunteer.stats.models import MemberPeriod
    from volunteer.tasks import services as tasks

    town, gu = served, served["gu"]
    claim = make_claimed_task(gu, local(2026, 6, 30, 9))
    move_member(gu, community_id=town["c"].id, now=local(2026, 7, 1, 9))
    db.session.commit()
    assert claim.member_community_id == town["a"].id  # placed before the move
    secretary = db.session.get(type(gu), claim.task.created_by_id)
    tasks.confirm_claim(secretary, claim, quality=4, hours=1, reason="未签到，按实际补录",
                        now=claim.task.ends_at + timedelta(days=2))
    db.session.commit()
    rows = db.session.execute(db.select(MemberPeriod.community_id).where(
        MemberPeriod.member_id == gu.id, MemberPeriod.period == "2026-06")).scalars().all()
    assert rows == [town["a"].id]
