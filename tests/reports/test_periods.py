"""Period parsing and boundaries in Asia/Shanghai."""

from datetime import UTC, date, datetime

import pytest

from volunteer.core.errors import ValidationFailed
from volunteer.core.periods import containing, parse_period


@pytest.mark.parametrize("text, kind, start, end", [
    ("2026-10", "month", date(2026, 10, 1), date(2026, 11, 1)),
    ("2026-12", "month", date(2026, 12, 1), date(2027, 1, 1)),
    ("2026Q1", "quarter", date(2026, 1, 1), date(2026, 4, 1)),
    ("2026q4", "quarter", date(2026, 10, 1), date(2027, 1, 1)),
    ("2026H2", "half", date(2026, 7, 1), date(2027, 1, 1)),
    ("2026", "year", date(2026, 1, 1), date(2027, 1, 1)),
    ("2026-01-05..2026-02-20", "range", date(2026, 1, 5), date(2026, 2, 21)),
    # a range that is exactly a calendar period is that period (its figures are kept ready)
    ("2026-07-01..2026-09-30", "quarter", date(2026, 7, 1), date(2026, 10, 1)),
    ("2026-02-01..2026-02-28", "month", date(2026, 2, 1), date(2026, 3, 1)),
    ("2026-07-01..2026-12-31", "half", date(2026, 7, 1), date(2027, 1, 1)),
    ("2026-01-01..2026-12-31", "year", date(2026, 1, 1), date(2027, 1, 1)),
    ("2026-07-01..2026-09-29", "range", date(2026, 7, 1), date(2026, 9, 30)),
    ("2026-07-01..2026-11-30", "range", date(2026, 7, 1), date(2026, 12, 1)),
])
def test_parse(text, kind, start, end):
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)


@pytest.mark.parametrize("text, message", [
    ("2026Q5", "季度"), ("2026-13", "月份"), ("2026H3", "半年"), ("", "期间"),
    ("2026-03-01..2026-02-01", "结束日期不能早于开始日期"), ("last year", "格式"),
    ("1999", "年份"), ("2026-02-30..2026-03-01", "日期无效"),
])
def test_bad_periods(text, message):
    with pytest.raises(ValidationFailed) as caught:
        parse_period(text)
    assert message in caught.value.message


def test_boundaries_are_local(app):
    with app.app_context():
        q1 = parse_period("2026Q1")
        assert q1.start_utc == datetime(2025, 12, 31, 16, 0, tzinfo=UTC)
        assert q1.end_utc == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
        assert q1.previous().key == "2025Q4" and q1.next().key == "2026Q2"
        assert [m.key for m in q1.months()] == ["2026-01", "2026-02", "2026-03"]
        assert containing("half", date(2026, 9, 1)).key == "2026H2"
