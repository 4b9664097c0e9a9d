"""A reset code is used once, however many requests race with it (PostgreSQL and SQLite)."""

from collections import Counter

from sqlalchemy import func, select

from tests.tasks.test_claim_concurrency import fire
from volunteer.accounts.models import PasswordResetCode
from volunteer.extensions import db


def test_racing_resets_with_one_code_let_exactly_one_through(app, client, member_with_email,
                                                             mailed_code):
    phone = member_with_email().phone
    client.post("/api/v1/auth/forgot", json={"phone": phone})
    code = mailed_code("gu.li@example.com")
    db.session.commit()  # the test holds no transaction (SQLite's write lock) while they race
    results = fire(app, [("POST", "/api/v1/auth/reset", {},
                          {"phone": phone, "code": code, "password": f"Langshan-20{i}x"})
                         for i in range(4)])
    statuses = Counter(status for status, _code in results)
    assert statuses[200] == 1, results
    assert all(code == "invalid_code" for status, code in results if status != 200), results
    assert db.session.scalar(select(func.count()).select_from(PasswordResetCode)
                             .where(PasswordResetCode.used_at.is_(None))) == 0
