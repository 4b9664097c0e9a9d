"""集结号: declaring a call to a control area, members' answers, posts and shifts, closing.

Every approved member living in the control area (a whole community, or one of its grids) is
told at once, in the inbox and by e-mail where an address is known. Each answers "响应报到" or
"无法报到" (and may change the answer while the call is open); the community's secretary sees
the live roster of their community's members — answers, skills, phones — and gives those who
report a post and a shift; a functional branch's secretary follows their branch's members. The
district admin declares anywhere, a street reviewer inside their street; whoever may declare it
closes it.
"""

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.auth.permissions import mask_phone, phone_rule
from volunteer.core.errors import InvalidState, NotAllowed, NotFound, ValidationFailed
from volunteer.core.skills import skill_label
from volunteer.core.text import clean_text
from volunteer.core.time import format_local, utcnow
from volunteer.extensions import db
from volunteer.mobilisation.models import (
    ANSWERS,
    Mobilisation,
    MobilisationArea,
    MobilisationPost,
    MobilisationReply,
)
from volunteer.mobilisation.permissions import (
    COMMUNITY_STAFF,
    can_assign,
    can_declare,
    can_manage,
    can_view,
    is_addressed,
    is_area_branch_secretary,
    is_area_staff,
    reaches_reviewers_street,
)
from volunteer.notifications.services import notify, notify_many
from volunteer.orgs.models import Community, Grid
from volunteer.orgs.services import community_picker, grid_picker

TITLE_MAX, MESSAGE_MAX, POST_NAME_MAX, SHIFT_MAX, NOTE_MAX = 80, 1000, 40, 40, 200
MAX_POSTS, MAX_NEEDED, MAX_AREAS = 20, 10000, 300


# ---------------------------------------------------------------- the roster's reach


def roster_community(user, mobilisation: Mobilisation) -> int | None:
    """The community whose members' roster rows ``user`` sees (None: every community the call
    reaches, narrowed to their street for another street's reviewer)."""
    if can_manage(user, mobilisation) or reaches_reviewers_street(user, mobilisation):
        return None
    if is_area_staff(user, mobilisation) or is_area_branch_secretary(user, mobilisation):
        return user.community_id
    raise NotAllowed("只有集结区域的社区书记、网格员、功能型党支部书记和发起人可以查看报到名单")


# ---------------------------------------------------------------- declaring


def area_choices(actor) -> tuple[list[tuple[str, int, str]], list[tuple[str, int, str]]]:
    """The communities and grids ``actor`` may call — their street's for a street reviewer,
    every one for the district admin — as (group, id, name) rows: communities grouped by
    street, grids by street and community, each sorted by name."""
    street_id = None if actor.role == "district_admin" else actor.street_id
    return community_picker(street_id), grid_picker(street_id)


def _ids(errors: dict, field: str, values) -> list[int]:
    if values is None:
        return []
    if not isinstance(values, list | tuple) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values):
        errors[field] = "应为编号列表"
        return []
    if len(values) > MAX_AREAS:
        errors[field] = f"一次最多选择 {MAX_AREAS} 个"
        return []
    return sorted(set(values))


def _clean_posts(errors: dict, posts) -> list[tuple[str, int]]:
    if not isinstance(posts, list | tuple) or not posts:
        errors["posts"] = "请至少设置一个岗位"
        return []
    if len(posts) > MAX_POSTS:
        errors["posts"] = f"最多设置 {MAX_POSTS} 个岗位"
        return []
    clean, seen = [], set()
    for number, post in enumerate(posts, start=1):
        name = post.get("name") if isinstance(post, dict) else None
        needed = post.get("needed") if isinstance(post, dict) else None
        if not isinstance(name, str) or not name.strip():
            errors["posts"] = f"第 {number} 个岗位缺少名称"
            break
        name = name.strip()
        if len(name) > POST_NAME_MAX:
            errors["posts"] = f"第 {number} 个岗位名称不能超过 {POST_NAME_MAX} 个字符"
            break
        if isinstance(needed, bool) or not isinstance(needed, int) or \
                not 0 < needed <= MAX_NEEDED:
            errors["posts"] = f"第 {number} 个岗位的人数应为 1–{MAX_NEEDED} 的整数"
            break
        if name in seen:
            errors["posts"] = f"岗位“{name}”重复"
            break
        seen.add(name)
        clean.append((name, needed))
    return clean


