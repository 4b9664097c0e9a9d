"""The service summaries (service_days, service_months, member_periods, month_totals) follow
every change the tasks service makes."""

import random
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.reports.conftest import make_service  # noqa: F401  (a fixture, shared)
from volunteer.core.periods import containing, local_date
from volunteer.extensions import db
from volunteer.stats import summaries as summary
from volunteer.stats.models import MemberPeriod, MonthTotal, ServiceDay, ServiceMonth
from volunteer.tasks import services

CST = timezone(timedelta(hours=8))


def rows() -> list[tuple]:
    return [tuple(r) for r in db.session.execute(select(
        ServiceMonth.month, ServiceMonth.member_id, ServiceMonth.category, ServiceMonth.services,
        ServiceMonth.minutes, ServiceMonth.quality_sum, ServiceMonth.quality_n,
        ServiceMonth.satisfaction_sum, ServiceMonth.satisfaction_n,
    ).order_by(ServiceMonth.month, ServiceMonth.member_id, ServiceMonth.category))]


def day_rows() -> list[tuple]:
    return [tuple(r) for r in db.session.execute(select(
        ServiceDay.day, ServiceDay.member_id, ServiceDay.category, ServiceDay.services,
        ServiceDay.minutes, ServiceDay.quality_sum, ServiceDay.quality_n,
        ServiceDay.satisfaction_sum, ServiceDay.satisfaction_n,
    ).order_by(ServiceDay.day, ServiceDay.member_id, ServiceDay.category))]


def period_rows() -> set[tuple]:
    return {tuple(r) for r in db.session.execute(select(
        MemberPeriod.period, MemberPeriod.member_id, MemberPeriod.services, MemberPeriod.minutes,
        MemberPeriod.quality_sum, MemberPeriod.quality_n, MemberPeriod.satisfaction_sum,
        MemberPeriod.satisfaction_n))}


def total_rows() -> list[tuple]:
    return [tuple(r) for r in db.session.execute(select(
        MonthTotal.month, MonthTotal.category, MonthTotal.services, MonthTotal.minutes,
        MonthTotal.members).order_by(MonthTotal.month, MonthTotal.category))]


def month_of(task) -> int:
    local = task.ends_at.astimezone(CST)
    return local.year * 100 + local.month


def served(member, task):
    services.check_in(member, task, now=task.starts_at)
    return services.check_out(member, task, now=task.ends_at)


def test_confirm_rate_adjust_and_no_show_keep_the_row_current(
        ctx, make_task, make_member, community, member, secretary, claim_for):
    task = make_task(starts_in=-4, hours=2)
    other = make_member(community=community)
    claim = claim_for(member, task)
    absent = claim_for(other, task)
    served(member, task)
    db.session.commit()
    assert rows() == []  # checked out but not confirmed: not a service yet
    services.confirm_claim(secretary, claim, quality=4)
    db.session.commit()
    month = month_of(task)
    assert rows() == [(month, member.id, "disinfection", 1, 120, 4, 1, 0, 0)]
    day = int(f"{task.ends_at.astimezone(CST):%Y%m%d}")
    assert day_rows() == [(day, member.id, "disinfection", 1, 120, 4, 1, 0, 0)]
    # the same sums under the month, quarter, half-year and year that hold it
    local = task.ends_at.astimezone(CST)
    keys = {f"{local:%Y-%m}", f"{local.year}Q{(local.month - 1) // 3 + 1}",
            f"{local.year}H{1 if local.month <= 6 else 2}", str(local.year)}
    assert period_rows() == {(key, member.id, 1, 120, 4, 1, 0, 0) for key in keys}
    assert total_rows() == [(month, "", 1, 120, 1), (month, "disinfection", 1, 120, 1)]
    services.rate_satisfaction(secretary, claim, satisfaction=5)
    services.confirm_claim(secretary, claim, quality=5, hours=1.5, reason="提前离开")
    db.session.commit()
    assert rows() == [(month, member.id, "disinfection", 1, 90, 5, 1, 5, 1)]
    assert day_rows() == [(day, member.id, "disinfection", 1, 90, 5, 1, 5, 1)]
    assert period_rows() == {(key, member.id, 1, 90, 5, 1, 5, 1) for key in keys}
    services.mark_no_show(secretary, absent)
    db.session.commit()
    assert [r[1] for r in rows()] == [member.id]  # a no-show is not a service
    assert [r[1] for r in day_rows()] == [member.id]
    assert total_rows() == [(month, "", 1, 90, 1), (month, "disinfection", 1, 90, 1)]
    before = day_rows(), rows(), period_rows(), total_rows()
    summary.rebuild()
    db.session.commit()
    assert (day_rows(), rows(), period_rows(), total_rows()) == before


