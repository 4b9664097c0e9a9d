"""``volunteer backup FILE`` and ``volunteer restore FILE``: a consistent copy of the database.

SQLite is copied with its online backup API (a consistent snapshot while the service runs);
PostgreSQL with ``pg_dump``/``pg_restore`` in the custom format, found on PATH. A backup holds
phones, names and password hashes, so its file is created mode 0600 before anything is written.
A restore refuses a database that holds data unless ``force`` is given.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from volunteer.core.errors import DomainError
from volunteer.extensions import db

# tables whose rows do not make a database "in use": the migrations' own bookkeeping
BOOKKEEPING = {"alembic_version"}


class BackupError(DomainError):
    code = "backup_failed"
    status = 400


def _private_file(path: Path) -> None:
    """Create (or truncate) ``path`` readable by its owner only."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def _libpq_url() -> str:
    url = make_url(str(db.engine.url.render_as_string(hide_password=False)))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（apt-get install "
                          f"postgresql-client），并确保它在 PATH 中")
    return found


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("内存数据库无法备份")
    return Path(database)


def tables_with_rows() -> list[str]:
    """The application tables that hold at least one row."""
    names = [n for n in inspect(db.engine).get_table_names() if n not in BOOKKEEPING]
    with db.engine.connect() as conn:
        return [n for n in names
                if conn.execute(text(f'SELECT 1 FROM "{n}" LIMIT 1')).first() is not None]


def backup(target: str) -> Path:
    """Write a consistent copy of the database to ``target`` (mode 0600)."""
    path = Path(target)
    if path.is_dir():
        raise BackupError(f"{target} 是一个目录，请给出备份文件名")
    if not path.parent.exists():
        raise BackupError(f"目录 {path.parent} 不存在")
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        source = _sqlite_path()
        _private_file(path)
        with sqlite3.connect(source) as src, sqlite3.connect(path) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        pg_dump = _tool("pg_dump")
        _private_file(path)
        done = subprocess.run([pg_dump, "--format=custom", "--no-owner", "--file", str(path),
                               "--dbname", _libpq_url()], capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_dump 失败：{done.stderr.strip()[:500]}")
    os.chmod(path, 0o600)
    return path


def restore(source: str, force: bool = False) -> None:
    """Replace the database's contents with the backup ``source``; refuses a database that
    holds data unless ``force``."""
    path = Path(source)
    if not path.is_file():
        raise BackupError(f"备份文件 {source} 不存在")
    in_use = tables_with_rows()
    if in_use and not force:
        raise BackupError(f"目标数据库不是空的（{len(in_use)} 张表有数据，如 {in_use[0]}）；"
                          "确认要覆盖请加 --force")
    db.session.remove()
    db.engine.dispose()
    if db.engine.dialect.name == "sqlite":
        with path.open("rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{source} 不是 SQLite 备份文件")
        with sqlite3.connect(path) as src, sqlite3.connect(_sqlite_path()) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        pg_restore = _tool("pg_restore")
        done = subprocess.run([pg_restore, "--clean", "--if-exists", "--no-owner",
                               "--single-transaction", "--exit-on-error",
                               "--dbname", _libpq_url(), str(path)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_restore 失败：{done.stderr.strip()[:500]}")
    db.engine.dispose()
