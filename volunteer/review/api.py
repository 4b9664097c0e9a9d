"""Client API: ``GET /api/v1/stats`` — the dashboards' figures as JSON."""

from typing import Any

from flask import jsonify, request
from flask_login import current_user
from pydantic import Field

from volunteer.core.api import Out, api_blueprint, doc, one_of, page_args, page_of, query_int
from volunteer.core.decorators import login_required
from volunteer.core.errors import NotAllowed, ValidationFailed
from volunteer.core.replica import replica_reads
from volunteer.review import dashboard
from volunteer.review.permissions import can_view_scope
from volunteer.review.views import chosen_period
from volunteer.stats.score import EXPLANATION

bp = api_blueprint("review_api", __name__)
LEVELS = ("street", "community", "grid", "unit", "branch", "member")
HIDDEN = {"quality_sum", "quality_n", "satisfaction_sum", "satisfaction_n", "email"}


# 2026-10, 2026Q3, 2026H1, 2026, or a range of local dates 2026-01-01..2026-03-31
PERIOD_QUERY = {"type": "string", "pattern": r"^(\d{4}(-(0[1-9]|1[0-2])|Q[1-4]|H[12])?"
                                             r"|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})$"}


class ScopeOut(Out):
    kind: str
    id: int | None
    name: str


StatsOut = page_of(dict[str, Any], "StatsOut", level=(one_of(LEVELS), ...),
                   period=(str, ...), period_label=(str, ...), scope=(ScopeOut, ...),
                   score=(str, Field(min_length=1)))


def stats_scope(user, street_id: int | None, community_id: int | None):
    """The narrowest scope asked for, else the user's own; NotAllowed outside their reach."""
    if community_id is not None:
        scope = dashboard.get_scope("community", community_id)
        if street_id is not None and scope.street_id != street_id:
            raise ValidationFailed(fields={"community_id": "该社区不属于所指定的街道"})
    elif street_id is not None:
        scope = dashboard.get_scope("street", street_id)
    else:
        scope = dashboard.home_scope(user)
    if scope is None or not can_view_scope(user, scope):
        raise NotAllowed("您无权查看该范围的统计")
    return scope


def serialise_row(row: dict) -> dict:
    return {key: value for key, value in row.items() if key not in HIDDEN}


@bp.get("/stats")
@doc("统计看板数据：按社区、单位、支部或党员的服务指标与综合评分",
     query={"level": {"type": "string", "enum": list(LEVELS)}, "period": PERIOD_QUERY,
            "street_id": "integer",
            "community_id": "integer", "sort": "string",
            "dir": {"type": "string", "enum": ["asc", "desc"]}, "page": "integer",
            "per_page": "integer"},
     errors=(400, 401, 403, 404), response=StatsOut)
@login_required
@replica_reads
def stats():
    level = request.args.get("level") or "community"
    if level not in LEVELS:
        raise ValidationFailed(fields={"level": f"应为 {'、'.join(LEVELS)} 之一"})
    period = chosen_period()
    scope = stats_scope(current_user, query_int("street_id", minimum=1),
                        query_int("community_id", minimum=1))
    rows = dashboard.table_rows(scope, level, period, current_user)
    rows = dashboard.sort_rows(rows, level, request.args.get("sort"),
                               request.args.get("dir") != "asc")
    page, per_page = page_args()
    items = rows[(page - 1) * per_page:page * per_page]
    return jsonify({"items": [serialise_row(r) for r in items], "page": page,
                    "per_page": per_page, "total": len(rows), "level": level,
                    "period": period.key, "period_label": period.label,
                    "scope": {"kind": scope.kind, "id": scope.id, "name": scope.name},
                    "score": EXPLANATION})
