"""Two secretaries approve the same launch-week queue at once (PostgreSQL, and SQLite's single
writer): each member is approved, audited and told exactly once."""

import threading

from sqlalchemy import func, select

from volunteer.audit.models import AuditLog
from volunteer.extensions import db
from volunteer.notifications.models import Notification


def test_concurrent_bulk_approvals_approve_each_member_once(app, make_community, make_member,
                                                            make_staff, token_for):
    community = make_community()
    ids = [make_member(community, status="pending").id for _ in range(30)]
    headers = [token_for(make_staff("community_secretary", community)) for _ in range(2)]
    barrier, answers = threading.Barrier(2), [None, None]

    def approve(index: int) -> None:
        client = app.test_client()
        barrier.wait()
        answers[index] = client.post("/api/v1/members/approve", headers=headers[index],
                                     json={"member_ids": ids}).get_json()

    threads = [threading.Thread(target=approve, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    approved = answers[0]["approved"] + answers[1]["approved"]
    assert sorted(approved) == sorted(ids)
    assert len(answers[0]["refused"]) + len(answers[1]["refused"]) == len(ids)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.kind == "member_approved")) == len(ids)
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "approve_member")) == len(ids)
