"""Importing members (在职党员) from an Excel or CSV sheet, tens of thousands in one go.

The sheet's first row names the columns (in Chinese, any order): 姓名, 手机号, 工作单位 and 居住社区
are required; 街道 (when two streets have a community of that name), 网格, 党组织 (a 功能型党支部
or 党小组 of the member's community) and 专长 (separated by 、 or commas) are optional; other
columns are ignored. Units, streets, communities, grids and branches must exist already (the
organisation comes first) and are matched by name.

Each row is checked on its own: a bad row is reported with its line number and the reason and
is skipped, the good ones are imported as approved members (the list comes from the units'
party organisations). Every imported member gets a random initial password, reported with the
row, for the secretary to hand over (``auth.importer.with_initial_passwords``: random, hashed
with light parameters, rehashed at full cost at the first login).
"""

from collections.abc import Callable, Iterable

from sqlalchemy import insert, select

from volunteer.audit.services import record_action
from volunteer.auth.importer import check_person, with_initial_passwords
from volunteer.auth.models import User
from volunteer.core.errors import ValidationFailed
from volunteer.core.sheets import NOT_IMPORTED, ImportResult, records
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.members.models import MemberSkill
from volunteer.members.services import clean_skills
from volunteer.orgs.names import OrgNames

COLUMNS = {"姓名": "name", "手机号": "phone", "工作单位": "unit", "居住社区": "community",
           "街道": "street", "网格": "grid", "党组织": "branch", "专长": "skills"}
REQUIRED = ("姓名", "手机号", "工作单位", "居住社区")
MAX_ROWS = 50000
CHUNK = 1000
REPORT_HEADER = ["行号", "姓名", "手机号", "结果", "说明"]
SAMPLE = [
    ["姓名", "手机号", "工作单位", "街道", "居住社区", "网格", "党组织", "专长"],
    ["顾丽", "13800000001", "南通市第二中学", "虹桥街道", "公园社区", "公园一村网格",
     "公园社区退休党员支部", "教育、心理"],
    ["周荣祥", "13800000002", "南通市第一人民医院", "", "新西社区", "", "", "医疗"],
]


class _Lookups(OrgNames):
    """The organisation by name, and the phones already taken, read once per import."""

    def __init__(self):
        super().__init__()
        self.phones = set(db.session.scalars(select(User.phone)))


def _check_row(values: dict, lookups: _Lookups, seen: dict[str, int]) -> dict:
    """The member a row describes, or ValidationFailed with every reason in its message."""
    problems: list[str] = []
    name, phone = values.get("name", ""), values.get("phone", "").replace(" ", "")
    check_person(name, phone, lookups.phones, seen, problems)
    unit_id = lookups.unit(values.get("unit", ""), problems)
    community_id, street_id = lookups.community(values.get("community", ""),
                                                values.get("street", ""), problems, "居住社区")
    grid_id = lookups.grid(community_id, values.get("grid", ""), problems)
    branch_id = lookups.branch(community_id, values.get("branch", ""), problems)
    try:
        tags = clean_skills(values.get("skills") or None)
    except ValidationFailed as error:
        problems.extend(error.fields.values())
        tags = []
    if problems:
        raise ValidationFailed("；".join(problems))
    return {"name": name, "phone": phone, "unit_id": unit_id, "community_id": community_id,
            "street_id": street_id, "grid_id": grid_id, "branch_id": branch_id, "tags": tags}


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
    now = utcnow()
    for chunk, passwords, hashes in with_initial_passwords(good, CHUNK):
        _insert_chunk(chunk, passwords, hashes, now, result)


def _insert_chunk(chunk: list[tuple[int, dict]], passwords: list[str], hashes: list[str], now,
                  result: ImportResult) -> None:
    created = db.session.execute(insert(User).returning(User.id, User.phone), [
        {"role": "member", "status": "approved", "name": m["name"], "phone": m["phone"],
         "password_hash": password_hash, "unit_id": m["unit_id"],
         "community_id": m["community_id"], "street_id": m["street_id"],
         "grid_id": m["grid_id"], "branch_id": m["branch_id"], "created_at": now,
         "reviewed_at": now, "active": True}
        for (_line, m), password_hash in zip(chunk, hashes, strict=True)]).all()
    ids = {phone: user_id for user_id, phone in created}
    skills = [{"user_id": ids[m["phone"]], "tag": tag} for _line, m in chunk
              for tag in m["tags"]]
    if skills:
        db.session.execute(insert(MemberSkill), skills)
    for (line, m), password in zip(chunk, passwords, strict=True):
        result.report.append((line, m["name"], m["phone"], "已导入", f"初始密码 {password}"))
    result.created += len(chunk)
