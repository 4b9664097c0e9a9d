"""Tongtong (通通在): volunteer matching for the 双报到 programme."""

import os
import sys
from pathlib import Path

from flask import Flask

from volunteer import config as settings

ROOT = Path(__file__).resolve().parent.parent


def project_folder(name: str) -> Path:
    """The top-level folder ``name`` (``templates``, ``migrations``) of the checkout, if this is
    one, else the copy that a built wheel carries as ``volunteer/_<name>`` (see setup.py)."""
    if _in_checkout() and (ROOT / name).is_dir():
        return ROOT / name
    return Path(__file__).resolve().parent / f"_{name}"


def default_instance_path() -> Path:
    """``instance/`` of the checkout; where Flask puts it for an installed package otherwise."""
    if _in_checkout():
        return ROOT / "instance"
    return Path(sys.prefix) / "var" / "volunteer-instance"


def _in_checkout() -> bool:
    return (ROOT / "pyproject.toml").is_file()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, handlers."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("VOLUNTEER_INSTANCE_PATH") or str(default_instance_path()),
        instance_relative_config=True,
        template_folder=str(project_folder("templates")),
    )
    app.config.from_object(settings.Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_mapping(settings.from_environment())
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    _settle_secret_key(app)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'volunteer.sqlite3'}"
        )
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config.get("DATABASE_REPLICA_URL"):
        app.config["DATABASE_REPLICA_URL"] = _normalise_url(app.config["DATABASE_REPLICA_URL"])
    app.config["SESSION_COOKIE_NAME"] = "tongtong_session"

    from volunteer import web
    from volunteer.core import database

    database.init_app(app)
    web.init_app(app)
    connect_receivers()
    return app


def connect_receivers() -> None:
    """Connect every feature's signal receivers (``volunteer.core.signals``): called by
    ``create_app``, so the web, the CLI and the scheduler all have them."""
    from volunteer.stats import receivers as stats_receivers

    stats_receivers.connect()


def _normalise_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _settle_secret_key(app: Flask) -> None:
    """Take SECRET_KEY from settings or ``instance/secret_key``; refuse to run without one."""
    key = app.config.get("SECRET_KEY")
    key_file = Path(app.instance_path) / "secret_key"
    if not key and key_file.exists():
        key = key_file.read_text().strip()
    if not key or key in settings.PLACEHOLDER_SECRETS:
        raise RuntimeError(
            "SECRET_KEY 未设置：请在环境变量 SECRET_KEY 或 instance/config.py 中"
            "设置一个随机长字符串"
            "（`volunteer demo` 会为演示环境自动生成 instance/secret_key）。"
        )
    app.config["SECRET_KEY"] = key
