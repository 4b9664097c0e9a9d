"""Pages: browsing and claiming tasks, posting and managing them, the roster, my service."""

from datetime import date, datetime, timedelta

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from volunteer.commendations.services import list_commendations
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.downloads import XLSX
from volunteer.core.errors import DomainError, InvalidState, ValidationFailed
from volunteer.core.forms import also_check, arg_date, arg_int, form_errors, list_filters, page_of
from volunteer.core.i18n import N_, translate
from volunteer.core.search import SEARCH_MAX
from volunteer.core.time import to_local, utcnow
from volunteer.extensions import db
from volunteer.orgs import services as orgs
from volunteer.tasks import exports, services
from volunteer.tasks.forms import (
    ConfirmAllForm,
    ConfirmForm,
    EmptyForm,
    ReasonForm,
    SatisfactionForm,
    SeriesEditForm,
    SeriesForm,
    TaskForm,
)
from volunteer.tasks.models import CATEGORIES, STATES, TEMPLATES
from volunteer.tasks.permissions import (
    can_browse_tasks,
    can_manage_task,
    can_post_task,
    can_rate_for_task,
    can_view_roster,
)
from volunteer.tasks.services.series import SERIES_KEY
from volunteer.wishes.services import count_fulfilled

bp = Blueprint("tasks", __name__)


# ---------------------------------------------------------------- browsing


def _list_filters() -> dict:
    """The task list's filters from the query string; a bad value is dropped, not refused."""
    args = request.args
    series = args.get("series") or None
    return {**list_filters(category=CATEGORIES, state=STATES),
            "on_date": arg_date("date"), "community_id": arg_int("community_id"),
            "matching_skills": args.get("skills") == "1", "pending": args.get("pending") == "1",
            "series": series if series and SERIES_KEY.fullmatch(series) else None}


@bp.get("/tasks")
@login_required
def list_tasks():
    if not can_browse_tasks(current_user):
        return redirect(url_for("auth.home"))
    now, filters = utcnow(), _list_filters()
    page = page_of(services.list_tasks_stmt(current_user, now=now, grouped=True, **filters))
    mine = services.live_claims_of(current_user, [t.id for t in page.items]) \
        if current_user.is_member else {}
    series = services.get_series(current_user, filters["series"]) if filters["series"] else None
    grids = db.session.scalars(orgs.list_grids_stmt(current_user.community_id)).all() \
        if current_user.community_id else []
    return render_template(
        "tasks/list.html", page=page, now=now, mine=mine, filters=filters, series=series,
        counts=services.series_counts(series or page.items, now), grids=grids,
        series_ahead=len(services.series_ahead(series, now)) if series else 0,
        categories=CATEGORIES, states=STATES, search_max=SEARCH_MAX,
        communities=orgs.list_all_communities(), can_post=can_post_task(current_user),
        templates=TEMPLATES, reason_form=ReasonForm())


@bp.get("/tasks/<int:task_id>")
@login_required
def detail(task_id: int):
    task = services.get_task(current_user, task_id)
    now = utcnow()
    claim = services.get_live_claim(current_user, task) if current_user.is_member \
        else None
    opens, closes = task.check_window(services.check_in_early(), services.check_out_late())
    return render_template(
        "tasks/detail.html", task=task, now=now, claim=claim, form=EmptyForm(),
        cancel_form=ReasonForm(), state=task.state_at(now),
        waitlist_position=services.waitlist_position(current_user, task)
        if current_user.is_member else None,
        window_open=opens <= now <= closes, window=(opens, closes),
        cancel_until=task.starts_at - services.cancel_cutoff(),
        can_manage=can_manage_task(current_user, task),
        can_roster=can_view_roster(current_user, task))


def _member_action(task_id: int, action, done: str, **kwargs):
    task = services.get_task(current_user, task_id)
    return _member_action_to(task, action, "tasks.detail", done, **kwargs)


def _member_action_to(task, action, endpoint: str, done: str, **kwargs):
    """Run a task action; its refusal is flashed; back to the task's page (or roster)."""
    try:
        action(current_user, task, **kwargs)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for(endpoint, task_id=task.id))


@bp.post("/tasks/<int:task_id>/claim")
@login_required
def claim(task_id: int):
    return _member_action(task_id, services.claim_task, N_("认领成功，请按时参加"))


@bp.post("/tasks/<int:task_id>/unclaim")
@login_required
def unclaim(task_id: int):
    return _member_action(task_id, services.cancel_claim, N_("已取消认领"))


