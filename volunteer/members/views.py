"""Pages: registration (报到), the approval queue (亮身份), member details, my profile."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from volunteer.core.decorators import login_required, roles_required
from volunteer.core.downloads import XLSX, download
from volunteer.core.edge import bounded_int
from volunteer.core.errors import (
    DomainError,
    InvalidState,
    NotFound,
    TooManyAttempts,
    ValidationFailed,
)
from volunteer.core.forms import (
    also_check,
    apply_errors,
    arg_int,
    form_errors,
    grouped_choices,
    page_of,
)
from volunteer.core.i18n import N_
from volunteer.core.imports import IMPORTS, sample_sheet
from volunteer.core.sheets import read_sheet, report_path, save_report
from volunteer.core.workbooks import write_plain
from volunteer.extensions import db
from volunteer.members import management, services
from volunteer.members.forms import (
    ApproveForm,
    DeactivateForm,
    ImportForm,
    MemberBranchForm,
    MoveForm,
    ProfileFields,
    RegisterForm,
    RejectForm,
    TransferForm,
)
from volunteer.members.models import INDUSTRIES, SKILLS
from volunteer.members.permissions import (
    can_manage_member,
    can_review_member,
    can_review_members,
)
from volunteer.members.record import member_record
from volunteer.mobilisation.services import awaiting_answer
from volunteer.orgs import services as orgs
from volunteer.orgs.models import Branch

bp = Blueprint("members", __name__)
STAFF = ("district_admin", "street_reviewer", "community_secretary", "grid_worker",
         "branch_secretary", "unit_contact")


def _grid_choices(community_id: int | None) -> list:
    grids = db.session.scalars(orgs.list_grids_stmt(community_id)) if community_id else []
    return [("", gettext("暂不选择"))] + [(g.id, g.name) for g in grids]


def _branch_choices(community_id: int | None, empty: str) -> list:
    return [("", empty)] + [(b.id, f"{b.name}（{gettext(b.level_label)}）")
                            for b in orgs.list_member_branches(community_id)]


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegisterForm()
    form.community_id.choices = grouped_choices(orgs.community_picker(full_names=True),
                                                gettext("请选择"))
    form.grid_id.choices = _grid_choices(form.community_id.data)
    form.branch_id.choices = _branch_choices(form.community_id.data, gettext("暂不选择"))
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
                grid_id=form.grid_id.data, branch_id=form.branch_id.data,
                skills=form.all_tags(),
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
    elif form.is_submitted():
        unit = orgs.find_unit_by_name(form.unit_name.data)
        also_check(form, services.check_registration, aliases={"unit_id": "unit_name"},
                   name=form.name.data, phone=form.phone.data, password=form.password.data,
                   unit_id=unit.id if unit else None, community_id=form.community_id.data,
                   grid_id=form.grid_id.data, skills=form.all_tags(),
                   industry=form.industry.data or None, email=form.email.data or None,
                   privacy_consent=form.privacy_consent.data, branch_id=form.branch_id.data)
    return render_template("members/register.html", form=form)


LIST_STATUSES = (*services.MEMBER_FILTER_STATUSES, "all")
SEARCH_MAX = 50
QUEUE_PAGE = 50


def _list_filters() -> dict:
    """The member list's filters from the query string (unreadable values are dropped)."""
    status = request.args.get("status", "pending")
    skill = request.args.get("skill") or None
    return {"status": status if status in LIST_STATUSES else "pending",
            "q": (request.args.get("q") or "").strip()[:SEARCH_MAX] or None,
            "grid_id": arg_int("grid_id"), "unit_id": arg_int("unit_id"),
            "branch_id": arg_int("branch_id"), "skill": skill if skill in SKILLS else None}


@bp.get("/members")
@roles_required(*STAFF)
def list_members():
    filters = _list_filters()
    status = filters.pop("status")
    stmt = services.list_members_stmt(current_user, status=None if status == "all" else status,
                                      **filters)
    # a launch-week queue is approved a long page at a time
    per_page = QUEUE_PAGE if status == "pending" else 20
    return render_template("members/list.html", page=page_of(stmt, per_page), status=status,
                           filters=filters, choices=services.member_filter_choices(current_user),
                           skills=SKILLS, can_review=can_review_members(current_user),
                           bulk_max=management.BULK_APPROVE_MAX)


@bp.post("/members/approve")
@roles_required("community_secretary")
def approve_many():
    """批量通过 the ticked members of the queue."""
    form = ApproveForm()
    if form.validate_on_submit():
        ids = [i for i in (bounded_int(raw) for raw in request.form.getlist("member_ids")) if i]
        try:
            outcome = management.approve_members(current_user, ids)
        except DomainError as error:
            db.session.rollback()
            flash(error.message if not error.fields else "；".join(error.fields.values()),
                  "danger")
        else:
            db.session.commit()
            flash(gettext("已通过 %(n)s 名党员的报到", n=len(outcome["approved"])), "success")
            for refusal in outcome["refused"][:10]:
                flash(f"#{refusal['id']}：{refusal['reason']}", "warning")
    return redirect(request.form.get("next") or url_for("members.list_members"))


