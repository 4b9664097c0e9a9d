"""Home fixtures: the mobilisation tests' street (two communities, a grid, a branch, members
here and elsewhere, staff of each role) and confirmed services written into the tables."""

from datetime import timedelta

import pytest

from tests.mobilisation.conftest import area  # noqa: F401  (fixtures, shared)
from tests.reports.conftest import make_service  # noqa: F401
from volunteer.core.time import utcnow
from volunteer.extensions import db


@pytest.fixture
def make_claim(ctx):
    """A live claim of ``member`` on a task of their community starting ``starts_in`` hours from
    now (negative: in the past), checked in / out as asked."""
    from sqlalchemy import select

    from volunteer.auth.models import User
    from volunteer.tasks.models import Claim, Task

    def make(member, starts_in=24.0, hours=2.0, checked_in=False, checked_out=False,
             title="楼道消杀"):
        secretary = db.session.scalar(select(User).where(
            User.role == "community_secretary", User.community_id == member.community_id))
        starts_at = utcnow() + timedelta(hours=starts_in)
        task = Task(community_id=member.community_id, street_id=member.street_id,
                    created_by_id=secretary.id, title=title, category="disinfection",
                    location="3 幢楼道", starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=hours), slots=3, slots_taken=1,
                    status="open")
        db.session.add(task)
        db.session.flush()
        claim = Claim(task_id=task.id, member_id=member.id, status="claimed",
                      checked_in_at=starts_at if checked_in or checked_out else None,
                      checked_out_at=task.ends_at if checked_out else None,
                      self_minutes=int(hours * 60) if checked_out else None)
        db.session.add(claim)
        db.session.commit()
        return claim

    return make
