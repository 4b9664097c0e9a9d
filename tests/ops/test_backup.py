"""``volunteer backup`` / ``volunteer restore``: a populated database, backed up, restored into
an empty one, has every table's rows and the same claims; files are mode 0600; a database in
use is refused without ``--force``."""

import hashlib
import os
import stat
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from tests.conftest import make_config
from volunteer import create_app
from volunteer.core.time import utcnow
from volunteer.extensions import db


def _populate(make_member, make_staff, make_community):
    from volunteer.tasks import services

    community = make_community()
    secretary = make_staff("community_secretary", community)
    members = [make_member(community=community) for _ in range(4)]
    starts = utcnow() + timedelta(days=2)
    for number in range(3):
        task = services.create_task(
            secretary, publish=True, now=utcnow(), title=f"楼道消杀 {number}",
            category="disinfection", location="3 幢楼道", description="", slots=5,
            starts_at=starts + timedelta(hours=number * 5),
            ends_at=starts + timedelta(hours=number * 5 + 2))
        for member in members[: number + 2]:
            services.claim_task(member, task, now=utcnow())
    db.session.commit()


def _fingerprint(engine) -> tuple[dict, str]:
    """Every table's row count and a checksum of the claims."""
    with engine.connect() as conn:
        counts = {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar()
                  for name in inspect(conn).get_table_names()}
        rows = conn.execute(text("SELECT id, task_id, member_id, status FROM claims "
                                 "ORDER BY id")).all()
    return counts, hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()


@pytest.fixture
def empty_target(app, db_url, tmp_path):
    """An app on a second, empty database of the same kind."""
    url = make_url(db_url)
    if url.drivername.startswith("postgresql"):
        name = f"{url.database}_restore"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        target = url.set(database=name).render_as_string(hide_password=False)
    else:
        admin, target = None, f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    other = create_app(make_config(target, str(tmp_path / "other")))
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_then_restore_into_an_empty_database(app, ctx, runner, tmp_path, empty_target,
                                                    make_member, make_staff, make_community):
    _populate(make_member, make_staff, make_community)
    expected = _fingerprint(db.engine)
    assert expected[0]["claims"] == 2 + 3 + 4
    file = tmp_path / "tongtong.backup"
    done = runner.invoke(args=["backup", str(file)])
    assert done.exit_code == 0, done.output
    assert stat.S_IMODE(os.stat(file).st_mode) == 0o600
    with empty_target.app_context():  # the command runs in the app context it finds
        restored = empty_target.test_cli_runner().invoke(args=["restore", str(file)])
        assert restored.exit_code == 0, restored.output
        assert _fingerprint(db.engine) == expected


def test_restore_refuses_a_database_in_use_unless_forced(app, ctx, runner, tmp_path,
                                                         make_member, make_staff,
                                                         make_community):
    _populate(make_member, make_staff, make_community)
    file = tmp_path / "tongtong.backup"
    assert runner.invoke(args=["backup", str(file)]).exit_code == 0
    expected = _fingerprint(db.engine)
    refused = runner.invoke(args=["restore", str(file)])
    assert refused.exit_code != 0 and "--force" in refused.output
    forced = runner.invoke(args=["restore", str(file), "--force"])
    assert forced.exit_code == 0, forced.output
    assert _fingerprint(db.engine) == expected


def test_backup_and_restore_say_what_is_wrong(runner, tmp_path):
    missing = runner.invoke(args=["restore", str(tmp_path / "none.backup")])
    assert missing.exit_code != 0 and "不存在" in missing.output
    folder = runner.invoke(args=["backup", str(tmp_path / "no" / "such" / "x.backup")])
    assert folder.exit_code != 0 and "不存在" in folder.output
