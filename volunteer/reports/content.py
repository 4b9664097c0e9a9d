"""What each report says, to whom: shared content and per-recipient payloads.

Figures come from ``stats.figures`` (SQL aggregates over the whole scope at once); the
Python here only routes rows to recipients.
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select

from volunteer.auth.models import User
from volunteer.commendations.services import list_commendations
from volunteer.core.periods import Period
from volunteer.core.time import format_local
from volunteer.extensions import db
from volunteer.members.models import MemberSkill
from volunteer.stats import figures
from volunteer.stats.score import EXPLANATION, rank_rows
from volunteer.tasks.models import Task, TaskSkill

MAX_SUGGESTED_TASKS = 5
CANDIDATES_PER_STREET = 10


def _staff(role: str) -> list[User]:
    return list(db.session.scalars(select(User).where(User.role == role, User.active.is_(True))))


def _unreachable_members() -> set[int]:
    """Members no longer to be written to (deactivated, or deleted at their request).

    They still count in the figures of the periods they served in; they get no report.
    """
    return set(db.session.scalars(select(User.id).where(User.role == "member",
                                                         User.active.is_(False))))


def _open_tasks_by_community(period: Period, now: datetime) -> dict[int, list[dict]]:
    """Open tasks of the month (not started, slots left) per community, with wanted skills."""
    start = max(now, period.start_utc)
    stmt = (select(Task.id, Task.community_id, Task.title, Task.starts_at, TaskSkill.tag)
            .outerjoin(TaskSkill, TaskSkill.task_id == Task.id)
            .where(Task.status == "open", Task.starts_at >= start,
                   Task.starts_at < period.end_utc, Task.slots_taken < Task.slots)
            .order_by(Task.starts_at, Task.id))
    tasks: dict[int, dict] = {}
    for task_id, community_id, title, starts_at, tag in db.session.execute(stmt):
        task = tasks.setdefault(task_id, {"id": task_id, "community_id": community_id,
                                          "title": title, "starts_at": format_local(starts_at),
                                          "skills": set()})
        if tag:
            task["skills"].add(tag)
    by_community: dict[int, list[dict]] = defaultdict(list)
    for task in tasks.values():
        by_community[task["community_id"]].append(task)
    return by_community


def _skills_by_member() -> dict[int, set[str]]:
    skills: dict[int, set[str]] = defaultdict(set)
    for user_id, tag in db.session.execute(select(MemberSkill.user_id, MemberSkill.tag)):
        skills[user_id].add(tag)
    return skills


def _brief(task: dict) -> dict:
    return {"id": task["id"], "title": task["title"], "starts_at": task["starts_at"]}


def monthly_reminder(period: Period, now: datetime) -> tuple[dict, list[dict]]:
    """一月一提醒: last month's service for each member, this month's matching open tasks."""
    last = period.previous()
    two_months = Period("range", last.previous().start, last.end)
    rows = figures.member_rows(last)
    recent = {r["id"]: r["services"] for r in figures.member_rows(two_months)}
    tasks = _open_tasks_by_community(period, now)
    skills = _skills_by_member()
    unreachable = _unreachable_members()
    recipients = []
    for row in rows:
        if row["id"] in unreachable:
            continue
        mine = skills.get(row["id"], set())
        offered = tasks.get(row["community_id"], [])
        matching = [t for t in offered if not t["skills"] or t["skills"] & mine]
        nudge = row["services"] == 0 and row["wishes"] == 0
        payload = {"audience": "member", "last_period": last.label, "services": row["services"],
                   "hours": row["hours"], "wishes": row["wishes"], "nudge": nudge,
                   "open_tasks": len(offered),
                   "matching_tasks": [_brief(t) for t in matching[:MAX_SUGGESTED_TASKS]]}
        if nudge:
            body = (f"{last.label}您还没有参加社区服务。"
                    f"本月社区发布了 {len(offered)} 个服务项目，"
                    "欢迎抽空认领，和邻里一起守护我们的家园。")
        else:
            body = (f"{last.label}您参加服务 {row['services']} 次，服务时长 {row['hours']} 小时，"
                    f"圆梦微心愿 {row['wishes']} 个。"
                    f"本月社区有 {len(matching)} 个服务项目与您相符，欢迎认领。")
        recipients.append({"user_id": row["id"], "audience": "member", "email": row["email"],
                           "title": f"一月一提醒：{period.label}", "body": body,
                           "payload": payload})
    by_branch: dict[int, list[dict]] = defaultdict(list)
    idle_by_community: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        figures_row = {"id": row["id"], "name": row["name"], "services": row["services"],
                       "hours": row["hours"]}
        if row["branch_id"]:
            by_branch[row["branch_id"]].append(figures_row)
        if not recent.get(row["id"]):
            idle_by_community[row["community_id"]].append({"id": row["id"], "name": row["name"]})
    for secretary in _staff("branch_secretary"):
        members = by_branch.get(secretary.branch_id, [])
        active = sum(1 for m in members if m["services"])
        recipients.append({
            "user_id": secretary.id, "audience": "branch_secretary", "email": secretary.email,
            "title": f"一月一提醒：{period.label}支部党员服务情况",
            "body": f"{last.label}支部 {len(members)} 名党员中 {active} 人参加了服务，名单见报告。",
            "payload": {"audience": "branch_secretary", "last_period": last.label,
                        "members": members}})
    for secretary in _staff("community_secretary"):
        idle = idle_by_community.get(secretary.community_id, [])
        recipients.append({
            "user_id": secretary.id, "audience": "community_secretary",
            "email": secretary.email, "title": f"一月一提醒：{period.label}社区提醒",
            "body": f"社区有 {len(idle)} 名党员连续两个月没有参加服务，名单见报告。",
            "payload": {"audience": "community_secretary", "last_period": two_months.label,
                        "idle_members": idle}})
    shared = {"period": period.key, "label": period.label, "last_period": last.label,
              "members": len(rows), "nudged": sum(1 for r in rows if r["services"] == 0)}
    return shared, recipients


def quarterly_bulletin(period: Period, now: datetime) -> tuple[dict, list[dict]]:
    """一季一通报: figures and ranks per street, community, unit and branch."""
    tables = {level: figures.group_rows(level, period, now=now)
              for level in ("street", "community", "unit", "branch")}
    shared = {"period": period.key, "label": period.label, "tables": tables}
    title = f"一季一通报：{period.label}"
    recipients = []
    for admin in _staff("district_admin"):
        recipients.append({"user_id": admin.id, "audience": "district", "email": admin.email,
                           "title": title,
                           "body": f"{period.label}全区在职党员服务情况通报已发布。",
                           "payload": {"audience": "district"}})
    communities = tables["community"]
    members_by_unit: dict[int, list[dict]] = defaultdict(list)
    for row in figures.member_rows(period):
        members_by_unit[row["unit_id"]].append(_member_brief(row))
    for reviewer in _staff("street_reviewer"):
        street = next((s for s in tables["street"] if s["id"] == reviewer.street_id), None)
        mine = [c for c in communities if c["parent_id"] == reviewer.street_id]
        recipients.append({
            "user_id": reviewer.id, "audience": "street", "email": reviewer.email,
            "title": title, "body": _street_line(period, street),
            "payload": {"audience": "street", "street": street, "communities": mine}})
    for secretary in _staff("community_secretary"):
        row = next((c for c in communities if c["id"] == secretary.community_id), None)
        peers = sum(1 for c in communities if row and c["parent_id"] == row["parent_id"])
        body = _community_line(period, row, peers)
        recipients.append({"user_id": secretary.id, "audience": "community",
                           "email": secretary.email, "title": title, "body": body,
                           "payload": {"audience": "community", "community": row,
                                       "peers": peers}})
    for contact in _staff("unit_contact"):
        row = next((u for u in tables["unit"] if u["id"] == contact.unit_id), None)
        members = members_by_unit.get(contact.unit_id, [])
        recipients.append({
            "user_id": contact.id, "audience": "unit", "email": contact.email, "title": title,
            "body": f"{period.label}本单位 {len(members)} 名在职党员的社区服务情况已通报。",
            "payload": {"audience": "unit", "unit": row, "members": members}})
    return shared, recipients


def _community_line(period: Period, row: dict | None, peers: int) -> str:
    if not row:
        return f"{period.label}通报已发布。"
    figures_text = (f"{period.label}本社区参与率 {row['participation']:.0%}，"
                    f"服务时长 {row['hours']} 小时，")
    if row["rank_in_parent"] is None:
        return figures_text + "本期没有党员参加服务，未参与街道排名。"
    return (figures_text + f"综合评分 {row['score']}，"
            f"在街道 {peers} 个社区中排名第 {row['rank_in_parent']}。")


def _street_line(period: Period, street: dict | None) -> str:
    if not street:
        return f"{period.label}通报已发布。"
    figures_text = (f"{period.label}{street['name']}参与率 {street['participation']:.0%}，"
                    f"服务时长 {street['hours']} 小时，")
    if street["rank"] is None:
        return figures_text + "本期没有党员参加服务，未参与全区排名。"
    return figures_text + f"综合评分 {street['score']}，在全区排名第 {street['rank']}。"


def _member_brief(row: dict) -> dict:
    return {key: row[key] for key in ("id", "name", "services", "hours", "wishes",
                                      "avg_quality", "avg_satisfaction")}


def half_year_summary(period: Period, now: datetime) -> tuple[dict, list[dict]]:
    """半年一总结: each member's half year and rank; units' members; street candidates.

    Ranks and candidates follow the evaluation score (``stats.score``), normalised within the
    community (a member's rank) or the street (candidates); commendations of the half year
    (评优, quarters included) are listed for the member, their unit and their street.
    """
    rows = figures.member_rows(period)
    honours: dict[int, list[dict]] = defaultdict(list)
    for item in list_commendations(within=period):
        honours[item.member_id].append({"period": item.period, "label": item.period_label,
                                        "citation": item.citation})
    by_community: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_community[row["community_id"]].append(dict(row))
    ranks = {}
    for members in by_community.values():
        rank_rows(members)
        ranked = sum(1 for row in members if row["rank"] is not None)  # 未参与 not counted
        for row in members:
            ranks[row["id"]] = (row["rank"], ranked, row["score"])
    unreachable = _unreachable_members()
    recipients = []
    for row in rows:
        if row["id"] in unreachable:
            continue
        rank, of, score = ranks[row["id"]]
        mine = honours.get(row["id"], [])
        honour = "".join(f"您被评为{h['label']}模范志愿者。" for h in mine)
        if rank is None:
            body = (f"{period.label}您没有参加已确认的社区服务，未参与排名。"
                    f"圆梦微心愿 {row['wishes']} 个。{honour}"
                    "社区每月都有服务项目，欢迎认领，和邻里一起守护我们的家园。")
        else:
            body = (f"{period.label}您参加服务 {row['services']} 次，服务时长 {row['hours']} 小时，"
                    f"圆梦微心愿 {row['wishes']} 个，综合评分 {score}，"
                    f"在社区 {of} 名参加服务的党员中排名第 {rank}。{honour}感谢您的付出！")
        recipients.append({"user_id": row["id"], "audience": "member", "email": row["email"],
                           "title": f"半年一总结：{period.label}", "body": body,
                           "payload": {"audience": "member", **_member_brief(row),
                                       "score": score, "rank": rank, "of": of,
                                       "commendations": mine}})
    by_unit: dict[int, list[dict]] = defaultdict(list)
    by_street: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_unit[row["unit_id"]].append({**_member_brief(row),
                                        "commendations": honours.get(row["id"], [])})
        by_street[row["street_id"]].append(dict(row))
    for contact in _staff("unit_contact"):
        members = by_unit.get(contact.unit_id, [])
        recipients.append({
            "user_id": contact.id, "audience": "unit", "email": contact.email,
            "title": f"半年一总结：{period.label}本单位党员社区服务",
            "body": f"{period.label}本单位 {len(members)} 名在职党员的社区服务情况见报告。",
            "payload": {"audience": "unit", "members": members}})
    for reviewer in _staff("street_reviewer"):
        ranked = [r for r in rank_rows(by_street.get(reviewer.street_id, [])) if r["services"]]
        candidates = [{**_member_brief(r), "community_id": r["community_id"],
                       "score": r["score"], "rank": r["rank"],
                       "commendations": honours.get(r["id"], [])}
                      for r in ranked[:CANDIDATES_PER_STREET]]
        recipients.append({
            "user_id": reviewer.id, "audience": "street", "email": reviewer.email,
            "title": f"半年一总结：{period.label}模范志愿者候选",
            "body": f"{period.label}按综合评分排序的前 {CANDIDATES_PER_STREET} 名候选人见报告。",
            "payload": {"audience": "street", "candidates": candidates, "score": EXPLANATION}})
    shared = {"period": period.key, "label": period.label, "members": len(rows),
              "active": sum(1 for r in rows if r["services"]),
              "commendations": sum(len(v) for v in honours.values())}
    return shared, recipients
