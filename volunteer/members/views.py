"""Pages: registration (报到), the approval queue (亮身份), member details, my profile."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from volunteer.commendations.services import list_commendations
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.downloads import download
from volunteer.core.errors import DomainError, TooManyAttempts, ValidationFailed
from volunteer.core.forms import apply_errors, form_errors, page_of
from volunteer.core.i18n import N_
from volunteer.core.imports import IMPORTS
from volunteer.core.sheets import read_sheet, report_path, save_report
from volunteer.extensions import db
from volunteer.members import services
from volunteer.members.forms import (
    ApproveForm,
    ImportForm,
    MoveForm,
    ProfileFields,
    RegisterForm,
    RejectForm,
)
from volunteer.members.models import INDUSTRIES, SKILLS
from volunteer.members.permissions import can_review_member, can_review_members
from volunteer.mobilisation.services import awaiting_answer
from volunteer.orgs import services as orgs

bp = Blueprint("members", __name__)
STAFF = ("district_admin", "street_reviewer", "community_secretary", "grid_worker",
         "branch_secretary", "unit_contact")


def _grid_choices(community_id: int | None) -> list:
    grids = db.session.scalars(orgs.list_grids_stmt(community_id)) if community_id else []
    return [("", gettext("暂不选择"))] + [(g.id, g.name) for g in grids]


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    communities = orgs.list_all_communities()
    form.community_id.choices = [("", gettext("请选择"))] + [
        (c.id, c.full_name) for c in communities]
    form.grid_id.choices = _grid_choices(form.community_id.data)
    if form.validate_on_submit():
        try:
            services.count_registration_attempt(request.remote_addr or "unknown")
        except TooManyAttempts as error:
            db.session.rollback()
            flash(error.message, "danger")
            return render_template("members/register.html", form=form), error.status
        db.session.commit()  # the attempt counts, whatever its outcome
        unit = orgs.find_unit_by_name(form.unit_name.data)
        try:
            services.register_member(
                name=form.name.data, phone=form.phone.data, password=form.password.data,
                unit_id=unit.id if unit else None, community_id=form.community_id.data,
                grid_id=form.grid_id.data, skills=form.all_tags(),
                industry=form.industry.data or None, email=form.email.data or None,
                privacy_consent=form.privacy_consent.data)
        except DomainError as error:
            db.session.rollback()
            if not isinstance(error, ValidationFailed):
                error = ValidationFailed(fields={"phone": error.message})
            apply_errors(form, error, {"unit_id": "unit_name"})
        else:
            db.session.commit()
            flash(N_("报到已提交，请等待社区书记审核。审核结果会发到您的消息中心。"), "success")
            return redirect(url_for("auth.login"))
    return render_template("members/register.html", form=form)


@bp.get("/members")
@roles_required(*STAFF)
def list_members():
    status = request.args.get("status", "pending")
    status = status if status in ("pending", "approved", "rejected", "all") else "pending"
    stmt = services.list_members_stmt(current_user, status=None if status == "all" else status,
                                      q=request.args.get("q") or None)
    return render_template("members/list.html", page=page_of(stmt), status=status,
                           can_review=can_review_members(current_user))


def _detail_page(member, reject_form=None):
    return render_template("members/detail.html", member=member,
                           reject_form=reject_form or RejectForm(), approve_form=ApproveForm(),
                           can_review=can_review_member(current_user, member),
                           commendations=list_commendations(member_id=member.id))


@bp.get("/members/<int:member_id>")
@roles_required(*STAFF)
def detail(member_id: int):
    return _detail_page(services.get_member(current_user, member_id))


@bp.post("/members/<int:member_id>/approve")
@roles_required("community_secretary")
def approve(member_id: int):
    form = ApproveForm()
    member = services.get_member(current_user, member_id)
    if form.validate_on_submit():
        services.approve_member(current_user, member)
        db.session.commit()
        flash(f"已通过 {member.name} 的报到", "success")
    return redirect(request.form.get("next") or url_for("members.list_members"))


@bp.post("/members/<int:member_id>/reject")
@roles_required("community_secretary")
def reject(member_id: int):
    form = RejectForm()
    member = services.get_member(current_user, member_id)
    if not form.validate_on_submit():
        return _detail_page(member, form)
    services.reject_member(current_user, member, form.reason.data)
    db.session.commit()
    flash(f"已退回 {member.name} 的报到", "success")
    return redirect(url_for("members.list_members"))


@bp.get("/me")
@login_required
def me():
    return render_template("members/me.html", user=current_user, skills=SKILLS,
                           industries=INDUSTRIES, calls=awaiting_answer(current_user))


@bp.route("/me/profile", methods=["GET", "POST"])
@roles_required("member")
def profile():
    form = ProfileFields(obj=current_user)
    form.grid_id.choices = _grid_choices(current_user.community_id)
    if request.method == "GET":
        tags = current_user.skill_tags
        form.skills.data = [t for t in tags if t in SKILLS]
        form.extra_tags.data = "，".join(t for t in tags if t not in SKILLS)
    elif form.validate_on_submit():
        with form_errors(form) as outcome:
            services.update_profile(current_user, skills=form.all_tags(),
                                    industry=form.industry.data or None,
                                    email=form.email.data or None, grid_id=form.grid_id.data)
        if outcome.ok:
            db.session.commit()
            flash(N_("资料已保存"), "success")
            return redirect(url_for("members.me"))
    return render_template("members/profile.html", form=form)


@bp.route("/me/move", methods=["GET", "POST"])
@roles_required("member")
def move():
    """搬家 / 更换单位: the member picks a new community, grid or unit and confirms."""
    form = MoveForm()
    if request.method == "GET":
        form.community_id.data, form.grid_id.data = (current_user.community_id,
                                                     current_user.grid_id)
        form.unit_name.data = current_user.unit.name if current_user.unit else ""
    form.community_id.choices = [(c.id, c.full_name) for c in orgs.list_all_communities()]
    form.grid_id.choices = _grid_choices(form.community_id.data or current_user.community_id)
    if form.validate_on_submit():
        unit = orgs.find_unit_by_name(form.unit_name.data)
        with form_errors(form, {"unit_id": "unit_name"}) as outcome:
            services.move_member(current_user._get_current_object(),
                                 community_id=form.community_id.data,
                                 grid_id=form.grid_id.data, unit_id=unit.id if unit else 0)
        if outcome.ok:
            db.session.commit()
            flash(N_("已提交，等待新社区书记审核。") if current_user.status == "pending"
                  else N_("已更新网格和工作单位"), "success")
            return redirect(url_for("members.me"))
    return render_template("members/move.html", form=form)


@bp.route("/admin/import/<any(members, places, units):kind>", methods=["GET", "POST"])
@roles_required("district_admin")
def import_sheet(kind: str):
    """The district admin uploads a sheet of members, places or units; the page shows the
    outcome and offers the row-by-row report (a member import's with the initial passwords)
    for one download."""
    form = ImportForm()
    result = token = None
    if form.validate_on_submit():
        upload = form.file.data
        with form_errors(form) as outcome:
            result = IMPORTS[kind][1](read_sheet(upload.read(), upload.filename or ""),
                                      actor=current_user, dry_run=form.dry_run.data)
        if outcome.ok:
            db.session.commit()
            token = save_report(result)
    return render_template("members/import.html", form=form, result=result, token=token,
                           kind=kind, imports=IMPORTS)


@bp.get("/admin/import/report/<token>.csv")
@roles_required("district_admin")
def import_report(token: str):
    return download(str(report_path(token)), "import-report.csv", "text/csv")

