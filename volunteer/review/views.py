"""Pages: the review dashboards, their Excel and CSV exports, and commendations (评优)."""

from datetime import date

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from volunteer.auth.models import User
from volunteer.core.decorators import login_required
from volunteer.core.downloads import XLSX, download
from volunteer.core.errors import NotAllowed, NotFound, ValidationFailed
from volunteer.core.forms import arg_int, form_errors
from volunteer.core.i18n import N_
from volunteer.core.links import query_args, this_page_url
from volunteer.core.periods import containing, parse_period, period_between
from volunteer.core.replica import reading_from_primary, replica_reads
from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.review import dashboard, exports, services
from volunteer.review.forms import CommendForm
from volunteer.review.permissions import (
    can_commend_in_scope,
    can_commend_member,
    can_see_hours_export,
    can_view_scope,
)
from volunteer.stats.score import EXPLANATION

bp = Blueprint("review", __name__)
PER_PAGE = 20


class ListPage:
    """A page of an already computed list, shaped like Flask-SQLAlchemy's pagination."""

    def __init__(self, rows: list, page: int, per_page: int = PER_PAGE):
        self.total = len(rows)
        self.per_page = per_page
        self.pages = max(1, -(-self.total // per_page))
        self.page = min(max(1, page), self.pages)
        self.items = rows[(self.page - 1) * per_page:self.page * per_page]
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages
        self.prev_num, self.next_num = self.page - 1, self.page + 1


def period_choices(today: date) -> list[tuple[str, str]]:
    """Quick choices: this and last month, quarter, half-year and year."""
    choices = []
    for kind in ("month", "quarter", "half", "year"):
        this = containing(kind, today)
        choices += [(this.key, this.label), (this.previous().key, this.previous().label)]
    return choices


def default_period():
    """The current quarter (local time)."""
    return containing("quarter", to_local(utcnow()).date())


def chosen_period():
    """The ``period`` query parameter, by default the current quarter (local time)."""
    raw = request.args.get("period")
    if not raw:
        return default_period()
    return parse_period(raw)


def dashboard_period():
    """The dashboard's period and the errors to show beside its picker: a bad ``period``
    or bad ``from``/``to`` dates show the current quarter with the errors inline (never an
    error page). Returns (period, errors, picked): ``picked`` when the dates were chosen."""
    if "from" in request.args or "to" in request.args:
        try:
            return period_between(request.args.get("from"), request.args.get("to")), {}, True
        except ValidationFailed as error:
            return default_period(), error.fields, False
    try:
        return chosen_period(), {}, False
    except ValidationFailed as error:
        return default_period(), {"from": error.message}, False


def load_scope(kind: str, scope_id: int | None):
    scope = dashboard.get_scope(kind, scope_id)
    if not can_view_scope(current_user, scope):
        raise NotAllowed(N_("您无权查看该范围的统计"))
    return scope


def _scoped_table(kind: str, scope_id: int | None, period=None):
    """The scope, period, table name and its rows in the order asked for (``sort``, ``dir``)."""
    scope = load_scope(kind, scope_id)
    period = period or chosen_period()
    table = dashboard.check_table(scope, request.args.get("table"))
    if request.endpoint == "review.show":
        dashboard.prefetch(scope, period, table)
    rows = dashboard.table_rows(scope, table, period, current_user)
    rows = dashboard.sort_rows(rows, table, request.args.get("sort"),
                               request.args.get("dir") != "asc")
    return scope, period, table, rows


@bp.get("/review")
@login_required
def home():
    scope = dashboard.home_scope(current_user)
    if scope is None:
        raise NotAllowed(N_("统计看板供街道、社区、支部、单位和区委组织部使用"))
    return redirect(url_for("review.show", kind=scope.kind, scope_id=scope.id,
                            **query_args(exclude=("kind", "scope_id"))))


@bp.get("/review/district", defaults={"kind": "district", "scope_id": None})
@bp.get("/review/<any(street, community, branch, unit):kind>/<int:scope_id>")
@login_required
@replica_reads
def show(kind: str, scope_id: int | None):
    period, period_errors, picked = dashboard_period()
    if picked:  # the picked dates become the period every link of the page carries
        return redirect(this_page_url(period=period.key, page=None, **{"from": None, "to": None}))
    scope, period, table, rows = _scoped_table(kind, scope_id, period)
    sort, descending = request.args.get("sort"), request.args.get("dir") != "asc"
    page = ListPage(rows, arg_int("page", 1))
    with reading_from_primary():  # a commendation just made (or withdrawn) shows at once
        commendations = services.list_commendations(street_id=scope.street_id, period=period) \
            if scope.kind == "street" else []
    # a bad period: the dashboard of the current quarter, the errors beside the picker
    return render_template(
        "review/dashboard.html", scope=scope, period=period, table=table, page=page,
        columns=dashboard.columns_for(table), sort=sort, descending=descending,
        summary=dashboard.summary(scope, period),
        charts=dashboard.charts(scope, period),
        tables=[(t, dashboard.TABLE_LABELS[t]) for t in dashboard.TABLES[scope.kind]],
        choices=period_choices(to_local(utcnow()).date()), explanation=EXPLANATION,
        commendations=commendations, commended={c.member_id for c in commendations},
        can_commend=can_commend_in_scope(current_user, scope),
        hours_export=can_see_hours_export(current_user), args_url=this_page_url,
        period_errors=period_errors, picked_from=request.args.get("from"),
        picked_to=request.args.get("to"))


@bp.get("/review/district/export.xlsx", defaults={"kind": "district", "scope_id": None})
@bp.get("/review/<any(street, community, branch, unit):kind>/<int:scope_id>/export.xlsx")
@login_required
@replica_reads
def export(kind: str, scope_id: int | None):
    scope, period, table, rows = _scoped_table(kind, scope_id)
    title = f"{scope.title} · {period.label} · {dashboard.TABLE_LABELS[table]}统计"
    path = exports.write_table(title, dashboard.columns_for(table), rows)
    return download(path, f"review-{scope.key}-{period.key}-{table}.xlsx", XLSX)


@bp.get("/review/district/charts.xlsx", defaults={"kind": "district", "scope_id": None})
@bp.get("/review/<any(street, community, branch, unit):kind>/<int:scope_id>/charts.xlsx")
@login_required
@replica_reads
def export_charts(kind: str, scope_id: int | None):
    """The tables beside the charts (trend, categories, participation), one sheet each."""
    scope = load_scope(kind, scope_id)
    period = chosen_period()
    title = f"{scope.title} · {period.label} · 图表数据"
    path = exports.write_sheets(title, dashboard.chart_sheets(dashboard.charts(scope, period)))
    return download(path, f"review-{scope.key}-{period.key}-charts.xlsx", XLSX)


@bp.get("/review/district/hours.csv", defaults={"kind": "district", "scope_id": None})
@bp.get("/review/<any(street, community, branch, unit):kind>/<int:scope_id>/hours.csv")
@login_required
@replica_reads
def hours_csv(kind: str, scope_id: int | None):
    scope = load_scope(kind, scope_id)
    if not can_see_hours_export(current_user):
        raise NotAllowed()
    period = chosen_period()
    rows = exports.hours_rows(period, scope.filters)
    path = exports.write_csv(exports.HOURS_CSV_HEADER, rows)
    return download(path, f"service-hours-{scope.key}-{period.key}.csv", "text/csv")


@bp.route("/review/commend/<int:member_id>", methods=["GET", "POST"])
@login_required
def commend(member_id: int):
    member = db.session.get(User, member_id)
    if member is None or not member.is_member:
        raise NotFound(N_("找不到该党员"))
    if not can_commend_member(current_user, member):
        raise NotAllowed(N_("只有党员所在街道的审核员可以评优"))
    form = CommendForm(period=request.args.get("period"))
    period = parse_period(form.period.data or request.args.get("period"))
    back = url_for("review.show", kind="street", scope_id=member.street_id, table="member",
                   period=period.key)
    if form.validate_on_submit():
        with form_errors(form) as outcome:
            services.commend_member(current_user, member, period, form.citation.data)
        if outcome.ok:
            db.session.commit()
            flash(f"已将{member.name}评为{period.label}模范志愿者，已通知本人及所在单位", "success")
            return redirect(back)
    rows = {r["id"]: r for r in services.ranked_members(period, street_id=member.street_id)}
    return render_template("review/commend.html", member=member, period=period, form=form,
                           row=rows.get(member.id), back=back, explanation=EXPLANATION)


@bp.post("/review/commendations/<int:commendation_id>/withdraw")
@login_required
def withdraw_commendation(commendation_id: int):
    commendation = services.get_commendation(commendation_id)
    back = url_for("review.show", kind="street", scope_id=commendation.street_id,
                   period=commendation.period, table="member")
    name = commendation.member.name
    try:
        services.withdraw_commendation(current_user, commendation, request.form.get("reason"))
    except ValidationFailed as error:
        problem = "；".join(error.fields.values()) or error.message
        flash(f"未能撤销：{problem}", "danger")
        return redirect(back)
    db.session.commit()
    flash(f"已撤销{name}的评优，已通知本人", "success")
    return redirect(back)
