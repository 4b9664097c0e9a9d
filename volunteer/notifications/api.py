"""Client API: the inbox."""

from flask import jsonify, request
from flask_login import current_user
from pydantic import Field

from volunteer.core.api import (
    ApiModel,
    Out,
    Timestamp,
    api_blueprint,
    doc,
    page_of,
    paginated,
    parse_body,
)
from volunteer.core.decorators import login_required
from volunteer.core.time import isoformat
from volunteer.extensions import db
from volunteer.notifications import services

bp = api_blueprint("notifications_api", __name__)


class NotificationOut(Out):
    id: int
    kind: str
    title: str
    body: str
    link: str | None
    created_at: Timestamp
    read_at: Timestamp | None


class UnreadOut(Out):
    unread: int


class PreferencesOut(Out):
    preferences: dict[str, bool]
    labels: dict[str, str]


def serialise_notification(row) -> dict:
    return {"id": row.id, "kind": row.kind, "title": row.title, "body": row.body,
            "link": row.link, "created_at": isoformat(row.created_at),
            "read_at": isoformat(row.read_at)}


@bp.get("/me/notifications")
@doc("我的消息", query={"unread": "boolean", "page": "integer", "per_page": "integer"},
     response=page_of(NotificationOut, unread=(int, ...)))
@login_required
def list_notifications():
    unread = request.args.get("unread") in ("1", "true")
    return paginated(services.list_notifications_stmt(current_user, unread),
                     serialise_notification, unread=services.count_unread(current_user))


@bp.post("/me/notifications/<int:notification_id>/read")
@doc("标记已读", errors=(403, 404), response=NotificationOut)
@login_required
def mark_read(notification_id: int):
    row = services.get_notification(current_user, notification_id)
    services.mark_read(current_user, row)
    db.session.commit()
    return jsonify(serialise_notification(row))


@bp.post("/me/notifications/read-all")
@doc("全部标记已读", response=UnreadOut)
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    db.session.commit()
    return jsonify({"unread": 0})


class PreferencesIn(ApiModel):
    preferences: dict[str, bool] = Field(
        json_schema_extra={"propertyNames": {"enum": list(services.EMAIL_KINDS)}})


@bp.get("/me/email-preferences")
@doc("邮件提醒设置：每类通知是否发邮件（站内消息始终保留）", response=PreferencesOut)
@login_required
def get_email_preferences():
    return jsonify({"preferences": services.list_email_preferences(current_user),
                    "labels": services.EMAIL_KINDS})


@bp.put("/me/email-preferences")
@doc("修改邮件提醒设置", body=PreferencesIn, response=PreferencesOut)
@login_required
def put_email_preferences():
    data = parse_body(PreferencesIn)
    preferences = services.set_email_preferences(current_user, data.preferences)
    db.session.commit()
    return jsonify({"preferences": preferences, "labels": services.EMAIL_KINDS})