def count_area_members(community_ids, grids) -> int:
    """How many approved members live in the area: the whole communities, and the grids of
    other communities."""
    reached = []
    if community_ids:
        reached.append(User.community_id.in_(community_ids))
    grid_ids = [g.id for g in grids if g.community_id not in set(community_ids)]
    if grid_ids:
        reached.append(User.grid_id.in_(grid_ids))
    if not reached:
        return 0
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "member", User.status == "approved", User.active.is_(True),
        or_(*reached)))


def _bound_posts(errors: dict, posts: list[tuple[str, int]], community_ids, grids) -> None:
    """No post needs more people than live in the area (the message names the number); the
    posts together may, since members take them in shifts."""
    members = count_area_members(community_ids, grids)
    for name, needed in posts:
        if needed > members:
            errors["posts"] = (f"集结区域内共有 {members} 名已审核党员，岗位“{name}”需要 "
                               f"{needed} 人，超过了这个数，请减少到 {members} 人以内")
            return


def parse_posts(text: str) -> list[dict]:
    """The page's posts box — one post a line, its name then the number needed
    (``卡口值守 6``) — as the service's ``posts``; a line it cannot read is named."""
    posts = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, _space, needed = line.replace("\u3000", " ").rpartition(" ")
        if not name.strip() or not needed.strip().isdigit():
            raise ValidationFailed(fields={
                "posts": f"第 {number} 行应为“岗位名称 人数”，例如“卡口值守 6”"})
        posts.append({"name": name.strip(), "needed": int(needed)})
    return posts


def check_declaration(actor, *, title, message, community_ids=None, grid_ids=None,
                      posts=None) -> tuple:
    """A call's fields checked as ``declare`` checks them, writing nothing: the clean title,
    message, community ids, communities, grids and posts, or one ValidationFailed naming every
    bad field."""
    if not can_declare(actor):
        raise NotAllowed("只有区级管理员或街道审核员可以发出集结号")
    errors: dict[str, str] = {}
    title = clean_text(errors, "title", title, TITLE_MAX)
    message = clean_text(errors, "message", message, MESSAGE_MAX)
    community_ids = _ids(errors, "community_ids", community_ids)
    grid_ids = _ids(errors, "grid_ids", grid_ids)
    clean_posts = _clean_posts(errors, posts)
    street_id = actor.street_id if actor.role == "street_reviewer" else None
    communities = {c.id: c for c in db.session.scalars(
        select(Community).where(Community.id.in_(community_ids)))} if community_ids else {}
    grids = {g.id: g for g in db.session.scalars(
        select(Grid).where(Grid.id.in_(grid_ids)))} if grid_ids else {}
    if "community_ids" not in errors and len(communities) < len(community_ids):
        errors["community_ids"] = "包含不存在的社区"
    if "grid_ids" not in errors and len(grids) < len(grid_ids):
        errors["grid_ids"] = "包含不存在的网格"
    if street_id is not None:
        if any(c.street_id != street_id for c in communities.values()):
            errors["community_ids"] = "只能选择本街道的社区"
        if any(g.community.street_id != street_id for g in grids.values()):
            errors["grid_ids"] = "只能选择本街道的网格"
    if not community_ids and not grid_ids and not {"community_ids", "grid_ids"} & set(errors):
        errors["community_ids"] = "请选择集结区域（社区或网格）"
    if clean_posts and not {"community_ids", "grid_ids"} & set(errors):
        _bound_posts(errors, clean_posts, list(communities), list(grids.values()))
    if errors:
        raise ValidationFailed(fields=errors)
    return title, message, community_ids, communities, grids, clean_posts, street_id


