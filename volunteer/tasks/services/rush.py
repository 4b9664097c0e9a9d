"""The fast refusal path of a claim rush: the refusals a claim would get, decided from one
read before the regular path loads anything (the claim rule itself is in ``claiming``)."""

from datetime import datetime
from functools import wraps
from types import SimpleNamespace

from flask import request
from sqlalchemy import bindparam, exists, select

from volunteer.auth.models import ApiToken, User
from volunteer.auth.services import read_api_token, token_is_live
from volunteer.core.errors import NotFound
from volunteer.core.metrics import counts_claims
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.tasks.models import Claim, Task
from volunteer.tasks.permissions import can_view_task
from volunteer.tasks.services.claiming import _refuse_early, claim_task
from volunteer.tasks.services.reading import get_task

_tasks, _claims = Task.__table__, Claim.__table__
# what a claim is first decided on: the task's columns and whether the member already holds a
# live claim on it, in one Core statement built once (no ORM load, no per-request compile)
_CLAIM_FACTS = select(
    _tasks.c.id, _tasks.c.status, _tasks.c.visibility, _tasks.c.community_id,
    _tasks.c.street_id, _tasks.c.starts_at, _tasks.c.slots, _tasks.c.slots_taken,
    exists().where(_claims.c.task_id == _tasks.c.id,
                   _claims.c.member_id == bindparam("member_id"),
                   _claims.c.status == "claimed").label("holds_claim"),
).where(_tasks.c.id == bindparam("task_id"))


@counts_claims()
def claim_task_by_id(member, task_id: int, now: datetime | None = None) -> Claim:
    """认领 by task id (the API): the same rules and answers as ``get_task`` then
    ``claim_task``. In a rush almost every request is refused (full, closed), so the refusals
    are decided from one Core row; only a request that may win loads the task and claims."""
    now = now or utcnow()
    if member.role != "member" or not isinstance(task_id, int):
        return claim_task(member, get_task(member, task_id), now)
    facts = db.session.execute(_CLAIM_FACTS, {"task_id": task_id, "member_id": member.id}).first()
    if facts is None or not can_view_task(member, facts):
        raise NotFound("找不到该服务项目")
    _refuse_early(member, facts, now, lambda: facts.holds_claim)
    return claim_task(member, db.session.get(Task, task_id), now)


_users, _tokens = User.__table__, ApiToken.__table__
# a claim rush on PostgreSQL: the bearer token, its member and the claim facts in one read
_RUSH_FACTS = (
    select(_users.c.id, _users.c.role, _users.c.status, _users.c.active,
           _users.c.must_change_password,
           _users.c.session_version.label("user_version"), _users.c.community_id,
           _users.c.street_id, _tokens.c.secret_hash,
           _tokens.c.session_version.label("token_version"), _tokens.c.revoked_at,
           _tokens.c.expires_at, _tasks.c.id.label("task_id"),
           _tasks.c.status.label("task_status"), _tasks.c.visibility,
           _tasks.c.community_id.label("task_community_id"),
           _tasks.c.street_id.label("task_street_id"), _tasks.c.starts_at, _tasks.c.slots,
           _tasks.c.slots_taken,
           exists().where(_claims.c.task_id == _tasks.c.id,
                          _claims.c.member_id == _users.c.id,
                          _claims.c.status == "claimed").label("holds_claim"))
    .select_from(_tokens.join(_users, _users.c.id == _tokens.c.user_id)
                 .outerjoin(_tasks, _tasks.c.id == bindparam("task_id")))
    .where(_tokens.c.id == bindparam("token_id"))
)


@counts_claims(successes=False)
def refuse_claim_early(bearer: str, task_id: int, now: datetime | None = None) -> None:
    """Before anyone is logged in: raise the refusal a claim by this bearer token would get
    (404, 403 ``not_approved``, 409 ``task_closed``, ``task_full``, ``already_claimed``).

    In a rush nearly every claim is refused, and this decides it from one read on an
    autocommit connection: no user entity, no session, no BEGIN and ROLLBACK. It returns
    quietly whenever the regular path must answer instead — the request may win, the token is
    not a live member's (401 then comes from the login check), the member must first change a
    temporary password (403 ``password_change_required``) — and on SQLite, where every
    transaction begins with BEGIN IMMEDIATE and a separate connection buys nothing.
    """
    if db.engine.dialect.name != "postgresql" or not isinstance(task_id, int):
        return
    token = read_api_token(bearer)
    if token is None:
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        row = conn.execute(_RUSH_FACTS, {"token_id": token[0], "task_id": task_id}).first()
    if row is None or row.role != "member" or row.must_change_password or not token_is_live(
            token[1], secret_hash=row.secret_hash, revoked_at=row.revoked_at,
            expires_at=row.expires_at, active=row.active, user_version=row.user_version,
            token_version=row.token_version):
        return
    member = SimpleNamespace(id=row.id, role=row.role, status=row.status,
                             community_id=row.community_id, street_id=row.street_id)
    task = SimpleNamespace(id=row.task_id, status=row.task_status, visibility=row.visibility,
                           community_id=row.task_community_id, street_id=row.task_street_id,
                           starts_at=row.starts_at, slots=row.slots,
                           slots_taken=row.slots_taken)
    if row.task_id is None or not can_view_task(member, task):
        raise NotFound("找不到该服务项目")
    _refuse_early(member, task, now or utcnow(), lambda: row.holds_claim)


def refusals_first(view):
    """A claim rush is nearly all refusals: decide those from the bearer token and one read,
    before the login check loads the user (``refuse_claim_early``). The API's claim endpoint
    wears it; it is the one piece of this package that reads the request."""

    @wraps(view)
    def wrapper(task_id: int):
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            refuse_claim_early(header.removeprefix("Bearer ").strip(), task_id)
        return view(task_id)

    # the web layer's eager token check (``web.authenticate``) leaves this view to decide
    # first: its regular path still answers 401 for a token that is not valid
    wrapper.checks_token_itself = True
    return wrapper
