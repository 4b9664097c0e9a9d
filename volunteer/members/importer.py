"""Importing members (在职党员) from an Excel or CSV sheet, tens of thousands in one go.

The sheet's first row names the columns (in Chinese, any order): 姓名, 手机号, 工作单位 and 居住社区
are required; 街道 (when two streets have a community of that name), 网格 and 专长 (separated by
、 or commas) are optional; other columns are ignored. Units, streets, communities and grids
must exist already (the organisation comes first) and are matched by name.

Each row is checked on its own: a bad row is reported with its line number and the reason and
is skipped, the good ones are imported as approved members (the list comes from the units'
party organisations). Every imported member gets a random initial password, reported with the
row, for the secretary to hand over. Hashing 27,000 passwords at the login cost would take
half an hour, so initial passwords (random, 12 characters from 31: about 59 bits) are hashed
with light argon2id parameters; the first login rehashes them at full cost
(``auth.services.authenticate``).
"""

import os
import secrets
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from sqlalchemy import insert, select

from volunteer.audit.services import record_action
from volunteer.auth.models import User
from volunteer.auth.services import NAME_MAX, PHONE_RE
from volunteer.core.errors import ValidationFailed
from volunteer.core.sheets import NOT_IMPORTED, ImportResult, records
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members.models import MemberSkill
from volunteer.members.services import clean_skills
from volunteer.orgs.models import Community, Grid, Street, Unit

COLUMNS = {"姓名": "name", "手机号": "phone", "工作单位": "unit", "居住社区": "community",
           "街道": "street", "网格": "grid", "专长": "skills"}
REQUIRED = ("姓名", "手机号", "工作单位", "居住社区")
MAX_ROWS = 50000
CHUNK = 1000
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
PASSWORD_LENGTH = 12
REPORT_HEADER = ["行号", "姓名", "手机号", "结果", "说明"]


class _Lookups:
    """The organisation by name, and the phones already taken, read once per import."""

    def __init__(self):
        self.units: dict[str, list[int]] = {}
        for unit_id, name in db.session.execute(select(Unit.id, Unit.name)):
            self.units.setdefault(name, []).append(unit_id)
        self.streets = dict(db.session.execute(select(Street.name, Street.id)).all())
        self.communities: dict[str, list[tuple[int, int]]] = {}
        for community_id, name, street_id in db.session.execute(
                select(Community.id, Community.name, Community.street_id)):
            self.communities.setdefault(name, []).append((community_id, street_id))
        self.grids = {(community_id, name): grid_id for grid_id, community_id, name in
                      db.session.execute(select(Grid.id, Grid.community_id, Grid.name))}
        self.phones = set(db.session.scalars(select(User.phone)))


def _check_person(name: str, phone: str, lookups: _Lookups, seen: dict[str, int],
                  problems: list[str]) -> None:
    if not name:
        problems.append("缺少姓名")
    elif len(name) > NAME_MAX:
        problems.append(f"姓名不能超过 {NAME_MAX} 个字符")
    if not PHONE_RE.match(phone):
        problems.append("手机号应为 11 位大陆手机号")
    elif phone in lookups.phones:
        problems.append("手机号已注册")
    elif phone in seen:
        problems.append(f"手机号与第 {seen[phone]} 行重复")


def _check_unit(values: dict, lookups: _Lookups, problems: list[str]) -> list[int]:
    """The ids of the units named like the row's (one when the row is good)."""
    units = lookups.units.get(values.get("unit", ""), [])
    if not values.get("unit"):
        problems.append("缺少工作单位")
    elif not units:
        problems.append(f"找不到工作单位“{values['unit']}”")
    elif len(units) > 1:
        problems.append(f"有多个名为“{values['unit']}”的单位")
    return units