def declare(actor, *, title, message, community_ids=None, grid_ids=None, posts=None,
            now: datetime | None = None) -> Mobilisation:
    """Sound a call: check the area and posts, save it, tell every member living there and the
    area's community staff at once. Answers the call (``members_told`` set)."""
    title, message, community_ids, communities, grids, clean_posts, street_id = \
        check_declaration(actor, title=title, message=message, community_ids=community_ids,
                          grid_ids=grid_ids, posts=posts)
    now = now or utcnow()
    mobilisation = Mobilisation(title=title, message=message, street_id=street_id,
                                declared_by_id=actor.id, status="active", created_at=now)
    mobilisation.areas = [MobilisationArea(community_id=c) for c in community_ids] + [
        MobilisationArea(community_id=g.community_id, grid_id=g.id) for g in grids.values()
        if g.community_id not in communities]  # a grid of a whole community adds nobody
    mobilisation.posts = [MobilisationPost(name=name, needed=needed)
                          for name, needed in clean_posts]
    db.session.add(mobilisation)
    db.session.flush()
    members = db.session.execute(
        select(User.id, User.email).where(*_addressed_conditions(mobilisation))).all()
    link = f"/mobilisations/{mobilisation.id}"
    posts_text = "、".join(f"{name} {needed} 人" for name, needed in clean_posts)
    notify_many([{"user_id": member_id, "kind": "mobilisation_call",
                  "title": f"集结号：{title}", "link": link, "email": email,
                  "body": f"{message}\n\n岗位：{posts_text}\n请尽快回复“响应报到”或“无法报到”。"}
                 for member_id, email in members], "mobilisation_call", now=now)
    staff = db.session.scalars(select(User).where(
        User.role.in_(COMMUNITY_STAFF), User.active.is_(True),
        User.community_id.in_(mobilisation.community_ids)))
    for person in staff:
        notify(person, "mobilisation_call", f"集结号：{title}",
               f"{message}\n\n请在报到名单中查看本社区党员的回复，并为报到党员安排岗位和班次。",
               link=link)
    mobilisation.members_told = len(members)
    record_action(actor, "declare_mobilisation", mobilisation, title=title,
                  communities=community_ids, grids=grid_ids, members=len(members))
    return mobilisation


def _addressed_conditions(mobilisation: Mobilisation) -> list:
    """Conditions on ``User`` selecting the approved members the call reaches."""
    whole = [a.community_id for a in mobilisation.areas if a.grid_id is None]
    grids = [a.grid_id for a in mobilisation.areas if a.grid_id is not None]
    reached = []
    if whole:
        reached.append(User.community_id.in_(whole))
    if grids:
        reached.append(User.grid_id.in_(grids))
    return [User.role == "member", User.status == "approved", User.active.is_(True),
            or_(*reached)]


# ---------------------------------------------------------------- answering and assigning


def _open(mobilisation: Mobilisation) -> None:
    if mobilisation.status != "active":
        raise InvalidState("该集结号已结束")


def reply(member, mobilisation: Mobilisation, answer, note=None,
          now: datetime | None = None) -> MobilisationReply:
    """A member answers (or changes their answer). Answering "无法报到" gives up any post."""
    if not is_addressed(member, mobilisation):
        raise NotAllowed("只有居住在集结区域的已审核党员可以回复")
    _open(mobilisation)
    errors: dict[str, str] = {}
    if answer not in ANSWERS:
        errors["answer"] = "应为 reporting（响应报到）或 cannot（无法报到）"
    note = clean_text(errors, "note", note, NOTE_MAX, required=False) or None
    if errors:
        raise ValidationFailed(fields=errors)
    now = now or utcnow()
    row = _reply_of(mobilisation.id, member.id)
    if row is None:
        try:  # two presses at once: the unique key keeps one row, the other updates it
            with db.session.begin_nested():
                row = MobilisationReply(mobilisation_id=mobilisation.id, member_id=member.id,
                                        answer=answer, note=note, answered_at=now)
                db.session.add(row)
        except IntegrityError:
            row = _reply_of(mobilisation.id, member.id)
    row.answer, row.note, row.answered_at = answer, note, now
    if answer == "cannot":
        row.post_id = row.shift = row.assigned_by_id = row.assigned_at = None
    db.session.flush()
    return row


