"""The ``volunteer`` command: the Flask CLI bound to the app factory, plus Tongtong's commands."""

import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from volunteer import create_app, default_instance_path
from volunteer.core.outage import is_outage
from volunteer.core.outage import summary as outage_summary
from volunteer.core.time import format_local
from volunteer.extensions import db
from volunteer.reports.kinds import REPORTS


def _instance_path() -> Path:
    return Path(os.environ.get("VOLUNTEER_INSTANCE_PATH") or default_instance_path())


def ensure_demo_secret() -> None:
    """Write a random ``instance/secret_key`` once, unless a key is configured."""
    if os.environ.get("SECRET_KEY"):
        return
    path = _instance_path() / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)


def main() -> None:
    """Entry point of the ``volunteer`` console script."""
    if len(sys.argv) > 1 and sys.argv[1] == "demo":
        ensure_demo_secret()
    group = FlaskGroup(create_app=lambda: create_app(), help="通通在 Tongtong 管理命令")
    try:
        group.main(prog_name="volunteer")
    except Exception as error:
        if not is_outage(error):
            raise
        # a stopped database is not a bug: one line and a failing exit status, no traceback
        click.echo(f"数据库暂时不可用，请稍后再试（{outage_summary(error)}）", err=True)
        sys.exit(1)


@click.command("create-admin")
@click.option("--phone", required=True, help="手机号（登录名）")
@click.option("--name", required=True, help="姓名")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码")
@with_appcontext
def create_admin_command(phone: str, name: str, password_stdin: bool) -> None:
    """Create a district admin (区委组织部) account."""
    from volunteer.auth.services import create_admin
    from volunteer.core.errors import DomainError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt=True)
    try:
        user = create_admin(name=name, phone=phone, password=password)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        detail = "；".join(f"{k}: {v}" for k, v in error.fields.items())
        raise click.ClickException(f"{error.message}{('：' + detail) if detail else ''}") from None
    click.echo(f"已创建区委组织部管理员：{user.name}（{user.phone}）")


