"""Review figures on the hand-built district (tests/review/conftest.py) against hand values."""

import pytest

from volunteer.core.periods import parse_period
from volunteer.review import dashboard
from volunteer.review.services import ranked_members
from volunteer.stats import figures
from volunteer.stats.figures import activity, trends

from .conftest import local


@pytest.fixture
def q1():
    return parse_period("2026Q1")


def test_members_of_the_street_ranked_by_score(town, q1):
    rows = ranked_members(q1, street_id=town["s"].id)
    assert [r["name"] for r in rows] == ["顾丽", "吴强", "周荣祥", "陈静"]
    gu = rows[0]
    # the task ending 23:30 local on 31 March counts in Q1; the one at 00:30 on 1 April not
    assert gu["services"] == 3 and gu["hours"] == 5.0
    assert gu["avg_quality"] == round(14 / 3, 2) and gu["avg_satisfaction"] == 4.5
    assert gu["score"] == 94.3 and rows[1]["score"] == 65.7
    assert gu["requests"] == 2 and gu["avg_request_hours"] == 6.0
    assert [r["score"] for r in rows][3] == 0.0


def test_a_range_that_cuts_months_by_hand(town):
    """Read from service_days: 20–31 March holds 顾丽's services of the 20th (2 h) and of
    23:30 on the 31st (1 h), not the one at 00:30 on 1 April; 1 April alone holds that one."""
    rows = {r["name"]: r for r in ranked_members(parse_period("2026-03-20..2026-03-31"),
                                                 street_id=town["s"].id)}
    gu = rows["顾丽"]
    assert (gu["services"], gu["hours"], gu["avg_quality"]) == (2, 3.0, 4.5)
    assert rows["吴强"]["services"] == 0  # 9 March is before the range
    april = {r["name"]: r for r in ranked_members(parse_period("2026-04-01..2026-04-01"),
                                                  street_id=town["s"].id)}
    assert (april["顾丽"]["services"], april["顾丽"]["hours"]) == (1, 1.0)
    assert figures.category_rows(parse_period("2026-03-09..2026-03-10")) == [
        {"category": "checkpoint_duty", "label": "卡口值守", "services": 3, "hours": 4.0}]


def test_communities_of_the_street(town, q1):
    rows = figures.group_rows("community", q1, street_id=town["s"].id, now=local(2026, 4, 2))
    assert [r["name"] for r in rows] == ["虹桥社区", "公园社区"]  # B 83.7 before A 82.1
    b, a = rows
    assert (a["approved"], a["active"], a["participation"]) == (3, 2, 0.6667)
    assert (a["hours"], a["services"], a["score"]) == (9.0, 4, 82.1)
    assert a["avg_quality"] == 4.25 and a["avg_satisfaction"] == 4.0
    assert a["requests_handled"] == 2 and a["avg_request_hours"] == 6.0
    assert a["tasks_completed"] == 4  # three Q1 services of 顾丽 and one of 周荣祥
    assert (b["participation"], b["hours"], b["score"], b["rank"]) == (1.0, 2.0, 83.7, 1)


def test_scope_summary_and_charts(town, q1):
    scope = dashboard.get_scope("street", town["s"].id)
    total = dashboard.summary(scope, q1)
    assert (total["approved"], total["active"], total["hours"]) == (4, 3, 11.0)
    assert total["participation"] == 0.75
    charts = dashboard.charts(scope, q1)
    assert [m["month"] for m in charts["trend"]] == ["2026-01", "2026-02", "2026-03"]
    assert [m["hours"] for m in charts["trend"]] == [1.0, 4.0, 6.0]
    assert [m["active"] for m in charts["trend"]] == [1, 1, 2]
    assert charts["categories"] == [{"category": "checkpoint_duty", "label": "卡口值守",
                                     "services": 6, "hours": 11.0}]
    assert {p["name"]: p["participation"] for p in charts["participation"]} == {
        "公园社区": 0.6667, "虹桥社区": 1.0}


def test_unit_members_wherever_they_live(town, q1):
    scope = dashboard.get_scope("unit", town["school"].id)
    rows = dashboard.member_table(scope, q1, town["school_contact"])
    assert sorted(r["name"] for r in rows) == ["周荣祥", "李明", "顾丽"]
    assert all("****" in r["phone"] for r in rows)


