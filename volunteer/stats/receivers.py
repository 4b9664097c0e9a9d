"""What the statistics do when another feature tells them something (``core.signals``)."""

from volunteer.core import signals
from volunteer.stats import record, summaries
from volunteer.tasks.services import place_claims


def _refresh_claim(claim, **_extra) -> None:
    summaries.refresh_claim(claim)


def _place_services(member, *, now, **_extra) -> None:
    # before a move: the member's services already over count where the member still is, and
    # past periods keep counting the member there
    place_claims([member.id], ended_before=now)
    summaries.record_move(member, now)


def _member_record(member, now=None, **_extra) -> dict:
    return record.member_record(member, now)


def connect() -> None:
    """Connect the receivers (``create_app`` calls this; connecting again changes nothing)."""
    for signal in (signals.claim_confirmed, signals.claim_no_show, signals.claim_rated):
        signal.connect(_refresh_claim)
    signals.member_moving.connect(_place_services)
    signals.member_record.connect(_member_record)
