"""Task fixtures: a community with its secretary, and tasks placed anywhere in time.

Services take ``now``, so a task that started three hours ago is posted "five hours ago".
"""

from datetime import timedelta

import pytest

from volunteer.core.time import utcnow
from volunteer.extensions import db


@pytest.fixture
def community(make_community):
    return make_community()


@pytest.fixture
def secretary(make_staff, community):
    return make_staff("community_secretary", community)


@pytest.fixture
def member(make_member, community):
    return make_member(community=community)


@pytest.fixture
def make_task(ctx, secretary):
    """Post a task through the service; ``starts_in`` (hours from now) may be negative."""
    from volunteer.tasks import services

    def make(by=None, starts_in=24.0, hours=3.0, slots=5, publish=True, **fields):
        starts_at = utcnow() + timedelta(hours=starts_in)
        values = {"title": "楼道消杀", "category": "disinfection", "location": "3 幢楼道",
                  "description": "", "slots": slots,
                  "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=hours)}
        values.update(fields)
        posted_at = min(utcnow(), starts_at - timedelta(hours=6))
        task = services.create_task(by or secretary, publish=publish, now=posted_at, **values)
        db.session.commit()
        return task

    return make


@pytest.fixture
def claim_for(ctx):
    """Claim a task for a member as if done before it started."""
    from volunteer.tasks import services

    def claim(member, task):
        result = services.claim_task(member, task, now=task.starts_at - timedelta(hours=5))
        db.session.commit()
        return result

    return claim
