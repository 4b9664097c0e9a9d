"""The monthly trend and the category breakdown of a period, from the month totals or the
members' period rows."""

from sqlalchemy import distinct, func, select

from volunteer.core.periods import Period
from volunteer.extensions import db
from volunteer.stats.figures.activity import _summed, earned_in, scope_filter, whole_months
from volunteer.stats.models import MemberPeriod, MonthTotal
from volunteer.stats.summaries import month_number
from volunteer.tasks.models import category_label


def trend_months(period: Period) -> list[Period]:
    """The months a trend shows: those of the period, or the six up to it when it is short."""
    months = period.months()
    if len(months) >= 3:
        return months
    last, shown = months[-1], []
    for _ in range(6):
        shown.insert(0, last)
        last = last.previous()
    return shown


def trend_and_categories(period: Period, scope: dict | None = None
                         ) -> tuple[list[dict], list[dict]]:
    """The monthly trend (hours, services and active members per month) and the category
    breakdown (``category_rows``). The whole district reads ``month_totals``; a scope adds up
    the ``member_periods`` rows earned in it."""
    months = trend_months(period)
    district = _whole_district(scope)
    if district:
        stmt = (select(MonthTotal.month, MonthTotal.services, MonthTotal.minutes,
                       MonthTotal.members)
                .where(MonthTotal.category == "",
                       MonthTotal.month.in_([month_number(month) for month in months])))
    else:
        stmt = (select(MemberPeriod.period, func.sum(MemberPeriod.services),
                       func.sum(MemberPeriod.minutes),
                       func.count(distinct(MemberPeriod.member_id)))
                .where(MemberPeriod.period.in_([month.key for month in months]),
                       *earned_in(MemberPeriod, scope))
                .group_by(MemberPeriod.period))
    found = {key: rest for key, *rest in db.session.execute(stmt)}
    trend = []
    for month in months:
        services, minutes, active = found.get(
            month_number(month) if district else month.key, (0, 0, 0))
        trend.append({"month": month.key, "label": month.label, "services": int(services),
                      "hours": round(int(minutes or 0) / 60, 1), "active": int(active)})
    return trend, category_rows(period, scope)


def _whole_district(scope: dict | None) -> bool:
    return not scope_filter(scope)


def category_rows(period: Period, scope: dict | None = None) -> list[dict]:
    """Services and hours per task category in the period, most hours first."""
    if whole_months(period) and _whole_district(scope):
        months = period.months()
        stmt = (select(MonthTotal.category, func.sum(MonthTotal.services),
                       func.sum(MonthTotal.minutes))
                .where(MonthTotal.category != "",
                       MonthTotal.month >= month_number(months[0]),
                       MonthTotal.month <= month_number(months[-1]))
                .group_by(MonthTotal.category))
    else:
        table, conditions = _summed(period)
        stmt = (select(table.category, func.sum(table.services), func.sum(table.minutes))
                .where(*conditions, *earned_in(table, scope)).group_by(table.category))
    rows = [{"category": code, "label": category_label(code), "services": int(n),
             "hours": round(int(minutes) / 60, 1)} for code, n, minutes in db.session.execute(stmt)]
    rows.sort(key=lambda r: (-r["hours"], r["category"]))
    return rows
