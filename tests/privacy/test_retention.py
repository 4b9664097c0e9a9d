"""Retention: closed requests' residents and closed wishes' households are anonymised after the
set months, nothing else is, the service records stay; the audit log keeps its 6-month floor."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.wishes.conftest import image_bytes
from volunteer.audit.models import AuditLog
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.privacy import services
from volunteer.requests.models import ServiceRequest
from volunteer.scheduler import _housekeeping
from volunteer.wishes.models import Wish, WishClaim
from volunteer.wishes.photos import photo_path, store_photo

from .conftest import RESIDENT, WISH

DAY = timedelta(days=1)


def test_months_before_clips_to_the_month_end():
    moment = utcnow().replace(year=2026, month=8, day=31, hour=3)
    assert services.months_before(moment, 6).date().isoformat() == "2026-02-28"
    assert services.months_before(moment, 8).date().isoformat() == "2025-12-31"
    assert services.months_before(moment, 0) == moment


@pytest.fixture
def requests_at(make_request, member):
    """Requests in every state; closed ones closed ``age`` days ago."""
    now = utcnow()

    def make(age_days: int) -> dict:
        moment = now - age_days * DAY
        rows = {"completed": make_request("completed", member=member),
                "rated": make_request("completed", member=member),
                "rejected": make_request(), "converted": make_request(),
                "submitted": make_request(), "taken": make_request("taken", member=member)}
        rows["completed"].completed_at = moment
        rows["rated"].completed_at = moment - 2 * DAY
        rows["rated"].rated_at, rows["rated"].rating = moment, 5
        rows["rejected"].status, rows["rejected"].rejected_at = "rejected", moment
        rows["converted"].status, rows["converted"].converted_at = "converted", moment
        for row in rows.values():
            row.created_at = moment - 3 * DAY
        db.session.commit()
        return rows

    return make


def test_closed_requests_older_than_the_limit_lose_the_residents_contact(ctx, requests_at,
                                                                         member):
    old, recent = requests_at(200), requests_at(170)  # the limit: 6 months (~182 days)
    assert services.anonymise_closed_requests(dry_run=True) == 4
    assert services.anonymise_closed_requests() == 4
    db.session.commit()
    db.session.expire_all()
    for status in ("completed", "rated", "rejected", "converted"):
        req = db.session.get(ServiceRequest, old[status].id)
        assert (req.name, req.phone, req.address) == ("已匿名", "", "已匿名"), status
        assert req.anonymised_at is not None
        # the service record stays: what, where, who served, when, how it was rated
        assert req.description == RESIDENT["description"] and req.category == "repair"
        assert req.community_id is not None and req.tracking_code
    assert db.session.get(ServiceRequest, old["completed"].id).assignee_id == member.id
    assert db.session.get(ServiceRequest, old["rated"].id).rating == 5
    for status in ("submitted", "taken"):  # still open, however old
        assert db.session.get(ServiceRequest, old[status].id).phone == RESIDENT["phone"]
    for row in recent.values():
        assert db.session.get(ServiceRequest, row.id).name == RESIDENT["name"]
    assert db.session.scalar(select(func.count()).select_from(ServiceRequest)) == 12
    assert services.anonymise_closed_requests() == 0  # idempotent


def test_an_anonymised_request_can_no_longer_be_tracked(client, ctx, requests_at):
    old = requests_at(400)
    services.anonymise_closed_requests()
    db.session.commit()
    code = old["completed"].tracking_code
    for phone in (RESIDENT["phone"], ""):
        answer = client.get(f"/api/v1/requests/track?code={code}&phone={phone}")
        assert answer.status_code in (400, 404)


def test_the_limit_is_a_setting(app, ctx, requests_at):
    old = requests_at(40)
    assert services.anonymise_closed_requests(dry_run=True) == 0
    app.config["REQUEST_CONTACT_RETENTION_MONTHS"] = 1
    try:
        assert services.anonymise_closed_requests() == 4
    finally:
        app.config["REQUEST_CONTACT_RETENTION_MONTHS"] = 6
    db.session.commit()
    assert db.session.get(ServiceRequest, old["rejected"].id).phone == ""


@pytest.fixture
def wishes_at(make_wish, area, member):
    now = utcnow()

    def make(age_days: int) -> dict:
        moment = now - age_days * DAY
        rows = {status: make_wish("published") for status in
                ("confirmed", "fulfilled", "published", "claimed", "returned")}
        for status, wish in rows.items():
            wish.status = status
            wish.photo = store_photo(image_bytes())
            wish.created_at = wish.updated_at = moment - 5 * DAY
        for status in ("confirmed", "fulfilled", "claimed"):
            db.session.add(WishClaim(wish_id=rows[status].id, member_id=member.id,
                                     created_at=moment - 3 * DAY))
            rows[status].fulfilled_by_id = member.id
        rows["confirmed"].fulfilled_at = moment - DAY
        rows["confirmed"].confirmed_at, rows["confirmed"].satisfaction = moment, 5
        rows["confirmed"].fulfil_photo = store_photo(image_bytes())
        rows["fulfilled"].fulfilled_at = moment
        db.session.commit()
        return rows

    return make


def test_closed_wishes_older_than_the_limit_lose_the_households_identity(ctx, wishes_at,
                                                                         member):
    old, recent = wishes_at(400), wishes_at(330)  # the limit: 12 months
    photos = [old["confirmed"].photo, old["confirmed"].fulfil_photo, old["fulfilled"].photo]
    assert all(photo_path(p) for p in photos)
    assert services.anonymise_closed_wishes(dry_run=True) == 2
    assert services.anonymise_closed_wishes() == 2
    db.session.commit()
    db.session.expire_all()
    for status in ("confirmed", "fulfilled"):
        wish = db.session.get(Wish, old[status].id)
        assert (wish.beneficiary_name, wish.address, wish.phone) == ("已匿名", "已匿名", "")
        assert wish.photo is None and wish.fulfil_photo is None and wish.anonymised_at
        assert wish.content == WISH["content"] and wish.fulfilled_by_id == member.id
        assert [c.member_id for c in wish.claims] == [member.id]
    assert not any(photo_path(p) for p in photos)
    assert db.session.get(Wish, old["confirmed"].id).satisfaction == 5
    for status in ("published", "claimed", "returned"):
        assert db.session.get(Wish, old[status].id).phone == WISH["phone"]
    for wish in recent.values():
        assert db.session.get(Wish, wish.id).beneficiary_name == WISH["beneficiary_name"]
    assert db.session.scalar(select(func.count()).select_from(WishClaim)) == 6
    assert services.anonymise_closed_wishes() == 0


def _audit(age_days: int) -> AuditLog:
    row = AuditLog(action="test", object_type="users", detail={},
                   created_at=utcnow() - age_days * DAY)
    db.session.add(row)
    return row


def test_audit_log_is_purged_after_its_retention(app, ctx):
    kept, purged = _audit(700), _audit(760)  # the default: 24 months
    db.session.commit()
    kept_id, purged_id = kept.id, purged.id
    assert services.purge_audit_log() == 1
    db.session.commit()
    assert db.session.get(AuditLog, kept_id) and db.session.get(AuditLog, purged_id) is None


@pytest.mark.parametrize("setting", [0, 1, 3, -5])
def test_audit_log_is_never_purged_younger_than_six_months(app, ctx, setting):
    young, old = _audit(175), _audit(190)
    db.session.commit()
    young_id, old_id = young.id, old.id
    app.config["AUDIT_RETENTION_MONTHS"] = setting
    try:
        assert services.retention_months("AUDIT_RETENTION_MONTHS") == 6
        assert services.purge_audit_log() == 1
    finally:
        app.config["AUDIT_RETENTION_MONTHS"] = 24
    db.session.commit()
    assert db.session.get(AuditLog, young_id) is not None
    assert db.session.get(AuditLog, old_id) is None


def test_nightly_housekeeping_runs_the_retention(ctx, requests_at, wishes_at):
    requests_at(200)
    wishes_at(400)
    _audit(800)
    db.session.commit()
    result = _housekeeping(utcnow())
    db.session.commit()
    assert result["requests_anonymised"] == 4 and result["wishes_anonymised"] == 2
    assert result["audit_rows_purged"] == 1


def test_cli_purge_and_its_dry_run(runner, ctx, requests_at):
    old = requests_at(200)
    dry = runner.invoke(args=["privacy", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "将匿名化居民点单 4 条" in dry.output
    db.session.expire_all()
    assert db.session.get(ServiceRequest, old["completed"].id).phone == RESIDENT["phone"]
    done = runner.invoke(args=["privacy", "purge"])
    assert done.exit_code == 0 and "已匿名化居民点单 4 条" in done.output
    db.session.expire_all()
    assert db.session.get(ServiceRequest, old["completed"].id).phone == ""