def test_a_month_trend_shows_six_months(town):
    months = figures.trend_months(parse_period("2026-03"))
    assert [m.key for m in months] == ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02",
                                       "2026-03"]


def test_several_levels_in_one_pass_equal_each_alone(town, q1):
    now = local(2026, 4, 2)
    levels = ("branch", "community", "grid", "street", "unit")
    together = figures.group_rows_multi(levels, q1, now=now)
    for level in levels:
        assert together[level] == figures.group_rows(level, q1, now=now), level
    scoped = figures.group_rows_multi(("community", "branch"), q1, street_id=town["s"].id,
                                      now=now)
    assert scoped["community"] == figures.group_rows("community", q1, street_id=town["s"].id,
                                                     now=now)


def test_one_pass_categories_equal_the_direct_count(town, q1):
    for key in ("2026Q1", "2026-03", "2026", "2026-03-09..2026-03-20"):
        period = parse_period(key)
        for scope in ({}, {"community_id": town["a"].id}):
            _trend, categories = figures.trend_and_categories(period, scope)
            assert categories == figures.category_rows(period, scope), (key, scope)


def test_a_page_in_one_statement_equals_its_parts(town):
    now = local(2026, 4, 2)
    for key in ("2026Q1", "2026-03", "2026", "2026-03-09..2026-03-20", "2026-02-20..2026-04-10"):
        period = parse_period(key)
        for scope in ({}, {"street_id": town["s"].id}, {"community_id": town["a"].id},
                      {"unit_id": town["school"].id}):
            levels = ("community", "unit") if not scope else ("community",)
            tables, trend, categories = figures.page_figures(levels, period, now=now, **scope)
            assert (trend, categories) == figures.trend_and_categories(period, scope), key
            for level in levels:
                assert tables[level] == figures.group_rows(level, period, now=now, **scope)
            alone, no_trend, no_categories = figures.page_figures(levels, period, now=now,
                                                                   charts=False, **scope)
            assert alone == tables and no_trend is None and no_categories is None


def test_the_summaries_give_the_figures_of_the_claims(town, monkeypatch):
    """The district's charts read month_totals; months, quarters, half-years and years read
    member_periods, other whole-month ranges service_months, the rest service_days: forcing
    each slower path changes nothing."""
    now = local(2026, 4, 2)
    cases = [(key, scope) for key in ("2026Q1", "2026-03", "2026", "2026H1")
             for scope in ({}, {"street_id": town["s"].id}, {"community_id": town["a"].id},
                           {"unit_id": town["school"].id})]
    levels = ("street", "community", "grid", "branch", "unit")

    def figures_of(key, scope):
        period = parse_period(key)
        return (figures.member_rows(period, **scope),
                figures.page_figures(levels, period, now=now, charts=False, **scope)[0],
                figures.trend_and_categories(period, scope))

    from_periods = {(key, str(scope)): figures_of(key, scope) for key, scope in cases}
    assert from_periods[("2026Q1", "{}")][0]  # members with figures: not comparing nothing
    assert from_periods[("2026Q1", "{}")][2][1]  # categories too
    monkeypatch.setattr(trends, "_whole_district", lambda scope: False)  # not month_totals
    for key, scope in cases:
        assert figures_of(key, scope) == from_periods[(key, str(scope))], ("members", key, scope)
    monkeypatch.setattr(activity, "PERIOD_KINDS", ())  # groups read their rows through it
    for key, scope in cases:
        assert figures_of(key, scope) == from_periods[(key, str(scope))], ("months", key, scope)
    for module in (activity, trends):
        monkeypatch.setattr(module, "whole_months", lambda period: False)
    for key, scope in cases:
        assert figures_of(key, scope) == from_periods[(key, str(scope))], ("days", key, scope)


def test_monthly_trend_by_hand(town):
    trend, _categories = figures.trend_and_categories(parse_period("2026Q1"))
    assert [(m["month"], m["services"], m["hours"], m["active"]) for m in trend] == [
        ("2026-01", 1, 1.0, 1), ("2026-02", 1, 4.0, 1), ("2026-03", 5, 7.0, 3)]


