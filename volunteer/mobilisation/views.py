"""Pages: sounding a 集结号, answering it, the live roster with posts and shifts."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from volunteer.core import workbooks as exports
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.downloads import XLSX, download
from volunteer.core.errors import ValidationFailed
from volunteer.core.forms import also_check, form_errors, optional_int, page_of
from volunteer.core.i18n import N_
from volunteer.core.time import format_local, utcnow
from volunteer.extensions import db
from volunteer.mobilisation import permissions, services
from volunteer.mobilisation.forms import ActionForm, AssignForm, DeclareForm, ReplyForm

bp = Blueprint("mobilisation", __name__)


@bp.get("/mobilisations")
@login_required
def list_mobilisations():
    return render_template("mobilisation/list.html", page=page_of(services.list_stmt(current_user)),
                           can_declare=permissions.can_declare(current_user))


@bp.route("/mobilisations/new", methods=["GET", "POST"])
@roles_required("district_admin", "street_reviewer")
def new():
    form = DeclareForm()
    communities, grids = services.area_choices(current_user)
    form.community_ids.choices = [(value, label) for _group, value, label in communities]
    form.grid_ids.choices = [(value, label) for _group, value, label in grids]
    if form.validate_on_submit():
        with form_errors(form) as outcome:
            mobilisation = services.declare(
                current_user, title=form.title.data, message=form.message.data,
                community_ids=form.community_ids.data or [], grid_ids=form.grid_ids.data or [],
                posts=services.parse_posts(form.posts.data))
        if outcome.ok:
            db.session.commit()
            flash(gettext("集结号已发出，已通知 %(n)s 名党员", n=mobilisation.members_told),
                  "success")
            return redirect(url_for("mobilisation.detail", mobilisation_id=mobilisation.id))
    elif form.is_submitted():
        also_check(form, _check_declaration, form)
    return render_template("mobilisation/new.html", form=form, community_groups=communities,
                           grid_groups=grids)


def _check_declaration(form: DeclareForm) -> None:
    services.check_declaration(
        current_user, title=form.title.data, message=form.message.data,
        community_ids=form.community_ids.data or [], grid_ids=form.grid_ids.data or [],
        posts=services.parse_posts(form.posts.data))


@bp.get("/mobilisations/<int:mobilisation_id>")
@login_required
def detail(mobilisation_id: int):
    mobilisation = services.get_mobilisation(current_user, mobilisation_id)
    staff = not current_user.is_member
    show = request.args.get("show") or None
    if show not in services.ROSTER_FILTERS:
        show = None
    page = page_of(services.roster_stmt(current_user, mobilisation, show), per_page=50) \
        if staff else None
    assign_form = AssignForm()
    assign_form.post_id.choices = [("", N_("不安排"))] + [
        (str(post.id), post.name) for post in mobilisation.posts]
    return render_template(
        "mobilisation/detail.html", mobilisation=mobilisation, staff=staff, show=show,
        page=page, replies=services.replies_of(mobilisation, page.items) if page else {},
        counts=services.counts(current_user, mobilisation) if staff else None,
        my_reply=services.my_reply(current_user, mobilisation),
        addressed=permissions.is_addressed(current_user, mobilisation),
        can_manage=permissions.can_manage(current_user, mobilisation),
        assignable={member.id for member in (page.items if page else [])
                    if permissions.can_assign(current_user, mobilisation, member)},
        reply_form=ReplyForm(), assign_form=assign_form, action_form=ActionForm())


@bp.get("/mobilisations/<int:mobilisation_id>/roster.xlsx")
@login_required
def roster_export(mobilisation_id: int):
    mobilisation = services.get_mobilisation(current_user, mobilisation_id)
    show = request.args.get("show") or None
    rows = services.roster_rows(current_user, mobilisation,
                                show if show in services.ROSTER_FILTERS else None)
    title = f"{mobilisation.title} · 报到名单（导出于 {format_local(utcnow())}）"
    path = exports.write_table(title, services.ROSTER_COLUMNS, rows, note=mobilisation.message)
    return download(path, f"mobilisation-{mobilisation.id}-roster.xlsx", XLSX)


@bp.post("/mobilisations/<int:mobilisation_id>/reply")
@roles_required("member")
def reply(mobilisation_id: int):
    mobilisation = services.get_mobilisation(current_user, mobilisation_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        flash(N_("回复无效：备注不能超过 200 个字符"), "danger")
    else:
        services.reply(current_user, mobilisation, form.answer.data, form.note.data)
        db.session.commit()
        flash(N_("已报到，请等待社区安排岗位") if form.answer.data == "reporting"
              else N_("已回复无法报到"), "success")
    return redirect(url_for("mobilisation.detail", mobilisation_id=mobilisation_id))


@bp.post("/mobilisations/<int:mobilisation_id>/assign/<int:member_id>")
@roles_required("community_secretary")
def assign(mobilisation_id: int, member_id: int):
    mobilisation = services.get_mobilisation(current_user, mobilisation_id)
    form = AssignForm()
    back = url_for("mobilisation.detail", mobilisation_id=mobilisation_id,
                   show=request.args.get("show") or None)
    if not form.validate_on_submit():
        flash(N_("班次不能超过 40 个字符"), "danger")
        return redirect(back)
    try:
        services.assign(current_user, mobilisation, member_id, optional_int(form.post_id.data),
                        form.shift.data)
    except ValidationFailed as error:
        db.session.rollback()
        flash("；".join(error.fields.values()) or error.message, "danger")
    else:
        db.session.commit()
        flash(N_("岗位已安排，党员已收到通知"), "success")
    return redirect(back)


@bp.post("/mobilisations/<int:mobilisation_id>/close")
@roles_required("district_admin", "street_reviewer")
def close(mobilisation_id: int):
    mobilisation = services.get_mobilisation(current_user, mobilisation_id)
    if ActionForm().validate_on_submit():
        services.close(current_user, mobilisation)
        db.session.commit()
        flash(N_("集结号已结束，已向报到党员致谢"), "success")
    return redirect(url_for("mobilisation.detail", mobilisation_id=mobilisation_id))
