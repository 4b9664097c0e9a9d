"""Pages: 忘记密码 and its code, staff resets (the temporary password shown once), 换届, a
member's new phone."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from volunteer.accounts import recovery, services
from volunteer.accounts.forms import ForgotForm, HandOverForm, PhoneForm, ResetForm, ScopeForm
from volunteer.auth.models import ROLE_SCOPE, STAFF_ROLES
from volunteer.auth.views import scope_choices
from volunteer.core.decorators import roles_required
from volunteer.core.errors import TooManyAttempts, ValidationFailed
from volunteer.core.forms import apply_errors, form_errors
from volunteer.core.i18n import N_
from volunteer.extensions import db
from volunteer.members.services import get_member

bp = Blueprint("accounts", __name__)
# the phone typed on the forgot page, carried to the code page (kept out of the URL)
RESET_PHONE_KEY = "reset_phone"


def _ip() -> str:
    return request.remote_addr or "unknown"


@bp.route("/forgot", methods=["GET", "POST"])
def forgot():
    form = ForgotForm()
    if form.validate_on_submit():
        try:
            recovery.request_reset_code(form.phone.data, _ip())
        except TooManyAttempts as error:
            db.session.rollback()
            flash(error.message, "danger")
            return render_template("accounts/forgot.html", form=form), error.status
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            session[RESET_PHONE_KEY] = form.phone.data.strip()
            flash(N_("如果该手机号已注册并留有邮箱，验证码已发到该邮箱，15 分钟内有效。"), "info")
            return redirect(url_for("accounts.reset"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
def reset():
    form = ResetForm()
    if request.method == "GET" and not form.phone.data:
        form.phone.data = session.get(RESET_PHONE_KEY, "")
    if form.validate_on_submit():
        try:
            attempt = recovery.begin_reset(form.phone.data, form.password.data, _ip())
        except TooManyAttempts as error:
            db.session.rollback()
            flash(error.message, "danger")
            return render_template("accounts/reset.html", form=form), error.status
        except ValidationFailed as error:
            db.session.rollback()
            apply_errors(form, error)
            return render_template("accounts/reset.html", form=form)
        db.session.commit()  # the attempt counts, whatever the code
        with form_errors(form, refusal_field=form.code) as outcome:
            recovery.finish_reset(attempt, form.code.data, form.password.data)
        if outcome.ok:
            db.session.commit()
            session.pop(RESET_PHONE_KEY, None)
            flash(N_("密码已重置，请用新密码登录"), "success")
            return redirect(url_for("auth.login"))
    return render_template("accounts/reset.html", form=form)


def _temporary_page(account, password: str, back: str):
    return render_template("accounts/temporary_password.html", account=account,
                           password=password, back=back)


@bp.post("/members/<int:member_id>/reset-password")
@roles_required("community_secretary", "district_admin")
def reset_member_password(member_id: int):
    member = get_member(current_user, member_id)
    password = services.reset_password(current_user, member)
    db.session.commit()
    return _temporary_page(member, password, url_for("members.detail", member_id=member.id))


@bp.post("/admin/staff/<int:user_id>/reset-password")
@roles_required("district_admin")
def reset_staff_password(user_id: int):
    account = services.get_staff_account(user_id)
    password = services.reset_password(current_user, account)
    db.session.commit()
    return _temporary_page(account, password, url_for("auth.staff"))


@bp.post("/members/<int:member_id>/phone")
@roles_required("community_secretary", "district_admin")
def change_member_phone(member_id: int):
    member = get_member(current_user, member_id)
    form = PhoneForm()
    if form.validate_on_submit():
        with form_errors(form, refusal_field=form.phone) as outcome:
            services.change_member_phone(current_user, member, form.phone.data)
        if outcome.ok:
            db.session.commit()
            flash(f"已将 {member.name} 的登录手机号改为 {member.phone}", "success")
            return redirect(url_for("members.detail", member_id=member.id))
    for error in form.phone.errors:
        flash(error, "danger")
    return redirect(url_for("members.detail", member_id=member.id))


@bp.route("/admin/staff/<int:user_id>/turnover", methods=["GET", "POST"])
@roles_required("district_admin")
def turnover(user_id: int):
    account = services.get_staff_account(user_id)
    scope_form, hand_form = ScopeForm(prefix="scope"), HandOverForm(prefix="hand")
    role = request.values.get("scope-role")
    role = role if role in STAFF_ROLES else account.role
    scope_form.role.data = role
    scope_form.scope_id.choices = scope_choices(role)
    if request.method == "GET":
        scope_form.scope_id.data = getattr(account, ROLE_SCOPE.get(role, ""), None)
    action = request.form.get("action")
    if action == "scope" and scope_form.validate_on_submit():
        with form_errors(scope_form, {ROLE_SCOPE[role]: "scope_id"},
                         refusal_field=scope_form.scope_id) as outcome:
            services.change_staff_scope(current_user, account, role=role,
                                        scope_id=scope_form.scope_id.data)
        if outcome.ok:
            db.session.commit()
            flash(f"已调整 {account.name} 的范围", "success")
            return redirect(url_for("accounts.turnover", user_id=account.id))
    elif action == "hand_over" and hand_form.validate_on_submit():
        with form_errors(hand_form, refusal_field=hand_form.successor_phone) as outcome:
            successor, password = services.hand_over_staff(
                current_user, account, successor_phone=hand_form.successor_phone.data,
                successor_name=hand_form.successor_name.data,
                successor_email=hand_form.successor_email.data)
        if outcome.ok:
            db.session.commit()
            flash(f"{account.name} 的工作已交接给 {successor.name}，原账号已停用", "success")
            if password:
                return _temporary_page(successor, password, url_for("auth.staff"))
            return redirect(url_for("auth.staff"))
    return render_template("accounts/turnover.html", account=account, scope_form=scope_form,
                           hand_form=hand_form)