def _reply_of(mobilisation_id: int, member_id: int) -> MobilisationReply | None:
    return db.session.scalar(select(MobilisationReply).where(
        MobilisationReply.mobilisation_id == mobilisation_id,
        MobilisationReply.member_id == member_id))


def assign(actor, mobilisation: Mobilisation, member_id, post_id, shift=None,
           now: datetime | None = None) -> MobilisationReply:
    """The secretary gives a member who reported a post and a shift (``post_id`` None takes
    the post back); the member is told."""
    member = db.session.get(User, member_id) if isinstance(member_id, int) and not isinstance(
        member_id, bool) else None
    if member is None or not is_addressed(member, mobilisation):
        raise NotFound("该党员不在集结区域内")
    if not can_assign(actor, mobilisation, member):
        raise NotAllowed("只有党员居住社区的书记可以安排岗位")
    _open(mobilisation)
    errors: dict[str, str] = {}
    post = None
    if post_id is not None:
        post = db.session.get(MobilisationPost, post_id) if isinstance(
            post_id, int) and not isinstance(post_id, bool) else None
        if post is None or post.mobilisation_id != mobilisation.id:
            errors["post_id"] = "岗位不属于该集结号"
    shift = clean_text(errors, "shift", shift, SHIFT_MAX, required=False) or None
    if errors:
        raise ValidationFailed(fields=errors)
    row = _reply_of(mobilisation.id, member.id)
    if row is None or row.answer != "reporting":
        raise InvalidState("只能为已回复“响应报到”的党员安排岗位")
    row.post_id = post.id if post else None
    row.shift = shift if post else None
    row.assigned_by_id, row.assigned_at = (actor.id, now or utcnow()) if post else (None, None)
    db.session.flush()
    link = f"/mobilisations/{mobilisation.id}"
    if post:
        notify(member, "mobilisation_post", f"集结号岗位安排：{post.name}",
               f"{mobilisation.title}：请到“{post.name}”岗位"
               + (f"，班次 {shift}" if shift else "") + "。", link=link)
    else:
        notify(member, "mobilisation_post", "集结号岗位已取消",
               f"{mobilisation.title}：社区已取消为你安排的岗位，请等待新的安排。", link=link)
    record_action(actor, "assign_mobilisation_post", mobilisation, member_id=member.id,
                  post=post.name if post else None, shift=shift)
    return row


def close(actor, mobilisation: Mobilisation, now: datetime | None = None) -> Mobilisation:
    """End the call; the members who reported are thanked."""
    if not can_manage(actor, mobilisation):
        raise NotAllowed("只有发起集结号的街道审核员或区级管理员可以结束")
    _open(mobilisation)
    now = now or utcnow()
    mobilisation.status, mobilisation.closed_at = "closed", now
    reported = db.session.scalars(select(MobilisationReply.member_id).where(
        MobilisationReply.mobilisation_id == mobilisation.id,
        MobilisationReply.answer == "reporting")).all()
    notify_many([{"user_id": member_id, "kind": "mobilisation_closed",
                  "title": f"集结号已结束：{mobilisation.title}",
                  "body": "感谢你的报到和坚守！", "link": f"/mobilisations/{mobilisation.id}"}
                 for member_id in reported], "mobilisation_closed", now=now)
    record_action(actor, "close_mobilisation", mobilisation, reported=len(reported))
    return mobilisation


# ---------------------------------------------------------------- reading


