"""``volunteer privacy ...`` commands."""

import click
from flask.cli import AppGroup

from volunteer.extensions import db
from volunteer.privacy import services

cli = AppGroup("privacy", help="个人信息保护")


@cli.command("purge")
@click.option("--dry-run", is_flag=True, help="只统计，不修改")
def purge_command(dry_run: bool) -> None:
    """Anonymise closed requests and wishes past their retention, purge the old audit log."""
    result = services.purge_personal_data(dry_run=dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "将" if dry_run else "已"
    months = {name: services.retention_months(name) for name in services.RETENTION_DEFAULTS}
    click.echo(f"{verb}匿名化居民点单 {result['requests_anonymised']} 条、"
               f"微心愿 {result['wishes_anonymised']} 条，"
               f"{verb}删除操作日志 {result['audit_rows_purged']} 条"
               f"（保留期：点单 {months['REQUEST_CONTACT_RETENTION_MONTHS']} 个月，"
               f"微心愿 {months['WISH_HOUSEHOLD_RETENTION_MONTHS']} 个月，"
               f"操作日志 {months['AUDIT_RETENTION_MONTHS']} 个月）。")
