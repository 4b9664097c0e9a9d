"""``volunteer generate-district``: SPEC.md's district scale of synthetic data, in bulk inserts.

14 streets, 200 communities, 1,500 grids, 3,000 units, 24 general and 344 functional branches,
27,000 members, a year of 40,000 tasks with 400,000 claims (checked in, out and confirmed for
the past ones), 20,000 wishes and 8,000 residents' requests — multiplied by ``--scale`` and
deterministic for a ``--seed``. Ids are assigned here so rows link without round trips; every
synthetic account shares one password (printed), and phones use the 199 0000 xxxx test range.
"""

import random
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import func, select, text

from volunteer.auth.models import User
from volunteer.auth.services import hash_password
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.orgs.models import Branch, Community, Grid, Street, Unit
from volunteer.requests.models import RequestEvent, ServiceRequest
from volunteer.seed.generate.common import World
from volunteer.seed.generate.community import requests, wishes
from volunteer.seed.generate.people import people
from volunteer.seed.generate.places import places, units
from volunteer.seed.generate.service import tasks_and_claims
from volunteer.stats import summaries as summary
from volunteer.tasks.models import Claim, Task
from volunteer.wishes.models import Wish, WishClaim

PASSWORD = "Tongtong2026"
BASE = {"streets": 14, "communities": 200, "grids": 1500, "units": 3000, "general": 24,
        "branches": 344, "members": 27000, "tasks": 40000, "claims": 400000, "wishes": 20000,
        "requests": 8000}
# the table groups, in the order they draw from the one random stream
GROUPS = (places, units, people, tasks_and_claims, wishes, requests)


class NotEmpty(Exception):
    """The database already holds organisations."""


def counts(scale: float) -> dict[str, int]:
    """The number of each object at ``scale`` (at least a handful of each)."""
    return {key: max(2 if key == "streets" else 3, round(value * scale))
            for key, value in BASE.items()}


def _fix_sequences(models) -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"))


def generate(*, scale: float = 1.0, seed: int = 2022, now: datetime | None = None,
             tick: Callable[[int], None] = lambda n: None) -> dict[str, int]:
    """Fill an empty database; answers what was created. The caller commits."""
    if db.session.scalar(select(func.count()).select_from(Street)):
        raise NotEmpty("数据库中已有组织数据，generate-district 只用于空数据库")
    n = counts(scale)
    world = World(rng=random.Random(seed), n=n, now=now or utcnow(),
                  password=hash_password(PASSWORD), tick=tick, created=dict.fromkeys(n, 0))
    for group in GROUPS:
        group(world)
    # the summaries last, from the claims
    world.created["service_months"] = summary.rebuild()
    _fix_sequences([Street, Community, Grid, Unit, Branch, User, Task, Claim, Wish, WishClaim,
                    ServiceRequest, RequestEvent])
    return world.created


def analyse() -> None:
    """Refresh the planner's statistics after a bulk load (the caller has committed); on
    PostgreSQL also vacuum, as autovacuum would in its own time: the visibility map lets the
    review's covering indexes answer without reading the tables."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
        return
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def total_rows(scale: float) -> int:
    """Roughly how many rows a run inserts (for the progress bar)."""
    n = counts(scale)
    return int(sum(n.values()) + n["members"] * 1.2 + n["grids"] + n["wishes"] * 0.8 +
               n["requests"] * 2.5 + n["tasks"] * 0.2)