def get_mobilisation(viewer, mobilisation_id) -> Mobilisation:
    """A call ``viewer`` may see, or NotFound (also for calls out of their reach)."""
    mobilisation = db.session.get(Mobilisation, mobilisation_id) if isinstance(
        mobilisation_id, int) else None
    if mobilisation is None or not can_view(viewer, mobilisation):
        raise NotFound("找不到该集结号")
    return mobilisation


def list_stmt(viewer):
    """The calls ``viewer`` may see, newest first."""
    areas = selectinload(Mobilisation.areas)  # with their names: a list shows them all
    stmt = select(Mobilisation).options(
        areas.selectinload(MobilisationArea.community), areas.selectinload(MobilisationArea.grid),
        selectinload(Mobilisation.posts)).order_by(
        Mobilisation.created_at.desc(), Mobilisation.id.desc())
    area = select(MobilisationArea.mobilisation_id)
    if viewer.role == "district_admin":
        return stmt
    if viewer.role == "street_reviewer":
        reaching = area.join(Community, Community.id == MobilisationArea.community_id).where(
            Community.street_id == viewer.street_id)
        return stmt.where(or_(Mobilisation.street_id == viewer.street_id,
                              Mobilisation.id.in_(reaching)))
    if viewer.role in (*COMMUNITY_STAFF, "branch_secretary"):
        return stmt.where(Mobilisation.id.in_(
            area.where(MobilisationArea.community_id == viewer.community_id)))
    if viewer.role == "member" and viewer.status == "approved":
        reached = [and_(MobilisationArea.grid_id.is_(None),
                        MobilisationArea.community_id == viewer.community_id)]
        if viewer.grid_id is not None:
            reached.append(MobilisationArea.grid_id == viewer.grid_id)
        return stmt.where(Mobilisation.id.in_(area.where(or_(*reached))))
    return stmt.where(False)


def awaiting_answer(member) -> list[Mobilisation]:
    """The open calls that reach ``member`` and that they have not answered yet."""
    if member is None or member.role != "member" or member.status != "approved":
        return []
    answered = select(MobilisationReply.mobilisation_id).where(
        MobilisationReply.member_id == member.id)
    return list(db.session.scalars(list_stmt(member).where(
        Mobilisation.status == "active", Mobilisation.id.not_in(answered))))


def my_reply(member, mobilisation: Mobilisation) -> MobilisationReply | None:
    if member is None or member.role != "member":
        return None
    return _reply_of(mobilisation.id, member.id)


ROSTER_FILTERS = ("reporting", "cannot", "none", "assigned", "unassigned")


def _roster_parts(viewer, mobilisation: Mobilisation) -> tuple[list, object]:
    """The conditions on ``User`` selecting the roster rows ``viewer`` sees, and the outer
    join's condition bringing each member's reply."""
    community_id = roster_community(viewer, mobilisation)
    conditions = _addressed_conditions(mobilisation)
    if community_id is not None:
        conditions.append(User.community_id == community_id)
        if viewer.role == "branch_secretary":
            conditions.append(User.branch_id == viewer.branch_id)
    elif not can_manage(viewer, mobilisation):  # another street's reviewer: their street
        conditions.append(User.street_id == viewer.street_id)
    r = MobilisationReply
    return conditions, and_(r.member_id == User.id, r.mobilisation_id == mobilisation.id)


def roster_stmt(viewer, mobilisation: Mobilisation, show: str | None = None):
    """The members on the roster ``viewer`` may see — every member the call reaches, in their
    community for a community's staff — reported first, then by community and name (their
    answers: ``replies_of``). ``show``: reporting, cannot, none (no answer yet), assigned,
    unassigned (reported, no post yet)."""
    if show is not None and show not in ROSTER_FILTERS:
        raise ValidationFailed(fields={"show": f"应为 {'、'.join(ROSTER_FILTERS)} 之一"})
    conditions, onclause = _roster_parts(viewer, mobilisation)
    r = MobilisationReply
    stmt = (select(User).outerjoin(r, onclause).where(*conditions)
            .options(selectinload(User.skills))
            .order_by(case((r.answer == "reporting", 0), (r.answer == "cannot", 1), else_=2),
                      User.community_id, User.name, User.id))
    if show in ("reporting", "cannot"):
        stmt = stmt.where(r.answer == show)
    elif show == "none":
        stmt = stmt.where(r.id.is_(None))
    elif show == "assigned":
        stmt = stmt.where(r.answer == "reporting", r.post_id.is_not(None))
    elif show == "unassigned":
        stmt = stmt.where(r.answer == "reporting", r.post_id.is_(None))
    return stmt


