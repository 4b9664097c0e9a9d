"""The main navigation: one list of (label, endpoint, predicate) that base.html renders.

Each entry is shown to the users its predicate (a ``can_*`` function from a feature's
``permissions`` module, or ``None`` for every signed-in user) allows, in list order; a link is
marked active on the pages of its section. A new feature adds its entry here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from volunteer.auth.permissions import can_manage_staff, can_open_workbench, can_view_audit_log
from volunteer.branches.permissions import can_open_my_branch
from volunteer.core.i18n import N_
from volunteer.members.permissions import can_list_members, can_view_own_service
from volunteer.orgs.permissions import can_manage_orgs
from volunteer.requests.permissions import can_list_requests
from volunteer.review.permissions import can_view_dashboards
from volunteer.tasks.permissions import can_browse_tasks, can_post_task
from volunteer.wishes.permissions import can_list_wishes

MY_SERVICE = ("tasks.my_service", "tasks.certificate")


@dataclass(frozen=True)
class NavLink:
    label: str
    endpoint: str
    allowed: Callable | None = None        # predicate(user); None: every signed-in user
    prefixes: tuple[str, ...] = ()         # active on endpoints starting with one of these
    exact: tuple[str, ...] = ()            # ... or equal to one of these
    excluded: tuple[str, ...] = ()         # ... but not on these (endpoints or prefixes)
    testid: str | None = None
    badge: str | None = None               # the name of a count shown beside the label

    def shown_to(self, user) -> bool:
        return self.allowed is None or bool(self.allowed(user))

    def is_active(self, endpoint: str) -> bool:
        if any(endpoint.startswith(e) for e in self.excluded):
            return False
        return endpoint in self.exact or any(endpoint.startswith(p) for p in self.prefixes)


def _staff_browsing_tasks(user) -> bool:
    return can_browse_tasks(user) and not can_view_own_service(user) and not can_post_task(user)


MAIN_NAV = (
    NavLink(N_("工作台"), "auth.home", can_open_workbench, exact=("auth.home",),
            testid="nav-home"),
    NavLink(N_("我的"), "members.me", can_view_own_service, prefixes=("members.",)),
    NavLink(N_("服务项目"), "tasks.list_tasks", can_view_own_service, prefixes=("tasks.",),
            excluded=MY_SERVICE, testid="nav-tasks"),
    NavLink(N_("服务项目管理"), "tasks.list_tasks", can_post_task, prefixes=("tasks.",),
            testid="nav-tasks"),
    NavLink(N_("服务项目"), "tasks.list_tasks", _staff_browsing_tasks, prefixes=("tasks.",),
            testid="nav-tasks"),
    NavLink(N_("我的服务"), "tasks.my_service", can_view_own_service, exact=MY_SERVICE,
            testid="nav-my-service"),
    NavLink(N_("微心愿"), "wishes.list_wishes", can_list_wishes, prefixes=("wishes.",),
            testid="nav-wishes"),
    NavLink(N_("居民点单"), "requests.list_requests", can_list_requests,
            prefixes=("requests.",), testid="nav-requests"),
    NavLink(N_("党员报到"), "members.list_members", can_list_members, prefixes=("members.",),
            excluded=("members.import",)),
    NavLink(N_("本支部党员"), "branches.my_branch", can_open_my_branch, prefixes=("branches.",),
            testid="nav-branch"),
    NavLink(N_("组织架构"), "orgs.overview", can_manage_orgs,
            prefixes=("orgs.", "members.import")),
    NavLink(N_("工作人员"), "auth.staff", can_manage_staff, exact=("auth.staff",)),
    NavLink(N_("操作日志"), "privacy.audit_log", can_view_audit_log,
            exact=("privacy.audit_log",)),
    NavLink(N_("统计"), "review.home", can_view_dashboards, prefixes=("review.",),
            testid="nav-review"),
    NavLink(N_("集结号"), "mobilisation.list_mobilisations", prefixes=("mobilisation.",),
            testid="nav-mobilisation"),
    NavLink(N_("通报"), "reports.archive", prefixes=("reports.",), testid="nav-reports"),
    NavLink(N_("消息"), "notifications.inbox", prefixes=("notifications.",),
            excluded=("notifications.email_preferences",), badge="unread_count"),
    NavLink(N_("账号"), "auth.change_password", exact=("auth.change_password",)),
)


def main_nav(user) -> list[NavLink]:
    """The entries of the main navigation ``user`` sees, in order."""
    return [link for link in MAIN_NAV if link.shown_to(user)]
