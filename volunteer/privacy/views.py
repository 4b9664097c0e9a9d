"""Pages: the privacy notice, a member's data download and deletion request, the secretary's
list of deletion requests, the audit log (操作日志)."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from volunteer.consents.models import NOTICE_VERSION
from volunteer.core.decorators import roles_required
from volunteer.core.forms import page_of
from volunteer.core.i18n import N_
from volunteer.extensions import db
from volunteer.privacy import audit_log as audit
from volunteer.privacy import services
from volunteer.privacy.export import member_data
from volunteer.privacy.forms import ActionForm, DeletionRequestForm
from volunteer.privacy.permissions import can_handle_deletion_request, can_request_deletion

bp = Blueprint("privacy", __name__)


@bp.app_context_processor
def privacy_helpers():
    return {"pending_deletion": services.pending_deletion,
            "count_pending_deletions": services.count_pending_deletions,
            "can_request_deletion": can_request_deletion}


@bp.get("/privacy")
def notice():
    months = {name: services.retention_months(name) for name in services.RETENTION_DEFAULTS}
    return render_template("privacy/notice.html", version=NOTICE_VERSION, months=months,
                           audit_floor=services.AUDIT_FLOOR_MONTHS)


@bp.get("/me/data")
@roles_required("member")
def download_data():
    body = json.dumps(member_data(current_user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": "attachment; filename=my-data.json",
        "Cache-Control": "no-store"})


@bp.route("/me/deletion-request", methods=["GET", "POST"])
@roles_required("member")
def deletion_request():
    form = DeletionRequestForm()
    pending = services.pending_deletion(current_user)
    if pending is None and form.validate_on_submit():
        services.request_deletion(current_user)
        db.session.commit()
        flash(N_("注销申请已提交，社区书记处理后账号将停用，个人信息将被删除。"), "success")
        return redirect(url_for("members.me"))
    return render_template("privacy/deletion_request.html", form=form, pending=pending)


@bp.get("/members/deletion-requests")
@roles_required("community_secretary", "district_admin")
def deletion_requests():
    stmt = services.list_deletion_requests_stmt(current_user)
    return render_template("privacy/deletion_requests.html", page=page_of(stmt),
                           form=ActionForm(), can_handle=can_handle_deletion_request)


@bp.post("/members/deletion-requests/<int:deletion_id>/complete")
@roles_required("community_secretary", "district_admin")
def complete_deletion(deletion_id: int):
    row = services.get_deletion_request(current_user, deletion_id)
    if ActionForm().validate_on_submit():
        services.complete_deletion(current_user, row)
        db.session.commit()
        flash(N_("账号已注销，个人信息已匿名化，服务记录保留。"), "success")
    return redirect(url_for("privacy.deletion_requests"))


@bp.get("/admin/audit")
@roles_required("district_admin")
def audit_log():
    """The log, filtered by actor (name or phone), action, object and local dates."""
    filters = audit.parse_filters(request.args)
    page = page_of(audit.audit_stmt(current_user, filters), per_page=50)
    return render_template("auth/audit.html", page=page, entries=audit.describe(page.items),
                           filters=filters, actions=audit.action_choices(),
                           objects=audit.object_choices())