@bp.post("/tasks/<int:task_id>/waitlist")
@login_required
def join_waitlist(task_id: int):
    return _member_action(task_id, services.join_waitlist,
                          N_("已加入候补名单，有空位时会自动为您认领"))


@bp.post("/tasks/<int:task_id>/waitlist/leave")
@login_required
def leave_waitlist(task_id: int):
    return _member_action(task_id, services.leave_waitlist, N_("已退出候补名单"))


@bp.post("/tasks/<int:task_id>/check-in")
@login_required
def check_in(task_id: int):
    token = request.form.get("token") or None
    return _member_action(task_id, services.check_in, N_("签到成功"), token=token)


@bp.post("/tasks/<int:task_id>/check-out")
@login_required
def check_out(task_id: int):
    return _member_action(task_id, services.check_out, N_("签退成功，服务时长待社区确认"))


@bp.get("/tasks/scan/<token>")
@login_required
def scan(token: str):
    task = services.get_task(current_user, services.task_of_qr_token(token))
    return render_template("tasks/scan.html", task=task, token=token, form=EmptyForm(),
                           claim=services.get_live_claim(current_user, task))


# ---------------------------------------------------------------- posting and managing


def _grid_choices() -> list:
    grids = db.session.scalars(orgs.list_grids_stmt(current_user.community_id))
    return [("", gettext("不限网格"))] + [(g.id, g.name) for g in grids]


def _prefill(form, code: str | None) -> None:
    """Fill an empty form from one of the district's templates, starting tomorrow."""
    if code not in TEMPLATES:
        return
    title, slots, minutes, start, notes, skills = TEMPLATES[code]
    form.title.data, form.category.data, form.slots.data = title, code, slots
    form.description.data, form.skills.data = notes, skills
    tomorrow = to_local(utcnow()).date() + timedelta(days=1)
    begin = datetime.combine(tomorrow, datetime.strptime(start, "%H:%M").time())
    if isinstance(form, TaskForm):
        form.starts_at.data, form.ends_at.data = begin, begin + timedelta(minutes=minutes)
    else:
        form.first_date.data = tomorrow
        form.shifts.data = f"{start}-{(begin + timedelta(minutes=minutes)):%H:%M}"


def _posting_form(form_class):
    form = form_class()
    form.grid_id.choices = _grid_choices()
    if request.method == "GET":
        _prefill(form, request.args.get("template"))
    return form


@bp.route("/tasks/new", methods=["GET", "POST"])
@roles_required("community_secretary")
def new_task():
    form = _posting_form(TaskForm)
    if form.validate_on_submit():
        with form_errors(form) as outcome:
            task = services.create_task(current_user, publish=form.publish.data,
                                        **form.service_fields())
        if outcome.ok:
            db.session.commit()
            flash(N_("服务项目已发布") if task.status == "open" else N_("已存为草稿"), "success")
            return redirect(url_for("tasks.detail", task_id=task.id))
    elif form.is_submitted():
        also_check(form, services.check_task_fields, current_user, publish=form.publish.data,
                   **form.service_fields())
    return render_template("tasks/form.html", form=form, templates=TEMPLATES, task=None)


@bp.route("/tasks/series/new", methods=["GET", "POST"])
@roles_required("community_secretary")
def new_series():
    form = _posting_form(SeriesForm)
    if form.validate_on_submit():
        with form_errors(form) as outcome:
            tasks = services.create_task_series(
                current_user, first_date=form.first_date.data, days=form.days.data,
                shifts=services.parse_shifts(form.shifts.data), publish=form.publish.data,
                **form.service_fields())
        if outcome.ok:
            db.session.commit()
            flash(f"已生成 {len(tasks)} 个服务项目", "success")
            return redirect(url_for("tasks.list_tasks"))
    return render_template("tasks/series.html", form=form, templates=TEMPLATES)


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@roles_required("community_secretary")
def edit(task_id: int):
    task = services.get_task(current_user, task_id)
    form = TaskForm(obj=task)
    form.grid_id.choices = _grid_choices()
    if request.method == "GET":
        form.skills.data = task.skill_tags
        form.starts_at.data = to_local(task.starts_at).replace(tzinfo=None)
        form.ends_at.data = to_local(task.ends_at).replace(tzinfo=None)
    elif form.validate_on_submit():
        with form_errors(form) as outcome:
            services.update_task(current_user, task, **form.service_fields())
        if outcome.ok:
            db.session.commit()
            flash(N_("已保存"), "success")
            return redirect(url_for("tasks.detail", task_id=task.id))
    else:
        also_check(form, services.check_task_fields, current_user, task=task,
                   **form.service_fields())
    return render_template("tasks/form.html", form=form, templates=TEMPLATES, task=task)


