"""The summaries follow the tasks through signals (``core.signals``), whose receivers
``create_app`` connects: the CLI and the scheduler, which build their app with it, see them."""

from sqlalchemy import select

from tests.conftest import make_config
from volunteer import create_app
from volunteer.auth.models import User
from volunteer.core import signals
from volunteer.extensions import db
from volunteer.stats import receivers
from volunteer.stats.models import ServiceMonth
from volunteer.tasks import services
from volunteer.tasks.models import Claim

SIGNALS = (signals.claim_confirmed, signals.claim_no_show, signals.claim_rated,
           signals.member_moving)


def _disconnect_all() -> None:
    for signal in SIGNALS[:3]:
        signal.disconnect(receivers._refresh_claim)
    signals.member_moving.disconnect(receivers._place_services)


def test_a_cli_command_refreshes_the_summary_through_the_signal(
        app, db_url, tmp_path, ctx, make_task, member, secretary, claim_for):
    task = make_task(starts_in=-4, hours=2)
    claim = claim_for(member, task)
    services.check_in(member, task, now=task.starts_at)
    services.check_out(member, task, now=task.ends_at)
    db.session.commit()
    claim_id, secretary_id, member_id = claim.id, secretary.id, member.id
    assert db.session.scalars(select(ServiceMonth)).all() == []
    _disconnect_all()  # as in a fresh process, before the app is built
    try:
        assert not any(signal.receivers for signal in SIGNALS)
        cli_app = create_app(make_config(db_url, str(tmp_path)))  # what `volunteer …` does
        assert all(signal.receivers for signal in SIGNALS)

        @cli_app.cli.command("confirm-claim")
        def confirm_claim_command() -> None:
            services.confirm_claim(db.session.get(User, secretary_id),
                                   db.session.get(Claim, claim_id), quality=4)
            db.session.commit()

        result = cli_app.test_cli_runner().invoke(args=["confirm-claim"])
        assert result.exit_code == 0, result.output
    finally:
        receivers.connect()
    db.session.expire_all()
    found = db.session.execute(select(ServiceMonth.member_id, ServiceMonth.services,
                                      ServiceMonth.minutes, ServiceMonth.quality_sum)).all()
    assert [tuple(row) for row in found] == [(member_id, 1, 120, 4)]


def test_without_the_receivers_the_summary_stays_behind(ctx, make_task, member, secretary,
                                                        claim_for):
    """The refresh is the receiver's doing, not the tasks service's: disconnected, nothing
    changes (so the test above proves the wiring)."""
    task = make_task(starts_in=-4, hours=2)
    claim = claim_for(member, task)
    services.check_in(member, task, now=task.starts_at)
    services.check_out(member, task, now=task.ends_at)
    _disconnect_all()
    try:
        services.confirm_claim(secretary, claim, quality=4)
        db.session.commit()
    finally:
        receivers.connect()
    assert db.session.scalars(select(ServiceMonth)).all() == []
