"""Pages: the public 居民点单 form and tracking page; the staff and member steps."""

from datetime import datetime

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from volunteer.core.decorators import roles_required
from volunteer.core.edge import DATE_MESSAGE, date_in_range
from volunteer.core.errors import DomainError, NotFound, ValidationFailed
from volunteer.core.forms import (
    also_check,
    form_errors,
    grouped_choices,
    list_filters,
    optional_int,
    page_of,
)
from volunteer.core.i18n import N_
from volunteer.core.search import SEARCH_MAX
from volunteer.core.time import local_zone, utcnow
from volunteer.extensions import db
from volunteer.orgs import services as orgs
from volunteer.requests import permissions, services
from volunteer.requests.forms import (
    ActionForm,
    ConvertForm,
    DispatchForm,
    NoteForm,
    RateForm,
    ReasonForm,
    RequestForm,
    TrackForm,
)
from volunteer.requests.models import CATEGORIES, ServiceRequest

bp = Blueprint("requests", __name__)
LISTERS = ("member", "community_secretary", "grid_worker", "street_reviewer", "district_admin")
TRACKED = "tracked_request"


@bp.route("/requests/new", methods=["GET", "POST"])
def new():
    form = RequestForm()
    form.community_id.choices = grouped_choices(orgs.community_picker(full_names=True),
                                                gettext("请选择"))
    fields = ("name", "phone", "community_id", "category", "description", "address",
              "privacy_consent", "health_sensitive", "sensitive_consent")
    if form.validate_on_submit():
        with form_errors(form) as outcome:
            req = services.submit_request(ip=request.remote_addr or "unknown",
                                          website=form.website.data,
                                          **{name: form[name].data for name in fields})
        if outcome.ok:
            db.session.commit()
            session[TRACKED] = req.id
            flash(f"点单已提交，查询码：{req.tracking_code}", "success")
            return redirect(url_for("requests.track"))
    elif form.is_submitted():
        also_check(form, services.check_request, **{name: form[name].data for name in fields})
    return render_template("requests/new.html", form=form)


def _tracked_request() -> ServiceRequest | None:
    request_id = session.get(TRACKED)
    return db.session.get(ServiceRequest, request_id) if isinstance(request_id, int) else None


@bp.route("/requests/track", methods=["GET", "POST"])
def track():
    form = TrackForm()
    if form.validate_on_submit():
        try:
            req = services.track_request(form.code.data, form.phone.data,
                                         request.remote_addr or "unknown")
        except NotFound as error:
            db.session.commit()  # keep the counted failure for the throttle
            form.code.errors.append(error.message)
        else:
            session[TRACKED] = req.id
            return redirect(url_for("requests.track"))
    req = None if request.method == "POST" or request.args.get("other") else _tracked_request()
    return render_template("requests/track.html", form=form, req=req, rate_form=RateForm(),
                           steps=services.public_steps(req) if req else [],
                           task=services.converted_task(req) if req else None,
                           rateable=services.is_rateable(req) if req else False)


@bp.post("/requests/track/rate")
def track_rate():
    req = _tracked_request()
    form = RateForm()
    if req is None:
        flash(N_("请先输入查询码和手机号查询点单"), "warning")
    elif form.validate_on_submit():
        services.rate_request(None, req, form.rating.data, form.comment.data)
        db.session.commit()
        flash(N_("感谢您的评价！"), "success")
    else:
        flash(N_("评价不能超过 500 字"), "danger")
    return redirect(url_for("requests.track"))


@bp.get("/requests")
@roles_required(*LISTERS)
def list_requests():
    default = "open" if current_user.is_member else "submitted"
    status = request.args.get("status", default)
    overdue = status == "overdue"
    filters = list_filters(category=CATEGORIES)
    stmt = services.list_requests_stmt(
        current_user, status=None if status in ("all", "overdue") else status, overdue=overdue,
        **filters)
    grids = db.session.scalars(orgs.list_grids_stmt(current_user.community_id)).all() \
        if current_user.community_id and not current_user.is_member else []
    return render_template("requests/list.html", page=page_of(stmt), status=status,
                           filters=filters, categories=CATEGORIES, grids=grids,
                           search_max=SEARCH_MAX,
                           now=utcnow(), services=services,
                           overdue_count=services.count_overdue(current_user))


@bp.get("/requests/<int:request_id>")
@roles_required(*LISTERS)
def detail(request_id: int):
    req = services.get_request(current_user, request_id)
    suggestions = []
    if permissions.can_dispatch_request(current_user, req) and req.status == "accepted":
        suggestions = services.suggest_members(current_user, req, q=request.args.get("q"))
    return render_template(
        "requests/detail.html", req=req, p=permissions, suggestions=suggestions,
        overdue=services.overdue_of(req), rateable=services.is_rateable(req),
        action_form=ActionForm(), reason_form=ReasonForm(), note_form=NoteForm(),
        rate_form=RateForm(), convert_form=_convert_form(req))