@click.command("demo")
@click.option("--port", default=5000, show_default=True, help="端口")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--no-serve", is_flag=True, help="只准备数据库和演示数据，不启动服务")
@with_appcontext
def demo_command(port: int, host: str, no_serve: bool) -> None:
    """Upgrade the database, load the demo district once, and serve it."""
    from flask_migrate import upgrade

    from volunteer.seed.demo import DEMO_PASSWORD, demo_accounts, ensure_running_task, load_demo

    upgrade()
    created = load_demo()
    if not created and ensure_running_task():
        click.echo("已为公园社区补上一个正在进行的服务项目（可试签到、签退）。")
    db.session.commit()
    click.echo("演示数据已载入。" if created else "演示数据已存在，未重复载入。")
    click.echo(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
    for role, phone, name in demo_accounts():
        click.echo(f"  {phone}  {name}  {role}")
    if no_serve:
        return
    click.echo(f"\n打开 http://{host}:{port}/ （Ctrl+C 退出）")
    from werkzeug.serving import run_simple

    from volunteer.scheduler import build_scheduler, catch_up

    app: Flask = current_app._get_current_object()
    scheduler = build_scheduler(app, background=True)
    catch_up(app)
    scheduler.start()
    try:
        run_simple(host, port, app, use_reloader=False, threaded=True)
    finally:
        scheduler.shutdown(wait=False)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler in the foreground (one process only; catches up missed reports)."""
    from volunteer.ops.guard import SchedulerGuard
    from volunteer.scheduler import build_scheduler, catch_up, heartbeat, run_job

    app: Flask = current_app._get_current_object()
    guard = SchedulerGuard(app.instance_path)
    if not guard.try_acquire():
        click.echo("另一个调度器正在运行；本进程等待，在它停止后接管。")
        guard.wait()
        click.echo("已接管调度。")
    scheduler = build_scheduler(app)
    run_job(app, heartbeat, "heartbeat")
    catch_up(app)
    click.echo("调度器已启动（Ctrl+C 退出）：" + "，".join(job.id for job in scheduler.get_jobs()))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("调度器已停止")
    finally:
        guard.release()


@click.group("reports")
def reports_group() -> None:
    """一月一提醒、一季一通报、半年一总结."""


@reports_group.command("run")
@click.argument("kind", type=click.Choice(list(REPORTS)))
@click.option("--period", required=True, help="2026-10 / 2026Q3 / 2026H1")
@with_appcontext
def reports_run_command(kind: str, period: str) -> None:
    """Run one report for one period by hand; a period already sent sends nothing twice."""
    from volunteer.core.errors import DomainError
    from volunteer.notifications.outbox import send_due_emails
    from volunteer.reports.runner import run_report
    from volunteer.reports.services import parse_report_period

    try:
        parsed = parse_report_period(kind, period)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    result = run_report(kind, parsed, trigger="manual")
    if result["skipped"]:
        click.echo(f"{kind} {parsed.key} 已发送过（{result['recipients']} 位接收人），未重复发送。")
    else:
        click.echo(f"{kind} {parsed.key}：新发送 {result['new']} 份，"
                   f"共 {result['recipients']} 份。")
    mail = send_due_emails()
    db.session.commit()
    if mail["sent"] or mail["failed"]:
        click.echo(f"邮件：发送 {mail['sent']} 封，失败待重试 {mail['failed']} 封。")


@click.group("import")
def import_group() -> None:
    """导入：从 Excel 或 CSV 批量导入."""


def _import_command(kind: str, help_text: str):
    @import_group.command(kind, help=help_text)
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
                  help="逐行结果写入的 CSV；默认与文件同名加 .report.csv")
    @click.option("--dry-run", is_flag=True, help="只检查，不导入")
    @with_appcontext
    def command(file: Path, report: Path | None, dry_run: bool) -> None:
        run_import(kind, file, report, dry_run)

    return command


def run_import(kind: str, file: Path, report: Path | None, dry_run: bool) -> None:
    """Read FILE with a progress bar, import it, write the row-by-row report, summarise."""
    from volunteer.core.errors import DomainError
    from volunteer.core.imports import IMPORTS
    from volunteer.core.sheets import check_file_size, read_sheet, report_csv

    label, importer = IMPORTS[kind]
    try:
        check_file_size(file.stat().st_size)
        data = file.read_bytes()
        with click.progressbar(length=_count_rows(data, file.name), label=f"导入{label}",
                               show_pos=True) as bar:
            result = importer(read_sheet(data, file.name), dry_run=dry_run, progress=bar.update)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException("；".join(error.fields.values()) or error.message) from None
    db.session.commit()
    report = report or file.with_name(file.name + ".report.csv")
    # a member or staff import's report holds the initial passwords: never readable by others,
    # not even for a moment (an existing file keeps its mode on open, hence the chmod)
    handle = os.open(report, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(report_csv(result))
    report.chmod(0o600)
    verb = "可导入" if dry_run else "已导入"
    click.echo(f"共 {result.rows} 行：{verb} {result.rows - len(result.errors)} 行"
               f"（新建 {result.created}），有误 {len(result.errors)} 行。逐行结果：{report}")
    for line, *identity, _outcome, reason in result.errors[:20]:
        click.echo(f"  第 {line} 行 {' '.join(str(v) for v in identity if v)}：{reason}",
                   err=True)
    if len(result.errors) > 20:
        click.echo(f"  ……其余 {len(result.errors) - 20} 行见结果文件", err=True)


import_members_command = _import_command(
    "members", "Import members (在职党员) from FILE (.xlsx or .csv; columns 姓名 手机号 工作单位 "
    "居住社区, optional 街道 网格 专长) as approved members with random initial passwords; bad "
    "rows are reported line by line and skipped.")
import_places_command = _import_command(
    "places", "Import streets, communities and grids from FILE (columns 街道, optional 社区 "
    "网格 上级网格); what exists already is kept.")
import_units_command = _import_command(
    "units", "Import units from FILE (columns 单位名称, optional 单位类型); what exists already "
    "is kept.")
import_branches_command = _import_command(
    "branches", "Import functional branches from FILE (columns 社区 名称, optional 街道, 级别 "
    "功能型党总支/功能型党支部/党小组, 上级组织); what exists already is kept.")
import_staff_command = _import_command(
    "staff", "Import staff accounts from FILE (columns 姓名 手机号 角色, and the scope by name: "
    "街道 社区 网格 党组织 单位) with random initial passwords, written only to the report; bad "
    "rows are reported line by line and skipped.")


def _count_rows(data: bytes, filename: str) -> int:
    """The data rows of a sheet (for the progress bar's length); a sheet that cannot be read,
    or costs too much to, is refused here rather than read a second time."""
    from volunteer.core.sheets import read_sheet

    return max(0, sum(1 for _ in read_sheet(data, filename)) - 1)


@reports_group.command("list")
@with_appcontext
def reports_list_command() -> None:
    """List past report runs with their recipient counts."""
    from sqlalchemy import select

    from volunteer.reports.models import ReportRun

    runs = db.session.scalars(select(ReportRun).order_by(ReportRun.started_at.desc()).limit(100))
    click.echo(f"{'类别':<20}{'期间':<10}{'状态':<8}{'接收人':>8}  开始时间")
    for run in runs:
        click.echo(f"{run.kind:<20}{run.period:<10}{run.status:<8}{run.recipients:>8}  "
                   f"{format_local(run.started_at)}")


@click.command("generate-district")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(0.0001, 10),
              help="规模系数（1 = 全区规模）")
@click.option("--seed", default=2022, show_default=True, help="随机种子（相同种子生成相同数据）")
@with_appcontext
def generate_district_command(scale: float, seed: int) -> None:
    """Fill an empty database with district-scale synthetic data (for benchmarks and demos)."""
    import time as clock

    from flask_migrate import upgrade

    from volunteer.seed.generate import PASSWORD, NotEmpty, analyse, generate, total_rows

    upgrade()
    started = clock.perf_counter()
    with click.progressbar(length=total_rows(scale), label="生成全区数据") as bar:
        try:
            created = generate(scale=scale, seed=seed, tick=bar.update)
        except NotEmpty as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from None
        db.session.commit()
    analyse()
    elapsed = clock.perf_counter() - started
    click.echo("已生成：" + "，".join(f"{k} {v}" for k, v in created.items()))
    click.echo(f"用时 {elapsed:.1f} 秒；所有合成账号的密码为 {PASSWORD}，手机号为 1990xxxxxxx。")


def register_commands(app: Flask) -> None:
    """Attach the commands to the app's CLI."""
    app.cli.add_command(create_admin_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(reports_group)
    app.cli.add_command(import_group)
    app.cli.add_command(generate_district_command)
