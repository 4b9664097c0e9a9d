"""generate-district at a tiny scale: deterministic, linked, refuses a filled database."""

from sqlalchemy import func, select

from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.orgs.models import Community, Street
from volunteer.tasks.models import Claim, Task
from volunteer.wishes.models import Wish


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_generate_tiny_district(runner, ctx):
    result = runner.invoke(args=["generate-district", "--scale", "0.005", "--seed", "7"])
    assert result.exit_code == 0, result.output
    assert "已生成" in result.output
    assert _count(Street) == 2 and _count(Community) == 3
    members = _count(User, User.role == "member")
    assert members == 135
    claims = _count(Claim)
    assert 0 < claims <= _count(Task) * 14
    # claims link to members of the task's community, once per task
    stray = db.session.scalar(select(func.count()).select_from(Claim).join(Task).join(
        User, User.id == Claim.member_id).where(User.community_id != Task.community_id))
    assert stray == 0
    assert _count(Wish, Wish.status == "confirmed") > 0
    db.session.commit()  # end the read transaction (SQLite's write lock) before the CLI runs
    again = runner.invoke(args=["generate-district", "--scale", "0.005"])
    assert again.exit_code != 0 and "空数据库" in again.output


def test_generation_is_deterministic(app, ctx):
    from datetime import UTC, datetime

    from volunteer.seed.generate import generate

    now = datetime(2026, 11, 1, tzinfo=UTC)
    generate(scale=0.003, seed=11, now=now)
    first = db.session.execute(select(Claim.task_id, Claim.member_id).order_by(Claim.id)).all()
    names = db.session.scalars(select(User.name).order_by(User.id)).all()
    db.session.rollback()
    generate(scale=0.003, seed=11, now=now)
    assert db.session.execute(select(Claim.task_id, Claim.member_id).order_by(
        Claim.id)).all() == first
    assert db.session.scalars(select(User.name).order_by(User.id)).all() == names
    db.session.rollback()
