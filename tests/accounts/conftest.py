"""Helpers of the accounts tests: the code a reset e-mail carries."""

import re

import pytest
from sqlalchemy import select

from volunteer.extensions import db
from volunteer.notifications.models import EmailDelivery, Notification


@pytest.fixture
def mailed_code(ctx):
    """The 6-digit code of the newest e-mail queued to ``address`` (None: nothing queued)."""

    def read(address: str) -> str | None:
        db.session.commit()
        body = db.session.scalar(
            select(Notification.body).join(EmailDelivery, EmailDelivery.notification_id
                                           == Notification.id)
            .where(EmailDelivery.address == address).order_by(EmailDelivery.id.desc()).limit(1))
        match = re.search(r"\b(\d{6})\b", body or "")
        return match.group(1) if match else None

    return read


@pytest.fixture
def member_with_email(make_member):
    def make(email="gu.li@example.com", **kwargs):
        member = make_member(**kwargs)
        member.email = email
        db.session.commit()
        return member

    return make
