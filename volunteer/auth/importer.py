"""Importing staff accounts from a sheet, and the initial passwords of imported accounts.

The staff sheet's first row names the columns (in Chinese, any order): 姓名, 手机号 and 角色
(街道审核员, 社区书记, 网格员, 支部书记, 单位联系人, or their codes) are required; the role's scope
is named by 街道 (a street reviewer's street), 社区 (a community secretary's, a grid worker's or
a branch secretary's community, with 街道 when two streets have a community of that name), 网格
(a grid worker's), 党组织 (a branch secretary's 总支, 支部 or 小组) or 单位 (a unit contact's).
Streets, communities, grids, branches and units must exist already.

Every imported account, staff or member, gets a random initial password (12 characters from
31, about 59 bits) that appears only in the row-by-row report, which the web page offers for
one download and the CLI writes readable by its owner only. Hashing thousands of passwords at
the login cost would take many minutes, so initial passwords are hashed with light argon2id
parameters and the first login rehashes them at full cost (``auth.services.authenticate``).
"""

import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from sqlalchemy import insert, select

from volunteer.audit.services import record_action
from volunteer.auth.models import ROLE_SCOPE, ROLES, STAFF_ROLES, User
from volunteer.auth.services import NAME_MAX, PHONE_RE
from volunteer.core.errors import ValidationFailed
from volunteer.core.sheets import NOT_IMPORTED, ImportResult, records
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.orgs.names import OrgNames

PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
PASSWORD_LENGTH = 12
COLUMNS = {"姓名": "name", "手机号": "phone", "角色": "role", "街道": "street",
           "社区": "community", "网格": "grid", "党组织": "branch", "单位": "unit"}
REQUIRED = ("姓名", "手机号", "角色")
MAX_ROWS = 5000
CHUNK = 500
REPORT_HEADER = ["行号", "姓名", "手机号", "角色", "结果", "说明"]
SAMPLE = [
    ["姓名", "手机号", "角色", "街道", "社区", "网格", "党组织", "单位"],
    ["王建国", "13900000001", "街道审核员", "虹桥街道", "", "", "", ""],
    ["李秀英", "13900000002", "社区书记", "虹桥街道", "公园社区", "", "", ""],
    ["张伟", "13900000003", "网格员", "虹桥街道", "公园社区", "公园一村网格", "", ""],
    ["陈芳", "13900000004", "支部书记", "虹桥街道", "公园社区", "", "公园社区退休党员支部", ""],
    ["刘洋", "13900000005", "单位联系人", "", "", "", "", "南通市第二中学"],
]
ROLE_NAMES = {**{code: code for code in STAFF_ROLES},
              **{ROLES[code]: code for code in STAFF_ROLES}}


def initial_password() -> str:
    """A random initial password (never all digits, which the password rule refuses)."""
    while True:
        password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))
        if not password.isdigit():
            return password


def with_initial_passwords(items: list, chunk: int) -> Iterator[tuple[list, list, list]]:
    """``items`` a chunk at a time, each chunk with fresh initial passwords and their light
    hashes."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    # argon2 runs outside the GIL: hashing on every core roughly halves the import on two
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for start in range(0, len(items), chunk):
            part = items[start:start + chunk]
            passwords = [initial_password() for _ in part]
            yield part, passwords, list(pool.map(hasher.hash, passwords, chunksize=50))


def check_person(name: str, phone: str, phones: set[str], seen: dict[str, int],
                 problems: list[str]) -> None:
    """A row's name and phone: present, the right shape, the phone not taken already nor by
    an earlier row (``seen``: phone → line)."""
    if not name:
        problems.append("缺少姓名")
    elif len(name) > NAME_MAX:
        problems.append(f"姓名不能超过 {NAME_MAX} 个字符")
    if not PHONE_RE.match(phone):
        problems.append("手机号应为 11 位大陆手机号")
    elif phone in phones:
        problems.append("手机号已注册")
    elif phone in seen:
        problems.append(f"手机号与第 {seen[phone]} 行重复")


def _scope(role: str, values: dict, names: OrgNames, problems: list[str]) -> dict:
    """The scope columns of a staff row, denormalised upward like ``create_staff``'s."""
    if role == "street_reviewer":
        return {"street_id": names.street(values.get("street", ""), problems)}
    if role == "unit_contact":
        return {"unit_id": names.unit(values.get("unit", ""), problems, "单位")}
    community_id, street_id = names.community(values.get("community", ""),
                                              values.get("street", ""), problems)
    scope = {"community_id": community_id, "street_id": street_id}
    if role == "grid_worker":
        if not values.get("grid"):
            problems.append("网格员须填写网格")
        scope["grid_id"] = names.grid(community_id, values.get("grid", ""), problems)
    elif role == "branch_secretary":
        if not values.get("branch"):
            problems.append("支部书记须填写党组织")
        scope["branch_id"] = names.branch(community_id, values.get("branch", ""), problems,
                                          for_member=False)
    return scope


def _check_row(values: dict, names: OrgNames, phones: set[str], seen: dict[str, int]) -> dict:
    problems: list[str] = []
    name, phone = values.get("name", ""), values.get("phone", "").replace(" ", "")
    check_person(name, phone, phones, seen, problems)
    role = ROLE_NAMES.get(values.get("role", ""))
    scope = {}
    if role is None:
        problems.append("角色应为 " + "、".join(ROLES[code] for code in STAFF_ROLES) + " 之一")
    else:
        scope = _scope(role, values, names, problems)
    if problems:
        raise ValidationFailed("；".join(problems))
    return {"name": name, "phone": phone, "role": role, **scope}


def import_staff(rows: Iterable[tuple[int, list]], *, actor=None, dry_run: bool = False,
                 progress: Callable[[int], None] | None = None) -> ImportResult:
    """Create the staff accounts a sheet lists (each with a random initial password in the
    report); a bad row is reported and skipped. Flushes, never commits."""
    names, seen = OrgNames(), {}
    phones = set(db.session.scalars(select(User.phone)))
    result, good = ImportResult(REPORT_HEADER, dry_run=dry_run), []
    for line, values in records(rows, COLUMNS, REQUIRED, result, max_rows=MAX_ROWS,
                                progress=progress):
        try:
            account = _check_row(values, names, phones, seen)
        except ValidationFailed as error:
            result.report.append((line, values.get("name", ""), values.get("phone", ""),
                                  values.get("role", ""), NOT_IMPORTED, error.message))
        else:
            seen[account["phone"]] = line
            good.append((line, account))
    if dry_run:
        result.report.extend((line, a["name"], a["phone"], ROLES[a["role"]], "可导入", "")
                             for line, a in good)
    else:
        _insert(good, result)
        record_action(actor, "import_staff", None, rows=result.rows, created=result.created,
                      errors=len(result.errors))
    result.report.sort(key=lambda entry: entry[0])
    return result


def _insert(good: list[tuple[int, dict]], result: ImportResult) -> None:
    now = utcnow()
    for chunk, passwords, hashes in with_initial_passwords(good, CHUNK):
        db.session.execute(insert(User), [
            {**dict.fromkeys(ROLE_SCOPE.values()), **account, "password_hash": password_hash,
             "status": "approved", "created_at": now, "active": True}
            for (_line, account), password_hash in zip(chunk, hashes, strict=True)])
        for (line, account), password in zip(chunk, passwords, strict=True):
            result.report.append((line, account["name"], account["phone"],
                                  ROLES[account["role"]], "已导入", f"初始密码 {password}"))
        result.created += len(chunk)
