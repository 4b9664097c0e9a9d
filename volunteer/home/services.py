"""What each role must do now, what it answers for this quarter, and a member's standing.

``todo_items`` is the list the home page shows first and ``GET /api/v1/me/todo`` returns: per
role, the counts of what waits for the user (approvals, hours to confirm, requests to take,
accept or dispatch, wish claims to accept, wishes to publish, overdue items, an open 集结号,
the next service, deletion requests), each with the web path where it is done. Every count is
one ``SELECT count(*)`` in the user's scope, so the list costs a dozen small queries whatever
the district's size. Items counting nothing are left out (the quarter's figures stay); at
most ``TODO_MAX`` are returned.

``responsibility`` is the second part of a staff home: the figures of the user's street,
community, grid, branch or unit this quarter with the dashboard (or list) they come from.
``member_standing`` is a member's hours, services, evaluation score and rank among their
community's approved members this quarter (``stats.score``; ties share a rank).
"""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from volunteer.auth.models import User
from volunteer.core.i18n import N_
from volunteer.core.periods import Period, containing, local_date
from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.members.services import list_members_stmt
from volunteer.mobilisation.models import Mobilisation
from volunteer.mobilisation.services import awaiting_answer, list_stmt
from volunteer.privacy.services import count_pending_deletions
from volunteer.requests.models import ServiceRequest
from volunteer.requests.services import count_overdue, overdue_clause
from volunteer.review.dashboard import get_scope, home_scope, summary
from volunteer.stats.figures import member_rank_facts
from volunteer.stats.figures.activity import scope_filter, service_stats
from volunteer.stats.figures.member_facts import member_hours
from volunteer.stats.score import RATINGS, score_columns, shared_ranks
from volunteer.tasks.models import Claim, Task
from volunteer.tasks.services import check_in_early, check_out_late, list_my_claims_stmt
from volunteer.wishes.models import Wish, WishClaim
from volunteer.wishes.services import count_awaiting, count_flags

TODO_MAX = 20
CALLS_MAX = 5  # open 集结号 listed one by one, the newest first
# a task whose service ended this long ago with a claim neither confirmed nor marked absent
CONFIRM_OVERDUE = timedelta(days=2)
NOT_RANKED = N_("未参与")


@dataclass(frozen=True)
class TodoItem:
    kind: str
    title: str
    count: int
    link: str

    def as_dict(self) -> dict:
        return asdict(self)


def current_quarter(now: datetime | None = None) -> Period:
    return containing("quarter", local_date(now or utcnow()))


def _count(stmt) -> int:
    """``count(*)`` of a listing statement's rows (its ordering dropped; its loader options
    do not apply inside a subquery)."""
    return db.session.scalar(select(func.count()).select_from(
        stmt.order_by(None).subquery())) or 0


