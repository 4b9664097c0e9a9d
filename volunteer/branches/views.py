"""Pages: the members of a functional branch (本支部党员)."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from volunteer.branches import services
from volunteer.branches.permissions import branch_member_phone
from volunteer.core.decorators import roles_required
from volunteer.core.forms import page_of

bp = Blueprint("branches", __name__)


@bp.get("/branch")
@roles_required("branch_secretary")
def my_branch():
    """A branch secretary's own branch."""
    return redirect(url_for("branches.members", branch_id=current_user.branch_id))


@bp.get("/branches/<int:branch_id>/members")
@roles_required("branch_secretary", "community_secretary", "district_admin")
def members(branch_id: int):
    branch = services.get_branch(current_user, branch_id)
    q = request.args.get("q") or None
    page = page_of(services.list_branch_members_stmt(current_user, branch, q), per_page=50)
    period = services.current_quarter()
    return render_template("branches/members.html", branch=branch, page=page, q=q or "",
                           period=period, hours=services.hours_of(page.items, period),
                           phone_of=branch_member_phone)
