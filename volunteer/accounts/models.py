"""One-time codes of the self-service password reset (忘记密码)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from volunteer.core.time import utcnow
from volunteer.core.types import UTCDateTime
from volunteer.extensions import db


class PasswordResetCode(db.Model):
    """A 6-digit code sent through the account's channels; only a keyed hash of it is kept."""

    __tablename__ = "password_reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # used, or replaced by a newer code
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