def _count_where(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


# --- the member ---------------------------------------------------------------------------

def _short_time(moment: datetime) -> str:
    local = to_local(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def _member_items(member, now: datetime) -> list[TodoItem]:
    if member.status == "pending":
        return [TodoItem("registration", N_("报到正在等待社区书记审核"), 1, "/me")]
    if member.status != "approved":
        return [TodoItem("registration", N_("报到未通过，请查看原因"), 1, "/me")]
    calls = awaiting_answer(member)[:CALLS_MAX]
    items = [TodoItem("mobilisation", f"集结号：{call.title}", 1, f"/mobilisations/{call.id}")
             for call in calls]
    # checked in, not out, while check-out is still open (until a while after the end)
    running = db.session.scalars(select(Claim).join(Task).where(
        Claim.member_id == member.id, Claim.status == "claimed",
        Claim.checked_in_at.is_not(None), Claim.checked_out_at.is_(None),
        Claim.confirmed_at.is_(None), Task.status == "open",
        Task.ends_at > now - check_out_late()).order_by(Task.starts_at).limit(1)).first()
    if running is not None:
        items.append(TodoItem("check_out", f"服务结束后请签退：{running.task.title}", 1,
                              f"/tasks/{running.task_id}"))
    upcoming = list_my_claims_stmt(member, when="upcoming", now=now).where(
        Claim.checked_in_at.is_(None))
    first = db.session.scalars(upcoming.limit(1)).first()
    if first is not None:
        when = _short_time(first.task.starts_at)
        # a service already under way (or about to start) waits for the member's check-in
        label = "请签到" if first.task.starts_at <= now + check_in_early() else "下次服务"
        items.append(TodoItem("next_service", f"{label}：{when} {first.task.title}",
                              _count(upcoming), f"/tasks/{first.task_id}"))
    items.append(TodoItem("requests_to_take", N_("社区派给您的居民点单，请接单"), _count_where(
        ServiceRequest, ServiceRequest.assignee_id == member.id,
        ServiceRequest.status == "dispatched"), "/requests?status=dispatched"))
    items.append(TodoItem("requests_to_complete", N_("已接单待办结的居民点单"), _count_where(
        ServiceRequest, ServiceRequest.assignee_id == member.id,
        ServiceRequest.status == "taken"), "/requests?status=taken"))
    items.append(TodoItem("wishes_to_fulfil", N_("已认领待圆梦的微心愿"), db.session.scalar(
        select(func.count()).select_from(WishClaim).join(Wish, Wish.id == WishClaim.wish_id)
        .where(WishClaim.member_id == member.id, WishClaim.state == "accepted",
               Wish.status.in_(("published", "claimed")))) or 0, "/wishes?tab=mine"))
    return items


# --- community staff ----------------------------------------------------------------------

def _confirm_items(community_id: int, now: datetime) -> list[TodoItem]:
    """Hours to confirm (checked out, not confirmed) and tasks ended long ago unconfirmed."""
    waiting = (Claim.status == "claimed", Claim.confirmed_at.is_(None),
               Claim.no_show.is_(False))
    claims, tasks, first = db.session.execute(
        select(func.count(), func.count(func.distinct(Claim.task_id)), func.min(Claim.task_id))
        .select_from(Claim).join(Task, Task.id == Claim.task_id)
        .where(Task.community_id == community_id, Task.status == "open",
               Claim.checked_out_at.is_not(None), *waiting)).one()
    link = f"/tasks/{first}/roster" if tasks == 1 else "/tasks?pending=1"
    late = db.session.scalar(
        select(func.count(func.distinct(Claim.task_id))).select_from(Claim)
        .join(Task, Task.id == Claim.task_id)
        .where(Task.community_id == community_id, Task.status == "open",
               Task.ends_at < now - CONFIRM_OVERDUE, *waiting)) or 0
    return [TodoItem("hours_to_confirm", N_("待确认的服务时长（已签退）"), claims or 0, link),
            TodoItem("tasks_overdue", N_("结束超过 2 天仍未确认的服务项目"), late,
                     "/tasks?pending=1")]


def _active_calls(user) -> TodoItem:
    stmt = list_stmt(user).where(Mobilisation.status == "active")
    return TodoItem("mobilisation_active", N_("进行中的集结号"), _count(stmt), "/mobilisations")


def _request_items(user, *, dispatch: bool) -> list[TodoItem]:
    here = ServiceRequest.community_id == user.community_id
    items = [TodoItem("requests_to_accept", N_("待网格接单的居民点单"), _count_where(
        ServiceRequest, here, ServiceRequest.status == "submitted"),
        "/requests?status=submitted")]
    if dispatch:
        items.append(TodoItem("requests_to_dispatch", N_("待社区派单的居民点单"), _count_where(
            ServiceRequest, here, ServiceRequest.status == "accepted"),
            "/requests?status=accepted"))
    items.append(TodoItem("requests_overdue", N_("超时未处理的居民点单"), count_overdue(user),
                          "/requests?status=overdue"))
    return items


def _secretary_items(user, now: datetime) -> list[TodoItem]:
    if user.community_id is None:
        return []
    items = [TodoItem("approvals", N_("待审核的党员报到"),
                      _count(list_members_stmt(user, status="pending")),
                      "/members?status=pending")]
    items += _confirm_items(user.community_id, now)
    items += _request_items(user, dispatch=True)
    claims, overdue = _wish_items(user, now)
    items.append(claims)
    items.append(TodoItem("wishes_to_publish", N_("待审核发布的微心愿"), _count_where(
        Wish, Wish.community_id == user.community_id, Wish.status == "submitted"),
        "/wishes?tab=submitted"))
    items.append(overdue)
    items.append(TodoItem("deletions", N_("待处理的注销申请"), count_pending_deletions(user),
                          "/members/deletion-requests"))
    items.append(_active_calls(user))
    return items


def _wish_items(user, now: datetime) -> tuple[TodoItem, TodoItem]:
    """The community staff's wish claims to accept and wishes past their deadline."""
    return (TodoItem("wish_claims", N_("待确认的微心愿认领"), count_awaiting(user),
                     "/wishes?tab=awaiting"),
            TodoItem("wishes_overdue", N_("已过期限未圆梦的微心愿"),
                     count_flags(user, now)["overdue"], "/wishes?tab=overdue"))


def _grid_worker_items(user, now: datetime) -> list[TodoItem]:
    if user.community_id is None:
        return []
    items = _request_items(user, dispatch=False)
    claims, overdue = _wish_items(user, now)
    items.append(claims)
    items.append(TodoItem("wishes_returned", N_("被退回待修改的微心愿"), _count_where(
        Wish, Wish.created_by_id == user.id, Wish.status == "returned"),
        "/wishes?tab=returned"))
    items.append(overdue)
    items.append(_active_calls(user))
    return items


# --- street, branch, unit, district -------------------------------------------------------

def _street_items(user, now: datetime) -> list[TodoItem]:
    if user.street_id is None:
        return []
    return [
        TodoItem("approvals_waiting", N_("各社区待审核的党员报到"),
                 _count(list_members_stmt(user, status="pending")), "/members?status=pending"),
        TodoItem("requests_overdue", N_("本街道超时未处理的居民点单"), _count_where(
            ServiceRequest, ServiceRequest.street_id == user.street_id, overdue_clause(now)),
            "/requests?status=overdue"),
        _active_calls(user),
    ]


def _member_counts(period: Period, **scope) -> tuple[int, int, int, int]:
    """(approved members, active members, services, minutes) of a scope in a period, added up
    in SQL from the statistics' per-member figures."""
    stats = service_stats(period, scope)
    served = func.coalesce(stats.c.services, 0)
    approved, active, services, minutes = db.session.execute(
        select(func.count(), func.count(case((served > 0, 1))), func.sum(served),
               func.sum(func.coalesce(stats.c.minutes, 0)))
        .select_from(User).outerjoin(stats, stats.c.member_id == User.id)
        .where(User.role == "member", User.status == "approved", *scope_filter(scope))).one()
    return approved or 0, active or 0, int(services or 0), int(minutes or 0)


def _inactive(scope_key: str, scope_id: int | None, now: datetime) -> int:
    """Approved members of a branch or unit without a confirmed service this quarter."""
    approved, active, _services, _minutes = _member_counts(current_quarter(now),
                                                           **{scope_key: scope_id})
    return approved - active


def _branch_items(user, now: datetime) -> list[TodoItem]:
    if user.branch_id is None:
        return []
    return [TodoItem("members_inactive", N_("本季度尚未参与服务的支部党员"),
                     _inactive("branch_id", user.branch_id, now),
                     f"/review/branch/{user.branch_id}"),
            _active_calls(user)]


def _unit_items(user, now: datetime) -> list[TodoItem]:
    if user.unit_id is None:
        return []
    return [TodoItem("members_inactive", N_("本季度尚未参与服务的本单位党员"),
                     _inactive("unit_id", user.unit_id, now),
                     f"/review/unit/{user.unit_id}"),
            TodoItem("approvals_waiting", N_("本单位待社区审核的党员报到"),
                     _count(list_members_stmt(user, status="pending")),
                     "/members?status=pending")]


def _admin_items(user, now: datetime) -> list[TodoItem]:
    return [
        TodoItem("deletions", N_("待处理的注销申请"), count_pending_deletions(user),
                 "/members/deletion-requests"),
        TodoItem("requests_overdue", N_("全区超时未处理的居民点单"),
                 _count_where(ServiceRequest, overdue_clause(now)), "/requests?status=overdue"),
        _active_calls(user),
    ]


_ITEMS = {
    "member": _member_items,
    "community_secretary": _secretary_items,
    "grid_worker": _grid_worker_items,
    "street_reviewer": _street_items,
    "branch_secretary": _branch_items,
    "unit_contact": _unit_items,
    "district_admin": _admin_items,
}


def todo_items(user, now: datetime | None = None, *, figures: bool = True) -> list[TodoItem]:
    """What ``user`` must do now, in the order the home page shows it (at most ``TODO_MAX``),
    then, with ``figures``, the quarter's: a member's standing, a staff user's scope (the home
    pages show those in their own card and leave them out here)."""
    now = now or utcnow()
    build = _ITEMS.get(user.role)
    items = [item for item in (build(user, now) if build else []) if item.count > 0]
    if figures:
        items += _figures_item(user, now)
    return items[:TODO_MAX]


def _figures_item(user, now: datetime) -> list[TodoItem]:
    """The quarter's figures as one item; kept when nought (a member sees 未参与)."""
    if user.role == "member":
        if user.status != "approved":
            return []
        standing = member_standing(user, now=now)
        return [TodoItem("figures", standing["summary"], standing["services"], "/me/service")]
    scope = responsibility(user, now)
    if scope is None:
        return []
    return [TodoItem("figures", scope["summary"], scope["active"], scope["link"])]


# --- what a staff user answers for --------------------------------------------------------

def _grid_figures(user, period: Period) -> dict | None:
    if user.grid_id is None:
        return None
    approved, active, services, minutes = _member_counts(period, grid_id=user.grid_id)
    return {"approved": approved, "active": active, "services": services,
            "hours": member_hours(minutes),
            "participation": round(active / approved, 4) if approved else 0.0,
            "avg_satisfaction": None}


def responsibility(user, now: datetime | None = None) -> dict | None:
    """The quarter's figures of the scope ``user`` answers for — street, community, branch,
    unit, the district, or a grid worker's grid — with where to read more; None for members
    and staff without a scope."""
    period = current_quarter(now)
    scope = home_scope(user)
    if scope is not None:
        figures = summary(scope, period)
        name = scope.name
        link = (f"/review/{scope.kind}" if scope.id is None
                else f"/review/{scope.kind}/{scope.id}")
        link_label = N_("查看统计看板")
    elif user.role == "grid_worker":
        figures = _grid_figures(user, period)
        if figures is None:
            return None
        name = get_scope("community", user.community_id).name + " " + user.grid.name
        link, link_label = "/members?status=approved", N_("查看党员名单")
    else:
        return None
    return {
        "name": name, "period": period, "link": link, "link_label": link_label,
        "approved": figures["approved"], "active": figures["active"],
        "services": figures["services"], "hours": figures["hours"],
        "participation": figures["participation"],
        "avg_satisfaction": figures.get("avg_satisfaction"),
        "summary": (f"{period.label}：{figures['active']} 名党员参与服务，"
                    f"共 {figures['hours']} 小时"),
    }


# --- a member's own standing --------------------------------------------------------------

def member_standing(member, now: datetime | None = None) -> dict:
    """The member's hours, services, score and rank among the approved members of their
    community this quarter. Scores are ``stats.score``'s, over the same rows the community's
    member ranking uses; rank = 1 + the number of members scoring strictly higher, so ties
    share a rank. Without a service there is nothing to rank: ``rank`` is None (未参与)."""
    period = current_quarter(now)
    result = {"period": period, "hours": 0.0, "services": 0, "score": None, "rank": None,
              "members": 0}
    if member.status == "approved" and member.community_id is not None:
        facts = member_rank_facts(period, community_id=member.community_id)
        result["members"] = len(facts)
        mine = next((i for i, row in enumerate(facts) if row[0] == member.id), None)
        if mine is not None and facts[mine][3]:
            columns = list(zip(*facts, strict=True))
            services, minutes = columns[3], columns[4]
            ratings = {name: ([float(v or 0) for v in columns[5 + 2 * i]],
                              [int(v or 0) for v in columns[6 + 2 * i]])
                       for i, name in enumerate(RATINGS)}
            scores = score_columns(services, [member_hours(m) for m in minutes], ratings)
            score = scores[mine]
            result.update(services=int(services[mine]), hours=member_hours(minutes[mine]),
                          score=score, rank=shared_ranks(scores, services)[mine])
    if result["rank"] is None:
        result["summary"] = f"{period.label}：{NOT_RANKED}"
    else:
        result["summary"] = (f"{period.label}：服务 {result['services']} 次、"
                             f"{result['hours']} 小时，社区排名第 {result['rank']} 名")
    return result
