"""What the statistics do when another feature tells them something (``core.signals``)."""

from volunteer.core import signals
from volunteer.stats import record, summaries


def _refresh_claim(claim, **_extra) -> None:
    summaries.refresh_claim(claim)


def _follow_member(member, **_extra) -> None:
    summaries.follow_member(member)


def _member_record(member, now=None, **_extra) -> dict:
    return record.member_record(member, now)


def connect() -> None:
    """Connect the receivers (``create_app`` calls this; connecting again changes nothing)."""
    for signal in (signals.claim_confirmed, signals.claim_no_show, signals.claim_rated):
        signal.connect(_refresh_claim)
    signals.member_moved.connect(_follow_member)
    signals.member_record.connect(_member_record)
