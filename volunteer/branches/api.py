"""Client API: a functional branch's members."""

from flask import jsonify, request
from flask_login import current_user

from volunteer.auth.models import MEMBER_STATUSES
from volunteer.branches import services
from volunteer.branches.permissions import branch_member_phone
from volunteer.core.api import Out, api_blueprint, doc, one_of, page_args, page_of
from volunteer.core.decorators import login_required
from volunteer.extensions import db

bp = api_blueprint("branches_api", __name__)


class BranchMemberOut(Out):
    id: int
    name: str
    phone: str
    status: one_of(MEMBER_STATUSES)
    grid_id: int | None
    grid: str | None
    unit_id: int | None
    unit: str | None
    branch_id: int
    branch: str
    hours: float


@bp.get("/branches/<int:branch_id>/members")
@doc("功能型党组织的党员（含其下属支部、小组；hours 为本季度已确认时长）",
     query={"q": "string", "page": "integer", "per_page": "integer"}, errors=(403, 404),
     response=page_of(BranchMemberOut, "BranchMemberPage", period=(str, ...)))
@login_required
def list_branch_members(branch_id: int):
    page, per_page = page_args()
    branch = services.get_branch(current_user, branch_id)
    stmt = services.list_branch_members_stmt(current_user, branch, request.args.get("q"))
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False,
                         max_per_page=per_page)
    period = services.current_quarter()
    hours = services.hours_of(result.items, period)
    items = [{"id": m.id, "name": m.name, "phone": branch_member_phone(current_user, m),
              "status": m.status, "grid_id": m.grid_id, "grid": m.grid.name if m.grid else None,
              "unit_id": m.unit_id, "unit": m.unit.name if m.unit else None,
              "branch_id": m.branch_id, "branch": m.branch.name, "hours": hours.get(m.id, 0.0)}
             for m in result.items]
    return jsonify({"items": items, "page": page, "per_page": per_page, "total": result.total,
                    "period": period.key})
