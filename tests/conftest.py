"""Shared fixtures: one app and schema per session, a clean database for every test.

The schema is built by the real migrations. Each test runs against committed data (so threads,
a live server and the browser see it) and every table is emptied afterwards.
"""

import contextvars
import itertools
import os

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from volunteer import _normalise_url, create_app
from volunteer.extensions import db

PASSWORD = "Passw0rd!"


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _normalise_url(url)  # postgresql:// means psycopg 3, as in the app
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _worker_database(url: str):
    """Under pytest-xdist (``pytest -n 2``) each worker gets a PostgreSQL database of its own,
    ``<TEST_DATABASE_URL's database>_<worker>``, made at the start and dropped at the end;
    SQLite needs nothing (every worker has its own temporary folder)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    parsed = make_url(url)
    if not worker or not parsed.drivername.startswith("postgresql"):
        return url, None
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return parsed.set(database=name).render_as_string(hide_password=False), drop


def make_config(url: str, instance: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 1024,
        "PASSWORD_PARALLELISM": 1,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    The test's own context (held by ``ctx`` for factories and assertions) would otherwise be
    reused by every request, sharing ``g`` (the cached login) and the database session. The
    test's transaction is committed first so SQLite's write lock is free for the request.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    url, drop = _worker_database(_database_url(tmp_path_factory))
    yield url
    if drop is not None:
        drop()


@pytest.fixture(scope="session")
def app(db_url, tmp_path_factory):
    instance = str(tmp_path_factory.mktemp("instance"))
    os.environ["VOLUNTEER_INSTANCE_PATH"] = instance
    application = create_app(make_config(db_url, instance))
    application.test_client_class = IsolatedClient
    with application.app_context():
        _reset_schema()
        from flask_migrate import upgrade

        upgrade()
    yield application


def _reset_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _table_names() -> list[str]:
    return [t.name for t in reversed(db.metadata.sorted_tables)]


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        names = _table_names()
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
            else:
                for name in names:
                    conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def ctx(app):
    """An application context for service tests."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_counter = itertools.count(1)


@pytest.fixture
def password_hash(app):
    from volunteer.auth.services import hash_password

    with app.app_context():
        return hash_password(PASSWORD)


@pytest.fixture
def make_street(ctx):
    from volunteer.orgs.models import Street

    def make(name=None):
        street = Street(name=name or f"测试街道{next(_counter)}")
        db.session.add(street)
        db.session.commit()
        return street

    return make


@pytest.fixture
def make_community(ctx, make_street):
    from volunteer.orgs.models import Community

    def make(name=None, street=None):
        community = Community(name=name or f"测试社区{next(_counter)}",
                              street_id=(street or make_street()).id)
        db.session.add(community)
        db.session.commit()
        return community

    return make


@pytest.fixture
def make_grid(ctx, make_community):
    from volunteer.orgs.models import Grid

    def make(community=None, name=None, parent=None):
        grid = Grid(name=name or f"网格{next(_counter)}",
                    community_id=(community or make_community()).id,
                    parent_id=parent.id if parent else None)
        db.session.add(grid)
        db.session.commit()
        return grid

    return make


@pytest.fixture
def make_unit(ctx):
    from volunteer.orgs.models import Unit

    def make(name=None, kind="school"):
        unit = Unit(name=name or f"测试单位{next(_counter)}", kind=kind)
        db.session.add(unit)
        db.session.commit()
        return unit

    return make


@pytest.fixture
def make_branch(ctx, make_community):
    from volunteer.orgs.models import Branch

    def make(community=None, name=None, level="branch"):
        branch = Branch(name=name or f"功能型党支部{next(_counter)}", level=level,
                        community_id=(community or make_community()).id)
        db.session.add(branch)
        db.session.commit()
        return branch

    return make


def _phone() -> str:
    return f"137{next(_counter):08d}"


@pytest.fixture
def make_member(ctx, password_hash, make_community, make_unit):
    from volunteer.auth.models import User
    from volunteer.members.models import MemberSkill

    def make(community=None, unit=None, status="approved", grid=None, branch=None, skills=(),
             name=None, phone=None):
        community = community or make_community()
        member = User(role="member", name=name or f"党员{next(_counter)}",
                      phone=phone or _phone(), password_hash=password_hash, status=status,
                      community_id=community.id, street_id=community.street_id,
                      unit_id=(unit or make_unit()).id, grid_id=grid.id if grid else None,
                      branch_id=branch.id if branch else None)
        member.skills = [MemberSkill(tag=t) for t in skills]
        db.session.add(member)
        db.session.commit()
        return member

    return make


@pytest.fixture
def make_staff(ctx, password_hash, make_community):
    """A staff account; ``scope`` is the street / community / grid / branch / unit object."""
    from volunteer.auth.models import User

    def make(role="community_secretary", scope=None, name=None, phone=None):
        user = User(role=role, name=name or f"{role}{next(_counter)}", phone=phone or _phone(),
                    password_hash=password_hash, status="approved")
        if role == "community_secretary":
            scope = scope or make_community()
            user.community_id, user.street_id = scope.id, scope.street_id
        elif role in ("grid_worker", "branch_secretary"):
            user.community_id = scope.community_id
            user.street_id = scope.community.street_id
            setattr(user, "grid_id" if role == "grid_worker" else "branch_id", scope.id)
        elif role == "street_reviewer":
            user.street_id = scope.id
        elif role == "unit_contact":
            user.unit_id = scope.id
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def admin(make_staff):
    return make_staff("district_admin")


@pytest.fixture
def token_for(ctx):
    """A bearer header for a user, issued by the real token service."""
    from volunteer.auth.services import issue_api_token

    def make(user) -> dict:
        token, _row = issue_api_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def login(client):
    """Log a user in through the real login page."""

    def do(user, password=PASSWORD, c=None):
        c = c or client
        response = c.post("/login", data={"phone": user.phone, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return c

    return do
