"""Pages: the inbox."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from volunteer.core.decorators import login_required
from volunteer.core.forms import page_of
from volunteer.core.i18n import N_
from volunteer.extensions import db
from volunteer.notifications import services

bp = Blueprint("notifications", __name__)


@bp.get("/inbox")
@login_required
def inbox():
    unread_only = request.args.get("unread") == "1"
    page = page_of(services.list_notifications_stmt(current_user, unread_only))
    return render_template("notifications/inbox.html", page=page, unread_only=unread_only)


@bp.post("/inbox/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    row = services.get_notification(current_user, notification_id)
    services.mark_read(current_user, row)
    db.session.commit()
    if row.link and row.link.startswith("/") and not row.link.startswith("//"):
        return redirect(row.link)
    return redirect(url_for("notifications.inbox"))


@bp.post("/inbox/read-all")
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.inbox"))


@bp.route("/me/email", methods=["GET", "POST"])
@login_required
def email_preferences():
    if request.method == "POST":
        wanted = {kind: request.form.get(kind) == "1" for kind in services.EMAIL_KINDS}
        services.set_email_preferences(current_user, wanted)
        db.session.commit()
        flash(N_("邮件提醒设置已保存（站内消息不受影响）"), "success")
        return redirect(url_for("notifications.email_preferences"))
    return render_template("notifications/preferences.html", kinds=services.EMAIL_KINDS,
                           preferences=services.list_email_preferences(current_user))