def test_rebuild_months_and_connection(ctx, make_task, member, secretary, claim_for):
    task = make_task(starts_in=-4, hours=2)
    claim = claim_for(member, task)
    served(member, task)
    services.confirm_claim(secretary, claim, quality=3)
    db.session.commit()
    expected = day_rows(), rows(), period_rows()
    assert expected[0]
    for table in (ServiceDay, ServiceMonth, MemberPeriod):
        db.session.execute(table.__table__.delete())
    db.session.commit()
    with db.engine.begin() as connection:
        assert summary.rebuild(connection=connection) == 1
    assert (day_rows(), rows(), period_rows()) == expected
    for table in (ServiceDay, ServiceMonth, MemberPeriod):
        db.session.execute(table.__table__.delete())
    month = containing("month", local_date(task.ends_at))
    assert summary.rebuild([month.previous()]) == 0
    assert summary.rebuild([month]) == 1
    assert (day_rows(), rows(), period_rows()) == expected


def test_month_boundaries_in_local_time(ctx, make_member, make_service):  # noqa: F811
    member = make_member()
    make_service(member, datetime(2026, 3, 31, 23, 30, tzinfo=CST))
    make_service(member, datetime(2026, 4, 1, 0, 30, tzinfo=CST))
    make_service(member, datetime(2026, 3, 15, 23, 59, 59, tzinfo=CST))
    make_service(member, datetime(2026, 3, 16, 0, 0, tzinfo=CST))
    assert [(r[0], r[3]) for r in rows()] == [(202603, 3), (202604, 1)]
    assert [(r[0], r[3]) for r in day_rows()] == [
        (20260315, 1), (20260316, 1), (20260331, 1), (20260401, 1)]
    assert sorted((key, services) for key, _m, services, *_ in period_rows()) == [
        ("2026", 4), ("2026-03", 3), ("2026-04", 1), ("2026H1", 4), ("2026Q1", 3),
        ("2026Q2", 1)]


def test_the_day_rows_are_the_services_counted_by_hand(ctx, make_member, make_service):  # noqa: F811
    """Services at random moments of two months, each day's count checked against the local
    day of its end computed in Python, before and after a rebuild."""
    members = [make_member() for _ in range(3)]
    chance = random.Random(7)
    expected = Counter()
    start = datetime(2026, 2, 1, tzinfo=CST)
    for _ in range(40):
        member = chance.choice(members)
        ends = start + timedelta(minutes=chance.randrange(59 * 24 * 60))
        make_service(member, ends, minutes=60)
        expected[(int(f"{ends.astimezone(CST):%Y%m%d}"), member.id)] += 1
    found = {(day, member_id): services for day, member_id, _c, services, *_ in day_rows()}
    assert found == dict(expected)
    assert {(month, m): n for month, m, _c, n, *_ in rows()} == {
        (month, m): sum(n for (day, mm), n in expected.items() if day // 100 == month and mm == m)
        for month in (202602, 202603) for m in {m.id for m in members}
        if any(day // 100 == month and mm == m for day, mm in expected)}
    summary.rebuild()
    assert {(day, m): n for day, m, _c, n, *_ in day_rows()} == dict(expected)