def test_a_member_who_changes_grid_keeps_past_hours_in_the_old_one(town, q1, make_grid,
                                                                    monkeypatch):
    """Hours stay where they were earned: changing grid moves none of Q1's services."""
    from volunteer.extensions import db
    from volunteer.members.services import update_profile

    north, south = make_grid(community=town["a"]), make_grid(community=town["a"])
    now = local(2026, 4, 2)

    def by_grid():
        return [(r["id"], r["services"], r["hours"], r["active"]) for r in
                figures.group_rows("grid", q1, community_id=town["a"].id, now=now)]

    def community_row():
        (row,) = [r for r in figures.group_rows("community", q1, now=now)
                  if r["id"] == town["a"].id]
        return row["services"], row["hours"], row["active"]

    before, community = by_grid(), community_row()
    assert community[0] > 0
    for grid in (north, south):
        update_profile(town["gu"], grid_id=grid.id)
        db.session.commit()
        assert by_grid() == before and community_row() == community
    assert [r for r in before if r[0] in (north.id, south.id)] == [
        (north.id, 0, 0.0, 0), (south.id, 0, 0.0, 0)]
    monkeypatch.setattr(activity, "PERIOD_KINDS", ())  # the summed-rows path agrees
    assert by_grid() == before


def test_the_member_table_ranks_and_sorts_as_the_row_dicts_do(town, q1, make_member,
                                                               make_service):
    """``MemberTable`` builds rows only when read; its scores, ranks and every column's order
    (both ways, ties included) equal those of the full row dicts ranked and sorted by
    ``sort_rows``."""
    for number in range(4):  # members tied on every figure, and on hours alone
        twin = make_member(town["c"], name=f"并列{number}", phone=f"1390000011{number}")
        twin.created_at = local(2025, 12, 1)
        make_service(twin, local(2026, 2, 2 + number, 12), minutes=60,
                     quality=4 if number % 2 else None)
    scope = dashboard.get_scope("district", None)
    table = dashboard.member_table(scope, q1, town["secretary"])
    rows = list(table)  # all rows, in rank order
    assert [r["name"] for r in rows] == [r["name"] for r in ranked_members(q1)]
    assert {r["id"]: r["score"] for r in rows} == {r["id"]: r["score"]
                                                   for r in ranked_members(q1)}
    shown = {r["name"]: r["phone"] for r in rows}
    assert shown["顾丽"] == "13900000001" and shown["吴强"] == "139****0004"  # other community
    for key, _label in dashboard.MEMBER_COLUMNS:
        for descending in (True, False):
            lazy = dashboard.sort_rows(table, "member", key, descending)
            eager = dashboard.sort_rows(rows, "member", key, descending)
            assert [r["id"] for r in lazy] == [r["id"] for r in eager], (key, descending)
    assert dashboard.sort_rows(table, "member", "nonsense", True)[:2] == rows[:2]
    fresh = dashboard.member_table(scope, q1, town["secretary"])  # a page read first
    assert fresh[1:3] == rows[1:3] and fresh[-1] == rows[-1] and len(fresh) == len(rows)
    assert list(fresh) == rows


def test_sorting_by_a_column_breaks_ties_by_rank():
    rows = [{"id": rank, "rank": rank, "hours": hours, "name": name}
            for rank, hours, name in ((3, None, "乙"), (1, 3.0, "乙"), (5, 3.0, "甲"),
                                      (2, 3.0, "甲"), (4, 1.0, "丙"))]

    def ranks(sort, descending):
        return [r["rank"] for r in dashboard.sort_rows(rows, "community", sort, descending)]

    assert ranks("hours", True) == [1, 2, 5, 4, 3]  # ties: the better rank first
    assert ranks("hours", False) == [4, 5, 2, 1, 3]  # ties: the worse rank first
    assert ranks("name", False) == [4, 1, 3, 2, 5]  # 丙 < 乙 < 甲 by code point; ties by rank
    assert ranks("name", True) == [2, 5, 1, 3, 4]
    assert ranks("rank", True) == [5, 4, 3, 2, 1] and ranks(None, True) == [1, 2, 3, 4, 5]
