"""Factories for report tests: confirmed services written straight into the tables."""

from datetime import timedelta

import pytest

from volunteer.extensions import db


@pytest.fixture
def make_service(ctx, make_staff):
    """A confirmed service of ``member``: a one-slot task ending at ``ends_at``."""
    from sqlalchemy import select

    from volunteer.auth.models import User
    from volunteer.stats import summaries as summary
    from volunteer.tasks.models import Claim, Task

    secretaries = {}

    def make(member, ends_at, minutes=150, quality=5, satisfaction=None, no_show=False,
             confirmed=True):
        community = member.community
        if community.id not in secretaries:
            secretaries[community.id] = db.session.scalar(select(User).where(
                User.role == "community_secretary", User.community_id == community.id)
            ) or make_staff("community_secretary", community)
        task = Task(community_id=community.id, street_id=community.street_id,
                    created_by_id=secretaries[community.id].id, title="卡口值守",
                    category="checkpoint_duty", location="小区东门",
                    starts_at=ends_at - timedelta(minutes=minutes), ends_at=ends_at, slots=1,
                    slots_taken=1, status="open")
        db.session.add(task)
        db.session.flush()
        claim = Claim(task_id=task.id, member_id=member.id, status="claimed",
                      confirmed_at=ends_at if confirmed else None,
                      confirmed_minutes=minutes if confirmed else None,
                      quality=quality if confirmed else None, satisfaction=satisfaction,
                      no_show=no_show)
        db.session.add(claim)
        summary.refresh([(member.id, ends_at)])
        db.session.commit()
        return claim

    return make


@pytest.fixture
def make_claimed_task(ctx, make_staff):
    """A live claim of ``member`` on a one-hour task starting at ``starts_at``."""
    from volunteer.tasks.models import Claim, Task

    def make(member, starts_at):
        secretary = make_staff("community_secretary", member.community)
        task = Task(community_id=member.community_id, street_id=member.street_id,
                    created_by_id=secretary.id, title="楼道消杀", category="disinfection",
                    location="公园一村", starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=1), slots=3, slots_taken=1,
                    status="open")
        db.session.add(task)
        db.session.flush()
        claim = Claim(task_id=task.id, member_id=member.id, status="claimed")
        db.session.add(claim)
        db.session.commit()
        return claim

    return make
