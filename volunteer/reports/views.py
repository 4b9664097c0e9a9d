"""Pages: the report archive (每个用户的报告), printable views, Excel copies, the runs."""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from volunteer.core.decorators import login_required, roles_required
from volunteer.core.downloads import XLSX
from volunteer.core.errors import Conflict, ValidationFailed
from volunteer.core.forms import page_of
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.reports import queue, services
from volunteer.reports.excel import workbook_for
from volunteer.reports.kinds import REPORTS
from volunteer.stats.score import EXPLANATION

bp = Blueprint("reports", __name__)


@bp.get("/reports")
@login_required
def archive():
    kind = request.args.get("kind")
    kind = kind if kind in REPORTS else None
    page = page_of(services.list_deliveries_stmt(current_user, kind))
    return render_template("reports/archive.html", page=page, kind=kind,
                           kinds={code: report.label for code, report in REPORTS.items()})


@bp.get("/reports/<int:delivery_id>")
@login_required
def show(delivery_id: int):
    delivery = services.get_delivery(current_user, delivery_id)
    tables, members = services.tables_of(delivery)
    return render_template("reports/show.html", delivery=delivery, run=delivery.run,
                           payload=delivery.payload, tables=tables, members=members,
                           printable=request.args.get("print") == "1",
                           ranked=services.has_ranking(delivery, tables),
                           score_explanation=EXPLANATION)


@bp.get("/reports/<int:delivery_id>/export.xlsx")
@login_required
def export(delivery_id: int):
    delivery = services.get_delivery(current_user, delivery_id)
    tables, members = services.tables_of(delivery)
    title = f"{delivery.run.kind_label} {delivery.run.content.get('label', delivery.run.period)}"
    data = workbook_for(title, tables, members)
    filename = f"report-{delivery.run.kind}-{delivery.run.period}.xlsx"
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/admin/reports")
@roles_required("district_admin")
def runs():
    page = page_of(services.list_runs_stmt(current_user))
    counts = services.email_counts([run.id for run in page.items])
    now = utcnow()
    pickers = [(code, report.label, [(p.key, p.label, sent)
                                     for p, sent in queue.recent_periods(code, now)])
               for code, report in REPORTS.items()]
    return render_template("reports/runs.html", page=page, counts=counts, pickers=pickers,
                           requests=queue.list_requests(current_user))


@bp.post("/admin/reports/requests")
@roles_required("district_admin")
def request_run():
    """Queue a run for the scheduler process (never run here, in the web worker)."""
    kind, period = request.form.get("kind", ""), request.form.get("period", "")
    try:
        queued = queue.request_run(current_user, kind, period)
    except (ValidationFailed, Conflict) as error:
        db.session.rollback()
        problem = "；".join(error.fields.values()) if getattr(error, "fields", None) else ""
        flash(f"未能提交：{error.message}{'（' + problem + '）' if problem else ''}", "danger")
        return redirect(url_for("reports.runs"))
    db.session.commit()
    flash(f"已提交：{queued.kind_label}（{queued.period}）已排队，调度程序将在一分钟内开始发送，"
          "同一期间已收到的人不会重复收到。", "success")
    return redirect(url_for("reports.runs"))
