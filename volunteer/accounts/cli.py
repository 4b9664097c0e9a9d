"""``volunteer reset-password --phone P``."""

import click
from flask.cli import with_appcontext

from volunteer.accounts import services
from volunteer.core.errors import DomainError
from volunteer.extensions import db


@click.command("reset-password")
@click.option("--phone", required=True, help="账号的手机号（登录名）")
@with_appcontext
def reset_password_command(phone: str) -> None:
    """Give an account a temporary password, printed once; it must be changed at next login."""
    try:
        user, password = services.reset_password_from_cli(phone)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        detail = "；".join(error.fields.values())
        raise click.ClickException(detail or error.message) from None
    click.echo(f"已重置 {user.name}（{user.phone}，{user.role_label}）的密码。")
    click.echo(f"临时密码：{password}")
    click.echo("本人用临时密码登录后必须设置新密码；原有的登录和令牌已全部失效。")