@bp.post("/tasks/<int:task_id>/publish")
@roles_required("community_secretary")
def publish(task_id: int):
    return _member_action(task_id, services.publish_task, N_("已发布"))


@bp.post("/tasks/<int:task_id>/cancel")
@roles_required("community_secretary")
def cancel(task_id: int):
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(N_("请填写取消原因（不超过 200 字）"), "danger")
        return redirect(url_for("tasks.detail", task_id=task_id))
    return _member_action(task_id, services.cancel_task, N_("服务项目已取消，已通知认领人"),
                          reason=form.reason.data)


@bp.route("/tasks/series/<key>/edit", methods=["GET", "POST"])
@roles_required("community_secretary")
def edit_series(key: str):
    tasks = services.get_series(current_user, key)
    ahead = services.series_ahead(tasks)
    form = SeriesEditForm(obj=ahead[0] if ahead else tasks[-1])
    if form.validate_on_submit():
        with form_errors(form, refusal_field=form.title) as outcome:
            count = services.update_series(current_user, key, **form.service_fields())
        if outcome.ok:
            db.session.commit()
            flash(gettext("已修改尚未开始的 %(n)s 个服务项目", n=count), "success")
            return redirect(url_for("tasks.list_tasks", series=key))
    return render_template("tasks/series_edit.html", form=form, key=key, tasks=tasks,
                           ahead=len(ahead))


@bp.post("/tasks/series/<key>/cancel")
@roles_required("community_secretary")
def cancel_series(key: str):
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(N_("请填写取消原因（不超过 200 字）"), "danger")
        return redirect(url_for("tasks.list_tasks", series=key))
    try:
        count = services.cancel_series(current_user, key, form.reason.data)
    except (InvalidState, ValidationFailed) as error:  # a refusal of who may is a 403 page
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(gettext("已取消尚未开始的 %(n)s 个服务项目，已通知认领人", n=count), "success")
    return redirect(url_for("tasks.list_tasks", series=key))


# ---------------------------------------------------------------- roster, QR code


def _roster_page(task, *, row: int | None = None, errors: dict | None = None,
                 typed: dict | None = None):
    """The roster; after a refused confirmation, ``row`` keeps what was typed and its errors."""
    claims = services.list_roster(current_user, task)
    can_confirm = can_manage_task(current_user, task)
    confirmable = list(db.session.scalars(services.confirmable_stmt(task))) if can_confirm \
        else []
    return render_template(
        "tasks/roster.html", task=task, claims=claims, now=utcnow(),
        late=services.check_out_late(), waitlist=services.list_waitlist(current_user, task),
        reason_form=ReasonForm(), rate_form=SatisfactionForm(), form=EmptyForm(),
        can_confirm=can_confirm, can_rate=can_rate_for_task(current_user, task),
        confirmable=confirmable, confirmable_hours=sum(c.self_minutes for c in confirmable) / 60,
        row=row, row_errors=errors or {}, typed=typed or {})


@bp.get("/tasks/<int:task_id>/roster")
@login_required
def roster(task_id: int):
    return _roster_page(services.get_task(current_user, task_id))


@bp.post("/tasks/<int:task_id>/confirm-all")
@roles_required("community_secretary")
def confirm_all(task_id: int):
    task = services.get_task(current_user, task_id)
    form = ConfirmAllForm()
    if not form.validate_on_submit():
        flash(N_("请选择服务质量（1 到 5 星）后再全部确认"), "danger")
        return redirect(url_for("tasks.roster", task_id=task.id))
    return _member_action_to(task, services.confirm_all, "tasks.roster",
                             N_("已全部按上报时长确认"), quality=form.quality.data)