def _convert_form(req: ServiceRequest) -> ConvertForm:
    form = ConvertForm(formdata=None)
    form.title.data = f"居民点单：{req.category_label}"
    form.location.data = f"{req.community.name}{' ' + req.grid.name if req.grid else ''}"
    form.description.data = req.description
    return form


def _step(request_id: int, action, form_class=ActionForm, fields: tuple = (),
          done: str = N_("已完成")):
    """Load, check the form, call one service, commit, flash, back to the request."""
    req = services.get_request(current_user, request_id)
    form = form_class()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors) or N_("请重试"),
              "danger")
    else:
        try:
            action(current_user, req, *(form[name].data for name in fields))
        except ValidationFailed as error:
            db.session.rollback()
            flash("；".join(error.fields.values()) or error.message, "danger")
        else:
            db.session.commit()
            flash(done, "success")
    if current_user.is_member and not permissions.can_view_request(current_user, req):
        return redirect(url_for("requests.list_requests"))
    return redirect(url_for("requests.detail", request_id=request_id))


@bp.post("/requests/<int:request_id>/accept")
@roles_required("grid_worker", "community_secretary")
def accept(request_id: int):
    return _step(request_id, services.accept_request, done=N_("已接单，已通知社区书记派单"))


@bp.post("/requests/<int:request_id>/reject")
@roles_required("grid_worker", "community_secretary")
def reject(request_id: int):
    return _step(request_id, services.reject_request, ReasonForm, ("reason",),
                 done=N_("已退回，居民查询时可以看到原因"))


@bp.post("/requests/<int:request_id>/dispatch")
@roles_required("community_secretary")
def dispatch(request_id: int):
    def dispatch_to(actor, req, member_id):
        if optional_int(member_id) is None:  # digits beyond any id
            raise ValidationFailed(fields={"member_id": N_("请选择党员")})
        return services.dispatch_request(actor, req, optional_int(member_id))

    return _step(request_id, dispatch_to, DispatchForm, ("member_id",),
                 done=N_("已派单，已通知党员"))


@bp.post("/requests/<int:request_id>/convert")
@roles_required("community_secretary")
def convert(request_id: int):
    req = services.get_request(current_user, request_id)
    form = ConvertForm()
    try:
        if not form.validate_on_submit():
            raise ValidationFailed(fields={k: v[0] for k, v in form.errors.items()})
        task = services.convert_request(
            current_user, req, title=form.title.data, location=form.location.data,
            starts_at=_local(form.starts_at.data, "starts_at"),
            ends_at=_local(form.ends_at.data, "ends_at"), slots=int(form.slots.data or 1),
            description=form.description.data)
    except DomainError as error:
        db.session.rollback()
        flash("；".join(error.fields.values()) or error.message, "danger")
        return redirect(url_for("requests.detail", request_id=request_id))
    db.session.commit()
    flash(f"已转为服务项目（编号 {task.id}），党员可以认领", "success")
    return redirect(url_for("requests.detail", request_id=request_id))


def _local(value: str, field: str) -> datetime:
    """A ``datetime-local`` input (local wall time) as an aware datetime."""
    try:
        moment = datetime.fromisoformat(value).replace(tzinfo=local_zone())
    except (TypeError, ValueError):
        raise ValidationFailed(fields={field: N_("时间格式应为 2026-11-26 09:00")}) from None
    if not date_in_range(moment):
        raise ValidationFailed(fields={field: DATE_MESSAGE})
    return moment


@bp.post("/requests/<int:request_id>/take")
@roles_required("member")
def take(request_id: int):
    return _step(request_id, services.take_request, done=N_("已接单，请按约定上门服务"))


@bp.post("/requests/<int:request_id>/decline")
@roles_required("member")
def decline(request_id: int):
    return _step(request_id, services.decline_request, ReasonForm, ("reason",),
                 done=N_("已婉拒，点单退回社区重新派单"))


@bp.post("/requests/<int:request_id>/complete")
@roles_required("member")
def complete(request_id: int):
    return _step(request_id, services.complete_request, NoteForm, ("note",),
                 done=N_("已完成，感谢您的服务"))


@bp.post("/requests/<int:request_id>/rate")
@roles_required("grid_worker", "community_secretary")
def rate(request_id: int):
    return _step(request_id, services.rate_request, RateForm, ("rating", "comment"),
                 done=N_("已代居民录入评价"))
