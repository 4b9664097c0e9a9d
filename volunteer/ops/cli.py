"""``volunteer backup FILE`` and ``volunteer restore FILE [--force]``."""

import click
from flask.cli import with_appcontext

from volunteer.core.errors import DomainError
from volunteer.ops import backup as backups


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(file: str) -> None:
    """Write a consistent copy of the database to FILE (mode 0600)."""
    try:
        path = backups.backup(file)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已备份到 {path}（{path.stat().st_size} 字节，仅本用户可读）")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="覆盖已有数据的数据库")
@with_appcontext
def restore_command(file: str, force: bool) -> None:
    """Restore the database from FILE; refuses a database holding data unless --force."""
    try:
        backups.restore(file, force=force)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"已从 {file} 恢复数据库")
