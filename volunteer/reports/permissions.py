"""Who may see the report runs."""


def can_view_report_runs(user, run=None) -> bool:
    """The send log of the scheduled reports (发送记录): the district admin."""
    return user is not None and getattr(user, "role", None) == "district_admin"


def can_request_report_run(user, request=None) -> bool:
    """Queueing a report run from /admin/reports (补发): the district admin."""
    return user is not None and getattr(user, "role", None) == "district_admin"
