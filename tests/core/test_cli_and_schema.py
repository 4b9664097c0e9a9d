"""The volunteer command, the demo loader, migrations vs models, SQLite settings."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError

from volunteer.auth.models import User
from volunteer.extensions import db


def test_create_admin_reads_password_from_stdin(runner, ctx):
    result = runner.invoke(args=["create-admin", "--phone", "13900001111", "--name", "管理员",
                                 "--password-stdin"], input="Admin-pass-1\n")
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.phone == "13900001111"))
    assert admin.role == "district_admin"


def test_create_admin_refuses_bad_input(runner, ctx):
    weak = runner.invoke(args=["create-admin", "--phone", "13900001111", "--name", "管理员",
                               "--password-stdin"], input="1234\n")
    assert weak.exit_code != 0 and "密码" in weak.output
    bad_phone = runner.invoke(args=["create-admin", "--phone", "123", "--name", "管理员",
                                    "--password-stdin"], input="Admin-pass-1\n")
    assert bad_phone.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_loads_once(app, ctx):
    from volunteer.seed.demo import demo_accounts, load_demo

    assert load_demo() is True
    db.session.commit()
    assert load_demo() is False
    members = db.session.scalar(select(func.count()).select_from(User).where(
        User.role == "member"))
    pending = db.session.scalar(select(func.count()).select_from(User).where(
        User.status == "pending"))
    assert members == 60 and pending == 8
    phones = {phone for _role, phone, _name in demo_accounts()}
    found = set(db.session.scalars(select(User.phone).where(User.phone.in_(phones))))
    assert found == phones


def test_the_demo_members_registered_before_they_served(app, ctx):
    """Every month the demo has services in counts those who served among its registered and
    approved members (a participation rate of at most 100 %)."""
    from volunteer.core.periods import containing, local_date
    from volunteer.core.time import utcnow
    from volunteer.review import dashboard
    from volunteer.seed.demo import load_demo

    load_demo()
    db.session.commit()
    month = containing("month", local_date(utcnow()))
    served = 0
    for _ in range(4):
        for street_id in db.session.scalars(select(User.street_id).where(
                User.role == "street_reviewer")):
            total = dashboard.summary(dashboard.get_scope("street", street_id), month)
            assert total["active"] <= total["approved"] <= total["registered"], month.key
            served += total["active"]
        month = month.previous()
    assert served  # the check compared months with services


def test_migrations_match_models(app, ctx):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == [], diff


def test_sqlite_pragmas(app, ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_times_are_stored_utc_and_read_back_aware(ctx, make_member):
    member = make_member()
    shanghai = timezone(timedelta(hours=8))
    member.reviewed_at = datetime(2026, 3, 31, 23, 30, tzinfo=shanghai)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(User, member.id).reviewed_at
    assert stored.tzinfo is not None and stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 3, 31, 15, 30, tzinfo=UTC)
    with pytest.raises(StatementError):  # naive datetimes are refused
        member.reviewed_at = datetime(2026, 1, 1)
        db.session.commit()
    db.session.rollback()


def test_environment_settings(monkeypatch):
    from volunteer.config import from_environment

    found = from_environment({"DATABASE_URL": "postgresql://x/y", "SECRET_KEY": "k",
                              "MAIL_PORT": "587", "MAIL_USE_TLS": "true",
                              "VOLUNTEER_PER_PAGE": "50", "VOLUNTEER_FORCE_HTTPS": "true"})
    assert found["SQLALCHEMY_DATABASE_URI"] == "postgresql://x/y"
    assert found["MAIL_PORT"] == 587 and found["MAIL_USE_TLS"] is True
    assert found["PER_PAGE"] == 50 and found["FORCE_HTTPS"] is True


def test_the_demo_is_consistent_and_has_a_task_running_now(app, ctx):
    """Each wish is a different one; a household's phone is no account's login; a task's place
    is in its own community's estate; a task of 公园社区 is running with a claim to check in,
    and starting the demo again later makes a new one when that one has ended."""
    from datetime import timedelta

    from volunteer.core.time import utcnow
    from volunteer.orgs.models import Community
    from volunteer.seed.demo import ESTATES, ensure_running_task, load_demo
    from volunteer.tasks.models import Claim, Task
    from volunteer.wishes.models import Wish

    load_demo()
    db.session.commit()
    wishes = db.session.scalars(select(Wish)).all()
    assert len({w.content for w in wishes}) == len(wishes)
    logins = set(db.session.scalars(select(User.phone)))
    assert not {w.phone for w in wishes} & logins
    for task in db.session.scalars(select(Task)):
        community = db.session.get(Community, task.community_id)
        other_estates = {e for name, e in ESTATES.items() if name != community.name}
        assert not any(estate in task.location for estate in other_estates), task.location
    now = utcnow()
    running = db.session.scalars(select(Task).where(Task.starts_at <= now,
                                                    Task.ends_at > now)).all()
    assert len(running) == 1
    claims = db.session.scalars(select(Claim).where(Claim.task_id == running[0].id)).all()
    assert sorted(c.checked_in_at is None for c in claims) == [False, True]
    assert ensure_running_task(now) is False
    assert ensure_running_task(now + timedelta(hours=5)) is True
