"""Reporting periods in local time (Asia/Shanghai): month, quarter, half-year, year, range.

A period is half-open, ``[start, end)``, in local dates; ``start_utc``/``end_utc`` are the
instants SQL filters on. Keys: ``2026-10``, ``2026Q3``, ``2026H1``, ``2026``,
``2026-01-05..2026-02-20`` (a range, both days included).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from volunteer.core.errors import ValidationFailed
from volunteer.core.i18n import N_
from volunteer.core.time import local_zone

KINDS = ("month", "quarter", "half", "year", "range")


@dataclass(frozen=True)
class Period:
    kind: str
    start: date  # first local day
    end: date  # first local day after the period

    @property
    def key(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.start.year}H{1 if self.start.month == 1 else 2}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d}..{self.end - timedelta(days=1):%Y-%m-%d}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "half":
            return f"{self.start.year}年{'上' if self.start.month == 1 else '下'}半年"
        if self.kind == "year":
            return f"{self.start.year}年"
        last = self.end - timedelta(days=1)
        return f"{self.start:%Y-%m-%d} 至 {last:%Y-%m-%d}"

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.start, time(), local_zone())

    @property
    def last_day(self) -> date:
        """The period's last local day (``end`` is the day after)."""
        return self.end - timedelta(days=1)

    @property
    def end_utc(self) -> datetime:
        return datetime.combine(self.end, time(), local_zone())

    def previous(self) -> "Period":
        """The period of the same kind just before this one."""
        if self.kind == "range":
            length = self.end - self.start
            return Period("range", self.start - length, self.start)
        return containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> "Period":
        if self.kind == "range":
            length = self.end - self.start
            return Period("range", self.end, self.end + length)
        return containing(self.kind, self.end)

    def months(self) -> list["Period"]:
        """The calendar months overlapping this period (for trends)."""
        months, day = [], date(self.start.year, self.start.month, 1)
        while day < self.end:
            month = containing("month", day)
            months.append(month)
            day = month.end
        return months


def _month_end(year: int, month: int) -> date:
    return date(year + (month == 12), month % 12 + 1, 1)


def containing(kind: str, day: date) -> Period:
    """The month, quarter, half or year holding a local day."""
    if kind == "month":
        return Period("month", date(day.year, day.month, 1), _month_end(day.year, day.month))
    if kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        return Period("quarter", date(day.year, first, 1), _month_end(day.year, first + 2))
    if kind == "half":
        first = 1 if day.month <= 6 else 7
        return Period("half", date(day.year, first, 1), _month_end(day.year, first + 5))
    if kind == "year":
        return Period("year", date(day.year, 1, 1), date(day.year + 1, 1, 1))
    raise ValueError(kind)


def local_date(moment: datetime) -> date:
    return moment.astimezone(local_zone()).date()


def calendar_period(period: Period) -> Period:
    """A range that is exactly a month, quarter, half-year or year, as that period (its figures
    are kept ready: ``stats.summaries``); any other period unchanged."""
    if period.kind == "range" and period.start.day == 1:
        for kind in ("month", "quarter", "half", "year"):
            same = containing(kind, period.start)
            if same.start == period.start and same.end == period.end:
                return same
    return period


MAX_RANGE_DAYS = 366 * 3
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def period_between(first_text: str | None, last_text: str | None,
                   fields: tuple[str, str] = ("from", "to")) -> Period:
    """The period from one local date to another, both included (the dashboard's two date
    pickers, ``YYYY-MM-DD``); every problem reported at once, by field."""
    errors: dict[str, str] = {}
    days = []
    for name, text in zip(fields, (first_text, last_text), strict=True):
        text = (text or "").strip()
        day = None
        if not text:
            errors[name] = N_("请选择日期")
        else:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                errors[name] = N_("日期无效，应为 年-月-日")
            else:
                if not FIRST_DAY <= day <= LAST_DAY:
                    errors[name] = N_("日期应在 2000-01-01 至 2100-12-31 之间")
                    day = None
        days.append(day)
    first, last = days
    if first and last:
        if last < first:
            errors[fields[1]] = N_("结束日期不能早于开始日期")
        elif (last - first).days > MAX_RANGE_DAYS:
            errors[fields[1]] = N_("期间不能超过三年")
    if errors:
        raise ValidationFailed(N_("统计期间有误，请检查标出的日期"), fields=errors)
    return calendar_period(Period("range", first, last + timedelta(days=1)))


def _year(text: str, field: str) -> int:
    year = int(text)
    if not 2000 <= year <= 2100:
        raise ValidationFailed(f"年份应在 2000–2100 之间：{text}", fields={field: "年份无效"})
    return year


def parse_period(text: str | None, field: str = "period") -> Period:
    """Parse ``2026-10``, ``2026Q3``, ``2026H1``, ``2026`` or ``2026-01-05..2026-02-20``."""
    raw = (text or "").strip().upper()
    if not raw:
        raise ValidationFailed("请指定统计期间", fields={field: "必填"})
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", raw):
        month = int(match.group(2))
        if not 1 <= month <= 12:
            raise ValidationFailed("月份应为 01–12", fields={field: "月份应为 01–12"})
        return containing("month", date(_year(match.group(1), field), month, 1))
    if match := re.fullmatch(r"(\d{4})Q(\d)", raw):
        quarter = int(match.group(2))
        if not 1 <= quarter <= 4:
            raise ValidationFailed("季度应为 Q1–Q4", fields={field: "季度应为 Q1–Q4"})
        return containing("quarter", date(_year(match.group(1), field), quarter * 3 - 2, 1))
    if match := re.fullmatch(r"(\d{4})H(\d)", raw):
        half = int(match.group(2))
        if half not in (1, 2):
            raise ValidationFailed("半年应为 H1 或 H2", fields={field: "半年应为 H1 或 H2"})
        return containing("half", date(_year(match.group(1), field), 1 if half == 1 else 7, 1))
    if re.fullmatch(r"\d{4}", raw):
        return containing("year", date(_year(raw, field), 1, 1))
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", raw):
        try:
            first = date.fromisoformat(match.group(1))
            last = date.fromisoformat(match.group(2))
        except ValueError:
            raise ValidationFailed("日期无效", fields={field: "日期无效"}) from None
        for day in (first, last):
            _year(str(day.year), field)
        if last < first:
            raise ValidationFailed("结束日期不能早于开始日期",
                                   fields={field: "结束日期不能早于开始日期"})
        if (last - first).days > MAX_RANGE_DAYS:
            raise ValidationFailed("期间不能超过三年", fields={field: "期间不能超过三年"})
        return calendar_period(Period("range", first, last + timedelta(days=1)))
    raise ValidationFailed(
        "期间格式应为 2026-10、2026Q3、2026H1、2026 或 2026-01-01..2026-03-31",
        fields={field: "格式不正确"})
