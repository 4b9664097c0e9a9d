"""The scheduler's heartbeat: one row per scheduler name, rewritten every minute."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer.core.types import UTCDateTime
from volunteer.extensions import db


class SchedulerHeartbeat(db.Model):
    """When the scheduler process last said it was alive, and where it runs."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(UTCDateTime())
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