def replies_of(mobilisation: Mobilisation, members) -> dict[int, MobilisationReply]:
    """The answers of some members (a page of the roster), by member id."""
    ids = [member.id for member in members]
    if not ids:
        return {}
    return {row.member_id: row for row in db.session.scalars(
        select(MobilisationReply).options(selectinload(MobilisationReply.post)).where(
            MobilisationReply.mobilisation_id == mobilisation.id,
            MobilisationReply.member_id.in_(ids)))}


def counts(viewer, mobilisation: Mobilisation) -> dict:
    """How many the call reaches (in the viewer's part of the roster), have answered each way,
    have no answer yet; per post, how many hold it against how many it needs."""
    conditions, onclause = _roster_parts(viewer, mobilisation)
    r = MobilisationReply
    reached, reporting, cannot = db.session.execute(
        select(func.count(), func.count(case((r.answer == "reporting", 1))),
               func.count(case((r.answer == "cannot", 1))))
        .select_from(User).outerjoin(r, onclause).where(*conditions)).one()
    held = dict(db.session.execute(
        select(r.post_id, func.count()).select_from(User).join(r, onclause)
        .where(*conditions, r.post_id.is_not(None)).group_by(r.post_id)).all())
    posts = [{"id": p.id, "name": p.name, "needed": p.needed, "assigned": held.get(p.id, 0)}
             for p in mobilisation.posts]
    return {"reached": reached, "reporting": reporting, "cannot": cannot,
            "unanswered": reached - reporting - cannot, "posts": posts}


ROSTER_COLUMNS = [("name", "姓名"), ("phone", "手机号"), ("community", "社区"), ("grid", "网格"),
                  ("skills", "专长"), ("answer", "回复"), ("note", "备注"),
                  ("answered_at", "回复时间"), ("post", "岗位"), ("shift", "班次")]


def roster_rows(viewer, mobilisation: Mobilisation, show: str | None = None) -> Iterator[dict]:
    """The roster ``viewer`` may see as row dicts (``ROSTER_COLUMNS``), in roster order, for
    the Excel download; phones as the viewer may see them. The roster is read (and the viewer
    checked) here, before any file is written; the rows are made as they are written."""
    members = db.session.scalars(roster_stmt(viewer, mobilisation, show)).all()
    communities = dict(db.session.execute(select(Community.id, Community.name).where(
        Community.id.in_(mobilisation.community_ids))).all())
    grids = dict(db.session.execute(select(Grid.id, Grid.name).where(
        Grid.community_id.in_(mobilisation.community_ids))).all())
    visible = phone_rule(viewer)

    def rows() -> Iterator[dict]:
        for start in range(0, len(members), 1000):
            chunk = members[start:start + 1000]
            replies = replies_of(mobilisation, chunk)
            for member in chunk:
                row = replies.get(member.id)
                yield {"name": member.name,
                       "phone": member.phone if visible(member.id, member.community_id)
                       else mask_phone(member.phone),
                       "community": communities.get(member.community_id, ""),
                       "grid": grids.get(member.grid_id, ""),
                       "skills": "、".join(skill_label(tag) for tag in member.skill_tags),
                       "answer": row.answer_label if row else "未回复",
                       "note": row.note if row else None,
                       "answered_at": format_local(row.answered_at) if row else None,
                       "post": row.post.name if row and row.post else None,
                       "shift": row.shift if row else None}

    return rows()
