"""Write the fuzzer's schemathesis.toml: ids that exist in the seeded database, so that most
generated requests reach real objects instead of answering 404 (the rest stay random).

    python .ci/fuzz_config.py OUT.toml      # with DATABASE_URL etc. of the seeded app
"""

import sys

from sqlalchemy import select

from volunteer import create_app
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.mobilisation.models import Mobilisation, MobilisationPost
from volunteer.notifications.models import Notification
from volunteer.orgs.models import Branch, Community, Grid, Street, Unit
from volunteer.reports.models import ReportDelivery
from volunteer.requests.models import ServiceRequest
from volunteer.tasks.models import Claim, Task
from volunteer.wishes.models import Wish

PROBABILITY = 0.8  # the share of generated values taken from the real ids


def ids(column, limit: int = 300) -> list[int]:
    return list(db.session.scalars(select(column).order_by(column.desc()).limit(limit)))


def main(path: str) -> None:
    app = create_app()
    with app.app_context():
        found = {
            "task_id": ids(Task.id), "claim_id": ids(Claim.id), "wish_id": ids(Wish.id),
            "request_id": ids(ServiceRequest.id), "mobilisation_id": ids(Mobilisation.id),
            "member_id": ids(User.id), "notification_id": ids(Notification.id),
            "delivery_id": ids(ReportDelivery.id), "unit_id": ids(Unit.id),
            "community_id": ids(Community.id), "grid_id": ids(Grid.id),
            "street_id": ids(Street.id), "post_id": ids(MobilisationPost.id),
            "obj_id": sorted(set(ids(Street.id) + ids(Community.id) + ids(Grid.id)
                                 + ids(Branch.id))),
        }
    lines = ["# written by .ci/fuzz_config.py from the seeded database", ""]
    for name, values in found.items():
        if values:
            lines += [f"[dictionaries.{name}]", f"values = {values}", ""]
    lines.append("[parameters]")
    for name, values in found.items():
        if not values:
            continue
        binding = f'{{ dictionary = "{name}", probability = {PROBABILITY} }}'
        lines.append(f'"path.{name}" = {binding}')
        if name in ("community_id", "grid_id", "street_id", "unit_id"):
            lines.append(f'"query.{name}" = {binding}')
        if name in ("community_id", "grid_id", "street_id", "unit_id", "member_id", "post_id"):
            lines.append(f'"body.{name}" = {binding}')
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
