"""The monthly service summary (service_months) follows every change the tasks service makes."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from tests.reports.conftest import make_service  # noqa: F401  (a fixture, shared)
from volunteer.core.periods import containing, local_date
from volunteer.extensions import db
from volunteer.tasks import services, summary
from volunteer.tasks.models import MemberPeriod, MonthTotal, ServiceMonth

CST = timezone(timedelta(hours=8))


def rows() -> list[tuple]:
    return [tuple(r) for r in db.session.execute(select(
        ServiceMonth.month, ServiceMonth.member_id, ServiceMonth.category, ServiceMonth.services,
        ServiceMonth.minutes, ServiceMonth.quality_sum, ServiceMonth.quality_n,
        ServiceMonth.satisfaction_sum, ServiceMonth.satisfaction_n,
    ).order_by(ServiceMonth.month, ServiceMonth.member_id, ServiceMonth.category))]


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
    assert period_rows() == {(key, member.id, 1, 90, 5, 1, 5, 1) for key in keys}
    services.mark_no_show(secretary, absent)
    db.session.commit()
    assert [r[1] for r in rows()] == [member.id]  # a no-show is not a service
    assert total_rows() == [(month, "", 1, 90, 1), (month, "disinfection", 1, 90, 1)]
    before = rows(), period_rows(), total_rows()
    summary.rebuild()
    db.session.commit()
    assert (rows(), period_rows(), total_rows()) == before


def test_rebuild_months_and_connection(ctx, make_task, member, secretary, claim_for):
    task = make_task(starts_in=-4, hours=2)
    claim = claim_for(member, task)
    served(member, task)
    services.confirm_claim(secretary, claim, quality=3)
    db.session.commit()
    expected = rows()
    expected_periods = period_rows()
    db.session.execute(ServiceMonth.__table__.delete())
    db.session.execute(MemberPeriod.__table__.delete())
    db.session.commit()
    with db.engine.begin() as connection:
        assert summary.rebuild(connection=connection) == 1
    assert rows() == expected and period_rows() == expected_periods
    db.session.execute(ServiceMonth.__table__.delete())
    db.session.execute(MemberPeriod.__table__.delete())
    month = containing("month", local_date(task.ends_at))
    assert summary.rebuild([month.previous()]) == 0
    assert summary.rebuild([month]) == 1
    assert rows() == expected and period_rows() == expected_periods


def test_month_boundaries_in_local_time(ctx, make_member, make_service):  # noqa: F811
    member = make_member()
    make_service(member, datetime(2026, 3, 31, 23, 30, tzinfo=CST))
    make_service(member, datetime(2026, 4, 1, 0, 30, tzinfo=CST))
    assert [(r[0], r[3]) for r in rows()] == [(202603, 1), (202604, 1)]
    assert sorted((key, services) for key, _m, services, *_ in period_rows()) == [
        ("2026", 2), ("2026-03", 1), ("2026-04", 1), ("2026H1", 2), ("2026Q1", 1),
        ("2026Q2", 1)]