def _detail_page(member, reject_form=None, deactivate_form=None, transfer_form=None,
                 branch_form=None):
    transfer_form = transfer_form or TransferForm()
    transfer_form.community_id.choices = [("", gettext("请选择"))] + [
        (c.id, c.full_name) for c in orgs.list_all_communities() if c.id != member.community_id]
    record = member_record(current_user, member)
    branch_form = branch_form or MemberBranchForm(branch_id=member.branch_id)
    branch_form.branch_id.choices = _branch_choices(member.community_id,
                                                    gettext("不属于任何党支部"))
    return render_template("members/detail.html", member=member,
                           reject_form=reject_form or RejectForm(), approve_form=ApproveForm(),
                           deactivate_form=deactivate_form or DeactivateForm(),
                           transfer_form=transfer_form,
                           can_review=can_review_member(current_user, member),
                           can_manage=can_manage_member(current_user, member), record=record,
                           services_page=page_of(record["claims_stmt"], per_page=10),
                           branch_form=branch_form)


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


def _refused(member, error):
    """A refusal the member's state explains (already 停用 …): said on the record page."""
    db.session.rollback()
    flash(error.message, "danger")
    return redirect(url_for("members.detail", member_id=member.id))


@bp.post("/members/<int:member_id>/deactivate")
@roles_required("community_secretary")
def deactivate(member_id: int):
    form = DeactivateForm()
    member = services.get_member(current_user, member_id)
    if form.validate_on_submit():
        try:
            with form_errors(form) as outcome:
                management.deactivate_member(current_user, member, form.reason.data)
        except InvalidState as error:
            return _refused(member, error)
        if outcome.ok:
            db.session.commit()
            flash(gettext("已停用 %(name)s", name=member.name), "success")
            return redirect(url_for("members.detail", member_id=member.id))
    return _detail_page(member, deactivate_form=form), 400


@bp.post("/members/<int:member_id>/reactivate")
@roles_required("community_secretary")
def reactivate(member_id: int):
    form = ApproveForm()
    member = services.get_member(current_user, member_id)
    if form.validate_on_submit():
        try:
            management.reactivate_member(current_user, member)
        except InvalidState as error:
            return _refused(member, error)
        db.session.commit()
        flash(gettext("已重新启用 %(name)s", name=member.name), "success")
    return redirect(url_for("members.detail", member_id=member.id))


@bp.post("/members/<int:member_id>/transfer")
@roles_required("community_secretary")
def transfer(member_id: int):
    form = TransferForm()
    member = services.get_member(current_user, member_id)
    form.community_id.choices = []
    if form.validate_on_submit():
        try:
            with form_errors(form) as outcome:
                management.transfer_member(current_user, member, form.community_id.data,
                                           form.reason.data)
        except InvalidState as error:
            return _refused(member, error)
        if outcome.ok:
            db.session.commit()
            flash(gettext("已将 %(name)s 转出到 %(c)s，等待对方社区审核",
                          name=member.name, c=member.community.name), "success")
            return redirect(url_for("members.list_members"))
    return _detail_page(member, transfer_form=form), 400


@bp.post("/members/<int:member_id>/branch")
@roles_required("community_secretary")
def set_branch(member_id: int):
    """The secretary places the member in a 支部 or 小组 of the community, or takes them out."""
    member = services.get_member(current_user, member_id)
    form = MemberBranchForm()
    if not form.validate_on_submit():
        return _detail_page(member, branch_form=form), 400
    branch = None
    with form_errors(form, refusal_field=form.branch_id) as outcome:
        if form.branch_id.data is not None:
            branch = orgs.get_or_404(Branch, form.branch_id.data, "branch_id")
        services.set_member_branch(current_user, member, branch)
    if not outcome.ok:
        return _detail_page(member, branch_form=form), 400
    db.session.commit()
    flash(f"已将 {member.name} 编入{branch.name}" if branch else f"已将 {member.name} 移出党组织",
          "success")
    return redirect(url_for("members.detail", member_id=member.id))


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


IMPORT_KINDS = "<any(members, places, units, branches, staff):kind>"


@bp.route(f"/admin/import/{IMPORT_KINDS}", methods=["GET", "POST"])
@roles_required("district_admin")
def import_sheet(kind: str):
    """The district admin uploads a sheet of members, places, units, branches or staff; the
    page shows the outcome and offers the row-by-row report (a member or staff import's with
    the initial passwords) for one download."""
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


@bp.get(f"/admin/import/{IMPORT_KINDS}/template.xlsx")
@roles_required("district_admin")
def import_template(kind: str):
    """The sample sheet of an import: its columns and example rows."""
    header, *rows = sample_sheet(kind)
    return download(write_plain(IMPORTS[kind].label, header, rows), f"import-{kind}.xlsx", XLSX)


@bp.get("/admin/import/report/<token>.csv")
@roles_required("district_admin")
def import_report(token: str):
    try:
        path = report_path(token)
    except NotFound:  # downloaded once already (it may hold passwords), or never made
        return render_template("members/import_gone.html"), 404
    return download(str(path), "import-report.csv", "text/csv")


