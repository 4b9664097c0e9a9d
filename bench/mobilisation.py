"""Times a 集结号 at district scale on SQLite and PostgreSQL.

    python bench/mobilisation.py [--engine sqlite|postgresql|both] [--scale 1.0]

Reuses (or generates) the district of ``bench/reports.py``. The district admin calls every
community of the first street (about 1,950 members at scale 1): the declaration with its bulk
inbox and e-mail rows, 300 members' answers one by one (each committed), then the roster page
(the admin's first page of 50 and the counts) through the app, ten times. All of it is deleted
again at the end.
"""

import argparse
import time

from _common import ensure_district, make_app, percentile
from sqlalchemy import delete, select


def bench(engine: str, scale: float) -> str:
    url, instance = ensure_district(engine, scale)
    app = make_app(url, instance)
    app.config["WTF_CSRF_ENABLED"] = False
    from volunteer.audit.models import AuditLog
    from volunteer.auth.models import User
    from volunteer.extensions import db
    from volunteer.mobilisation import services
    from volunteer.mobilisation.models import Mobilisation
    from volunteer.notifications.models import EmailDelivery, Notification
    from volunteer.orgs.models import Community

    with app.app_context():
        admin = db.session.scalar(select(User).where(User.role == "district_admin"))
        street_id = db.session.scalar(select(Community.street_id).order_by(Community.id))
        communities = list(db.session.scalars(
            select(Community.id).where(Community.street_id == street_id)))
        started = time.perf_counter()
        call = services.declare(admin, title="全街道集结", message="请到社区党群服务中心报到",
                                community_ids=communities,
                                posts=[{"name": "卡口值守", "needed": 50},
                                       {"name": "后勤保障", "needed": 20}])
        db.session.commit()
        declared = time.perf_counter() - started
        members = db.session.scalars(select(User).where(
            User.role == "member", User.status == "approved",
            User.community_id.in_(communities)).order_by(User.id).limit(300)).all()
        started = time.perf_counter()
        for member in members:
            services.reply(member, call, "reporting")
            db.session.commit()
        answer = (time.perf_counter() - started) / len(members)
        call_id, phone, told = call.id, admin.phone, call.members_told
        db.session.remove()
    client = app.test_client()
    assert client.post("/login", data={"phone": phone, "password": "Tongtong2026"}
                       ).status_code == 302
    times = []
    for attempt in range(11):
        started = time.perf_counter()
        response = client.get(f"/mobilisations/{call_id}")
        assert response.status_code == 200
        if attempt:
            times.append(time.perf_counter() - started)
    with app.app_context():  # leave the district as it was (areas, posts, answers cascade)
        link = f"/mobilisations/{call_id}"
        ids = select(Notification.id).where(Notification.link == link)
        db.session.execute(delete(EmailDelivery).where(EmailDelivery.notification_id.in_(ids)))
        db.session.execute(delete(Notification).where(Notification.link == link))
        db.session.execute(delete(AuditLog).where(AuditLog.object_type == "mobilisations",
                                                  AuditLog.object_id == call_id))
        db.session.execute(delete(Mobilisation).where(Mobilisation.id == call_id))
        db.session.commit()
    return (f"{engine:<11} call to {told} members in {len(communities)} communities: "
            f"{declared * 1000:.0f} ms; an answer {answer * 1000:.1f} ms; roster page "
            f"p50 {percentile(times, 0.5) * 1000:.0f} / p95 {percentile(times, 0.95) * 1000:.0f}"
            " ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    for engine in ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]:
        print(bench(engine, args.scale), flush=True)


if __name__ == "__main__":
    main()
