"""Pages: collecting and reviewing wishes, members' browsing and claiming, the public wall."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from volunteer.core.decorators import login_required, roles_required
from volunteer.core.errors import ValidationFailed
from volunteer.core.forms import form_errors, list_filters, page_of
from volunteer.core.i18n import N_
from volunteer.core.search import SEARCH_MAX
from volunteer.core.time import utcnow
from volunteer.extensions import db
from volunteer.orgs import services as orgs
from volunteer.wishes import permissions, photos, services
from volunteer.wishes.api import private_image
from volunteer.wishes.forms import (
    AcceptClaimForm,
    ActionForm,
    ConfirmForm,
    FulfilForm,
    ReasonForm,
    RefuseClaimForm,
    WishForm,
)
from volunteer.wishes.models import HOUSEHOLD_KINDS, STATUSES

bp = Blueprint("wishes", __name__)
LISTERS = ("member", "community_secretary", "grid_worker", "street_reviewer", "district_admin")


def _upload(field) -> bytes | None:
    """The bytes of an uploaded file (one byte over the limit, so the service can refuse)."""
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    return storage.stream.read(photos.max_bytes() + 1)


def _grid_choices() -> list:
    grids = db.session.scalars(orgs.list_grids_stmt(current_user.community_id))
    return [("", gettext("请选择"))] + [(g.id, g.name) for g in grids]


@bp.get("/wishes")
@roles_required(*LISTERS)
def list_wishes():
    tab = request.args.get("tab") or ("community" if current_user.is_member else "all")
    status = tab if tab in STATUSES else None
    flag = tab if tab in ("unclaimed", "overdue", "awaiting") else None
    filters = list_filters(kind=HOUSEHOLD_KINDS)
    stmt = services.list_wishes_stmt(current_user, status=status, flag=flag,
                                     scope="street" if tab == "street" else None,
                                     mine=tab == "mine", **filters)
    flags = {**services.count_flags(current_user),
             "awaiting": services.count_awaiting(current_user)}
    grids = db.session.scalars(orgs.list_grids_stmt(current_user.community_id)).all() \
        if current_user.community_id and not current_user.is_member else []
    return render_template("wishes/list.html", page=page_of(stmt), tab=tab, now=utcnow(),
                           filters=filters, kinds=HOUSEHOLD_KINDS, grids=grids,
                           search_max=SEARCH_MAX,
                           flags=flags, services=services, p=permissions,
                           can_record=permissions.can_record_wish(current_user))


@bp.route("/wishes/new", methods=["GET", "POST"])
@roles_required("grid_worker", "community_secretary")
def new():
    form = WishForm()
    form.grid_id.choices = _grid_choices()
    if request.method == "GET":
        form.grid_id.data = current_user.grid_id
    if form.validate_on_submit():
        with form_errors(form) as outcome:
            wish = services.create_wish(current_user, photo=_upload(form.photo),
                                        **form.service_fields())
        if outcome.ok:
            db.session.commit()
            flash(N_("微心愿已登记，等待社区书记审核发布"), "success")
            return redirect(url_for("wishes.detail", wish_id=wish.id))
    return render_template("wishes/form.html", form=form, wish=None)


@bp.route("/wishes/<int:wish_id>/edit", methods=["GET", "POST"])
@roles_required("grid_worker", "community_secretary")
def edit(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    form = WishForm(obj=wish)
    form.grid_id.choices = _grid_choices()
    if request.method == "GET":
        form.deadline.data = wish.deadline.isoformat() if wish.deadline else ""
        form.value.data = str(wish.value)
        form.max_claimants.data = str(wish.max_claimants) if wish.group else ""
    if form.validate_on_submit():
        with form_errors(form) as outcome:
            services.update_wish(current_user, wish, photo=_upload(form.photo),
                                 **form.service_fields())
        if outcome.ok:
            db.session.commit()
            flash(N_("已保存"), "success")
            return redirect(url_for("wishes.detail", wish_id=wish.id))
    return render_template("wishes/form.html", form=form, wish=wish)


@bp.get("/wishes/<int:wish_id>")
@roles_required(*LISTERS)
def detail(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    releases_left = (services.releases_left(current_user)
                     if permissions.can_release_wish(current_user, wish) else None)
    return render_template(
        "wishes/detail.html", wish=wish, p=permissions, flags=services.flags_of(wish),
        action_form=ActionForm(), reason_form=ReasonForm(), fulfil_form=FulfilForm(),
        confirm_form=ConfirmForm(), refuse_form=RefuseClaimForm(formdata=None),
        releases_left=releases_left, release_limit=services.release_limit())


@bp.post("/wishes/<int:wish_id>/publish")
@roles_required("community_secretary")
def publish(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    if ActionForm().validate_on_submit():
        services.publish_wish(current_user, wish)
        db.session.commit()
        flash(N_("心愿已发布，党员可以认领了"), "success")
    return redirect(url_for("wishes.detail", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/return")
@roles_required("community_secretary")
def return_(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(N_("请填写退回原因（不超过 200 字）"), "danger")
    else:
        services.return_wish(current_user, wish, form.reason.data)
        db.session.commit()
        flash(N_("已退回给网格员"), "success")
    return redirect(url_for("wishes.detail", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/claim")
@roles_required("member")
def claim(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    if ActionForm().validate_on_submit():
        services.claim_wish(current_user, wish)
        db.session.commit()
        flash(N_("认领成功！请等待社区书记或网格员确认，确认后将显示受助家庭的联系方式。"),
              "success")
    return redirect(url_for("wishes.detail", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/release")
@roles_required("member")
def release(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    if ActionForm().validate_on_submit():
        try:
            services.release_wish(current_user, wish)
        except services.ReleaseLimit as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("wishes.detail", wish_id=wish_id))
        db.session.commit()
        flash(N_("已退还该心愿，其他党员可以认领"), "info")
    return redirect(url_for("wishes.list_wishes", tab="mine"))


@bp.post("/wishes/<int:wish_id>/claim/accept")
@roles_required("community_secretary", "grid_worker")
def accept_claim(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    form = AcceptClaimForm()
    if form.validate_on_submit():
        services.accept_wish_claim(current_user, wish, int(form.member_id.data))
        db.session.commit()
        flash(N_("已确认认领，认领人现在可以看到受助家庭的联系方式"), "success")
    return redirect(url_for("wishes.detail", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/claim/refuse")
@roles_required("community_secretary", "grid_worker")
def refuse_claim(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    form = RefuseClaimForm()
    if not form.validate_on_submit():
        flash(N_("请填写谢绝原因（不超过 200 字）"), "danger")
    else:
        services.refuse_wish_claim(current_user, wish, form.reason.data,
                                   int(form.member_id.data))
        db.session.commit()
        flash(N_("已谢绝该认领并告知党员，心愿重新开放认领"), "info")
    return redirect(url_for("wishes.detail", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/fulfil")
@roles_required("member")
def fulfil(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    form = FulfilForm()
    if not form.validate_on_submit():
        flash(N_("请填写圆梦情况（不超过 1000 字）"), "danger")
        return redirect(url_for("wishes.detail", wish_id=wish_id))
    try:
        services.fulfil_wish(current_user, wish, form.note.data, _upload(form.photo))
    except ValidationFailed as error:
        db.session.rollback()
        flash("；".join(error.fields.values()) or error.message, "danger")
    else:
        db.session.commit()
        flash(N_("已标记圆梦，等待社区上门确认"), "success")
    return redirect(url_for("wishes.detail", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/confirm")
@roles_required("community_secretary", "grid_worker")
def confirm(wish_id: int):
    wish = services.get_wish(current_user, wish_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(N_("请选择满意度；感谢和故事各不超过 1000 字"), "danger")
    else:
        services.confirm_wish(current_user, wish, satisfaction=form.satisfaction.data,
                              thanks=form.thanks.data, story=form.story.data,
                              on_wall=form.on_wall.data)
        db.session.commit()
        flash(N_("已确认圆梦"), "success")
    return redirect(url_for("wishes.detail", wish_id=wish_id))


@bp.get("/wishes/<int:wish_id>/photo/<kind>")
@login_required
def photo(wish_id: int, kind: str):
    return private_image(services.photo_for(current_user,
                                            services.get_wish(current_user, wish_id), kind))


@bp.get("/wall")
def wall():
    return render_template("wishes/wall.html", page=page_of(services.list_wall_stmt(), 24))
