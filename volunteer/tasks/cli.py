"""``volunteer tasks ...`` commands."""

import click
from flask.cli import AppGroup

from volunteer.extensions import db
from volunteer.tasks import services

cli = AppGroup("tasks", help="服务项目")


@cli.command("flag-checkouts")
def flag_checkouts_command() -> None:
    """Tell secretaries about members who checked in but never checked out."""
    count = services.flag_forgotten_checkouts()
    db.session.commit()
    click.echo(f"已提醒 {count} 条未签退记录")
