"""Reading commendations."""

from sqlalchemy import select

from volunteer.commendations.models import Commendation
from volunteer.core.periods import Period
from volunteer.extensions import db


def list_commendations(*, member_id=None, street_id=None, period: Period | None = None,
                       within: Period | None = None) -> list[Commendation]:
    """Commendations of a member or a street, for one period or inside a longer one."""
    stmt = select(Commendation).order_by(Commendation.period_start.desc(), Commendation.id)
    if member_id is not None:
        stmt = stmt.where(Commendation.member_id == member_id)
    if street_id is not None:
        stmt = stmt.where(Commendation.street_id == street_id)
    if period is not None:
        stmt = stmt.where(Commendation.period == period.key)
    if within is not None:
        stmt = stmt.where(Commendation.period_start >= within.start,
                          Commendation.period_end <= within.end)
    return list(db.session.scalars(stmt))