@bp.get("/tasks/<int:task_id>/roster.xlsx")
@login_required
def roster_export(task_id: int):
    task = services.get_task(current_user, task_id)
    data = exports.roster_workbook(current_user, task, services.list_roster(current_user, task))
    filename = f"roster-{task.id}.xlsx"
    return Response(data, mimetype=XLSX,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@bp.get("/tasks/<int:task_id>/qr")
@roles_required("community_secretary")
def qr_page(task_id: int):
    task = services.get_task(current_user, task_id)
    token = services.qr_token(current_user, task)
    return render_template("tasks/qr.html", task=task, token=token,
                           rotate=services.qr_rotate_seconds())


@bp.get("/tasks/<int:task_id>/qr.svg")
@roles_required("community_secretary")
def qr_image(task_id: int):
    task = services.get_task(current_user, task_id)
    url = url_for("tasks.scan", token=services.qr_token(current_user, task), _external=True)
    return Response(exports.qr_svg(url), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


def _claim_action(claim_id: int, action, done: str, form=None, **kwargs):
    claim = services.get_claim(current_user, claim_id)
    if form is not None and not form.validate_on_submit():
        flash("输入有误：" + "；".join(e for errs in form.errors.values() for e in errs), "danger")
        return redirect(url_for("tasks.roster", task_id=claim.task_id))
    try:
        action(current_user, claim, **kwargs)
    except DomainError as error:
        db.session.rollback()
        detail = "；".join(error.fields.values())
        flash(f"{error.message}{'：' + detail if detail else ''}", "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("tasks.roster", task_id=claim.task_id) + f"#claim-{claim.id}")


@bp.post("/claims/<int:claim_id>/confirm")
@roles_required("community_secretary")
def confirm(claim_id: int):
    claim = services.get_claim(current_user, claim_id)
    form = ConfirmForm()
    typed = {name: request.form.get(name, "") for name in ("hours", "quality", "reason")}
    errors = {name: "；".join(translate(e) for e in errs) for name, errs in form.errors.items()} \
        if not form.validate_on_submit() else {}
    if not errors:
        hours = float(form.hours.data) if form.hours.data is not None else None
        try:
            services.confirm_claim(current_user, claim, quality=form.quality.data, hours=hours,
                                   reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            errors = dict(error.fields) or {"row": error.message}
    if errors:
        flash(gettext("%(name)s 的时长未能确认，请按标红处修改", name=claim.member.name), "danger")
        return _roster_page(claim.task, row=claim.id, errors=errors, typed=typed)
    db.session.commit()
    flash(N_("已确认服务时长"), "success")
    return redirect(url_for("tasks.roster", task_id=claim.task_id) + f"#claim-{claim.id}")


@bp.post("/claims/<int:claim_id>/no-show")
@roles_required("community_secretary")
def no_show(claim_id: int):
    return _claim_action(claim_id, services.mark_no_show, N_("已标记缺席"))


@bp.post("/claims/<int:claim_id>/remove")
@roles_required("community_secretary")
def remove(claim_id: int):
    form = ReasonForm()
    return _claim_action(claim_id, services.remove_claim, N_("已移出并通知该党员"), form=form,
                         reason=form.reason.data)


@bp.post("/claims/<int:claim_id>/satisfaction")
@roles_required("community_secretary", "grid_worker")
def satisfaction(claim_id: int):
    form = SatisfactionForm()
    return _claim_action(claim_id, services.rate_satisfaction, N_("已录入居民满意度"), form=form,
                         satisfaction=form.satisfaction.data, comment=form.comment.data)


# ---------------------------------------------------------------- my service


@bp.get("/me/service")
@roles_required("member")
def my_service():
    upcoming = db.session.scalars(services.list_my_claims_stmt(current_user, when="upcoming"))
    history = page_of(services.list_my_claims_stmt(current_user, when="history"))
    today = to_local(utcnow()).date()
    wishes = count_fulfilled(current_user)
    return render_template("tasks/my_service.html", upcoming=list(upcoming), history=history,
                           totals=services.service_totals(current_user), now=utcnow(),
                           year_start=date(today.year, 1, 1), today=today, wishes=wishes,
                           commendations=list_commendations(member_id=current_user.id))


@bp.get("/me/service/certificate")
@roles_required("member")
def certificate():
    today = to_local(utcnow()).date()
    start = arg_date("start") if request.args.get("start") else date(today.year, 1, 1)
    end = arg_date("end") if request.args.get("end") else today
    if start is None or end is None:
        flash(N_("日期格式不正确"), "danger")
        return redirect(url_for("tasks.my_service"))
    try:
        data = services.certificate(current_user, start, end)
    except ValidationFailed as error:
        flash("；".join(error.fields.values()) or error.message, "danger")
        return redirect(url_for("tasks.my_service"))
    return render_template("tasks/certificate.html", today=today, **data)
