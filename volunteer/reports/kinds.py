"""The periodic reports, each described once: the registry the runner, the scheduler, the CLI,
the archive and the models read.

A report's builder is named here and found in ``reports.content`` when the report is built, so
this module (which the models read for labels) imports nothing above ``core``.
"""

from dataclasses import dataclass
from datetime import datetime, time

from volunteer.core.i18n import N_
from volunteer.core.periods import Period

# the calendar months whose 1st day begins a period of each kind (the scheduler's cron months)
_FIRST_MONTHS = {"month": None, "quarter": "1,4,7,10", "half": "1,7"}


@dataclass(frozen=True)
class ReportKind:
    code: str  # report_runs.kind, the CLI's and the API's name of the report
    label: str  # N_() text
    period_kind: str  # month, quarter or half
    example: str  # a period key of that kind, for error messages
    send_time: time  # local time of day it goes out
    sent_at_start: bool  # on the 1st day of its own period (else on the 1st day after it)
    catch_up: int  # how many periods back a run after a gap looks for missed ones
    notification_kind: str  # notifications.kind and e-mail opt-out group of its messages
    builder: str  # the function of reports.content: (period, now) -> (shared, recipients)

    def cron(self) -> dict:
        """The scheduler's CronTrigger fields: the 1st day of each period, at the send time."""
        months = _FIRST_MONTHS[self.period_kind]
        fields = {} if months is None else {"month": months}
        return {**fields, "day": 1, "hour": self.send_time.hour, "minute": self.send_time.minute}

    def build(self, period: Period, now: datetime) -> tuple[dict, list[dict]]:
        from volunteer.reports import content

        return getattr(content, self.builder)(period, now)


REPORTS: dict[str, ReportKind] = {report.code: report for report in (
    ReportKind("monthly-reminder", N_("一月一提醒"), "month", "2026-10", time(9, 0),
               sent_at_start=True, catch_up=3, notification_kind="monthly_reminder",
               builder="monthly_reminder"),
    ReportKind("quarterly-bulletin", N_("一季一通报"), "quarter", "2026Q3", time(9, 30),
               sent_at_start=False, catch_up=2, notification_kind="quarterly_bulletin",
               builder="quarterly_bulletin"),
    ReportKind("half-year-summary", N_("半年一总结"), "half", "2026H1", time(10, 0),
               sent_at_start=False, catch_up=1, notification_kind="half_year_summary",
               builder="half_year_summary"),
)}


def label_of(code: str) -> str:
    """A report kind's label (the code itself for a kind no longer known)."""
    report = REPORTS.get(code)
    return report.label if report else code
