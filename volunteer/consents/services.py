"""Asking for consent (the form errors) and recording it."""

from datetime import datetime

from sqlalchemy import select

from volunteer.consents.models import NOTICE_VERSION, Consent
from volunteer.core.i18n import N_
from volunteer.core.time import utcnow
from volunteer.extensions import db

PRIVACY_CONSENT_REQUIRED = N_("请阅读并同意《个人信息保护说明》")
SENSITIVE_CONSENT_REQUIRED = N_("涉及健康等敏感个人信息，请单独勾选同意")


def check_consents(errors: dict, *, privacy_consent, health_sensitive=False,
                   sensitive_consent=False) -> None:
    """Add to ``errors`` the consents missing: the notice always, sensitive data separately."""
    if privacy_consent is not True:
        errors["privacy_consent"] = PRIVACY_CONSENT_REQUIRED
    if health_sensitive is True and sensitive_consent is not True:
        errors["sensitive_consent"] = SENSITIVE_CONSENT_REQUIRED


def record_consents(*, user=None, request=None, sensitive: bool = False,
                    now: datetime | None = None) -> list[Consent]:
    """Keep when, and to which version of the notice, consent was given (flushed later)."""
    now = now or utcnow()
    kinds = ("privacy", "sensitive") if sensitive else ("privacy",)
    rows = [Consent(kind=kind, notice_version=NOTICE_VERSION, given_at=now,
                    user_id=getattr(user, "id", None), request_id=getattr(request, "id", None))
            for kind in kinds]
    db.session.add_all(rows)
    return rows


def list_consents(*, user=None, request=None) -> list[Consent]:
    """The consents a member or a request carries, oldest first."""
    column, subject = (Consent.user_id, user) if user is not None else (Consent.request_id,
                                                                          request)
    return list(db.session.scalars(select(Consent).where(column == subject.id)
                                   .order_by(Consent.id)))
