"""Client API: the reports a user received."""

from flask import jsonify, request
from flask_login import current_user

from volunteer.core.api import Out, Timestamp, api_blueprint, doc, one_of, page_of, paginated
from volunteer.core.decorators import login_required
from volunteer.core.time import isoformat
from volunteer.reports import services
from volunteer.reports.kinds import REPORTS

bp = api_blueprint("reports_api", __name__)


class DeliveryOut(Out):
    id: int
    kind: one_of(REPORTS)
    kind_label: str
    period: str
    title: str
    audience: str
    created_at: Timestamp


class ReportOut(DeliveryOut):
    payload: dict
    tables: dict[str, list[dict]]
    members: list[dict] | None = None


def serialise_delivery(delivery, full: bool = False) -> dict:
    run = delivery.run
    body = {"id": delivery.id, "kind": run.kind, "kind_label": run.kind_label,
            "period": run.period, "title": delivery.title, "audience": delivery.audience,
            "created_at": isoformat(delivery.created_at)}
    if full:
        tables, members = services.tables_of(delivery)
        body["payload"] = delivery.payload
        body["tables"] = tables
        if members is not None:
            body["members"] = members
    return body


@bp.get("/reports")
@doc("我收到的提醒、通报和总结",
     query={"kind": {"type": "string", "enum": list(REPORTS)}, "page": "integer",
            "per_page": "integer"}, response=page_of(DeliveryOut))
@login_required
def list_reports():
    kind = request.args.get("kind")
    stmt = services.list_deliveries_stmt(current_user, kind if kind in REPORTS else None)
    return paginated(stmt, serialise_delivery)


@bp.get("/reports/<int:delivery_id>")
@doc("一份报告的内容", errors=(403, 404), response=ReportOut)
@login_required
def get_report(delivery_id: int):
    return jsonify(serialise_delivery(services.get_delivery(current_user, delivery_id), True))