def _check_place(values: dict, lookups: _Lookups,
                 problems: list[str]) -> tuple[int | None, int | None, int | None]:
    """The row's (community id, street id, grid id), each None when not found."""
    community_id = street_id = None
    places = lookups.communities.get(values.get("community", ""), [])
    if values.get("street"):
        street = lookups.streets.get(values["street"])
        if street is None:
            problems.append(f"找不到街道“{values['street']}”")
        places = [place for place in places if place[1] == street]
    if not values.get("community"):
        problems.append("缺少居住社区")
    elif not places:
        problems.append(f"找不到居住社区“{values['community']}”")
    elif len(places) > 1:
        problems.append(f"有多个名为“{values['community']}”的社区，请填写街道")
    else:
        community_id, street_id = places[0]
    grid_id = None
    if values.get("grid") and community_id is not None:
        grid_id = lookups.grids.get((community_id, values["grid"]))
        if grid_id is None:
            problems.append(f"该社区没有网格“{values['grid']}”")
    return community_id, street_id, grid_id


def _check_row(values: dict, lookups: _Lookups, seen: dict[str, int]) -> dict:
    """The member a row describes, or ValidationFailed with every reason in its message."""
    problems: list[str] = []
    name, phone = values.get("name", ""), values.get("phone", "").replace(" ", "")
    _check_person(name, phone, lookups, seen, problems)
    units = _check_unit(values, lookups, problems)
    community_id, street_id, grid_id = _check_place(values, lookups, problems)
    try:
        tags = clean_skills(values.get("skills") or None)
    except ValidationFailed as error:
        problems.extend(error.fields.values())
        tags = []
    if problems:
        raise ValidationFailed("；".join(problems))
    return {"name": name, "phone": phone, "unit_id": units[0], "community_id": community_id,
            "street_id": street_id, "grid_id": grid_id, "tags": tags}


def _initial_password() -> str:
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if not password.isdigit():
            return password


def import_members(rows: Iterable[tuple[int, list]], *, actor=None, dry_run: bool = False,
                   progress: Callable[[int], None] | None = None) -> ImportResult:
    """Check every row and import the good ones (all of them, or none with ``dry_run``);
    ``progress`` is called with the number of rows handled since its last call. Flushes,
    never commits. A file without the required columns raises ValidationFailed."""
    lookups, seen = _Lookups(), {}
    result, good = ImportResult(REPORT_HEADER, dry_run=dry_run), []
    for line, values in records(rows, COLUMNS, REQUIRED, result, max_rows=MAX_ROWS,
                                progress=progress):
        try:
            member = _check_row(values, lookups, seen)
        except ValidationFailed as error:
            result.report.append((line, values.get("name", ""), values.get("phone", ""),
                                  NOT_IMPORTED, error.message))
        else:
            seen[member["phone"]] = line
            good.append((line, member))
    if not dry_run:
        _insert(good, result)
        record_action(actor, "import_members", None, rows=result.rows, created=result.created,
                      errors=len(result.errors))
    else:
        result.report.extend((line, m["name"], m["phone"], "可导入", "") for line, m in good)
    result.report.sort(key=lambda entry: entry[0])
    return result


def _insert(good: list[tuple[int, dict]], result: ImportResult) -> None:
    """Bulk-insert the checked members and their skills, a chunk at a time."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    now = utcnow()
    # argon2 runs outside the GIL: hashing on every core roughly halves the import on two
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for start in range(0, len(good), CHUNK):
            chunk = good[start:start + CHUNK]
            passwords = [_initial_password() for _ in chunk]
            hashes = list(pool.map(hasher.hash, passwords, chunksize=50))
            _insert_chunk(chunk, passwords, hashes, now, result)


def _insert_chunk(chunk: list[tuple[int, dict]], passwords: list[str], hashes: list[str], now,
                  result: ImportResult) -> None:
    created = db.session.execute(insert(User).returning(User.id, User.phone), [
        {"role": "member", "status": "approved", "name": m["name"], "phone": m["phone"],
         "password_hash": password_hash, "unit_id": m["unit_id"],
         "community_id": m["community_id"], "street_id": m["street_id"],
         "grid_id": m["grid_id"], "created_at": now, "reviewed_at": now, "active": True}
        for (_line, m), password_hash in zip(chunk, hashes, strict=True)]).all()
    ids = {phone: user_id for user_id, phone in created}
    skills = [{"user_id": ids[m["phone"]], "tag": tag} for _line, m in chunk
              for tag in m["tags"]]
    if skills:
        db.session.execute(insert(MemberSkill), skills)
    for (line, m), password in zip(chunk, passwords, strict=True):
        result.report.append((line, m["name"], m["phone"], "已导入", f"初始密码 {password}"))
    result.created += len(chunk)
