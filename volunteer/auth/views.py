"""Pages: landing, login, logout, password, staff accounts, language (the audit log:
``privacy.views``)."""

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.urls import iri_to_uri

from volunteer.auth import services
from volunteer.auth.forms import LoginForm, PasswordForm, StaffForm
from volunteer.auth.models import ROLE_SCOPE, ROLES, STAFF_ROLES
from volunteer.core.decorators import login_required, roles_required
from volunteer.core.errors import DomainError
from volunteer.core.forms import form_errors, grouped_choices, page_of
from volunteer.core.i18n import N_
from volunteer.extensions import db
from volunteer.orgs import services as orgs

bp = Blueprint("auth", __name__)

# a member's home is 我的 (members.me); every staff role's is the work page below
HOME_BY_ROLE = {"member": "members.me"}


def _safe_next(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (an open redirect otherwise).

    Checked as the browser will read it: werkzeug's ``iri_to_uri`` drops tabs and newlines
    when it writes the Location header, so ``/%09/evil.example`` would become
    ``//evil.example``; control characters and backslashes are refused outright.
    """
    if not isinstance(target, str) or not target or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in target):
        return None
    try:
        normalised = iri_to_uri(target)
        parts = urlsplit(normalised.strip())
    except ValueError:
        return None
    for value in (target, normalised):
        if not value.startswith("/") or value.startswith("//"):
            return None
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("auth.home"))
    return render_template("index.html")


@bp.get("/home")
@login_required
def home():
    endpoint = HOME_BY_ROLE.get(current_user.role)
    if endpoint:
        return redirect(url_for(endpoint))
    return render_template("auth/home.html")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            attempt = services.begin_login(form.phone.data, request.remote_addr or "unknown")
            # counted before the password is checked; argon2 then runs outside the transaction
            db.session.commit()
            user = services.finish_login(attempt, form.password.data)
        except services.InvalidCredentials as error:
            db.session.rollback()
            form.password.errors.append(error.message)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return render_template("auth/login.html", form=form, locked=True), error.status
        else:
            _begin_web_session(user)
            flash(f"欢迎，{user.name}", "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("auth.home"))
    return render_template("auth/login.html", form=form)


def _begin_web_session(user) -> None:
    """Commit the login with a new server-side session whose id the cookie carries."""
    row = services.start_web_session(user)
    db.session.commit()
    session.permanent = True
    session[services.WEB_SESSION_KEY] = row.id
    login_user(user)


@bp.post("/logout")
def logout():
    services.end_web_session(session.get(services.WEB_SESSION_KEY))
    db.session.commit()
    logout_user()
    _clear_session()
    flash(N_("已退出登录"), "info")
    return redirect(url_for("auth.index"))


def _clear_session() -> None:
    """Forget everything of the session but the language chosen on this device."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


@bp.post("/logout-all")
@login_required
def logout_all():
    services.end_all_sessions(current_user)
    db.session.commit()
    logout_user()
    _clear_session()
    flash(N_("已在所有设备上退出登录"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        with form_errors(form) as outcome:
            services.change_password(current_user, form.old_password.data, form.new_password.data)
        if outcome.ok:
            # this device stays logged in, in a new session with the new version
            _begin_web_session(current_user._get_current_object())
            flash(N_("密码已修改，其他设备上的登录已失效"), "success")
            return redirect(url_for("auth.home"))
    return render_template("auth/password.html", form=form)


@bp.post("/locale/<code>")
def set_locale(code: str):
    if code in ("zh_CN", "en"):
        session["locale"] = code
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.index"))


def scope_choices(role: str) -> list:
    """The scope picker of a staff role, grouped by street (and community) and sorted."""
    picker = {"street_id": orgs.street_picker,
              "community_id": lambda: orgs.community_picker(full_names=True),
              "grid_id": orgs.grid_picker, "branch_id": orgs.branch_picker,
              "unit_id": orgs.unit_picker}[ROLE_SCOPE[role]]
    return grouped_choices(picker())


@bp.route("/admin/staff", methods=["GET", "POST"])
@roles_required("district_admin")
def staff():
    form = StaffForm()
    role = request.values.get("role") if request.values.get("role") in STAFF_ROLES else \
        "community_secretary"
    form.role.data = form.role.data or role
    # an unknown submitted role keeps the default's choices; the form then refuses the role
    form.scope_id.choices = scope_choices(
        form.role.data if form.role.data in STAFF_ROLES else role)
    if form.validate_on_submit() and request.form.get("action") == "create":
        with form_errors(form, {ROLE_SCOPE[form.role.data]: "scope_id"},
                         refusal_field=form.phone) as outcome:
            user = services.create_staff(current_user, name=form.name.data, phone=form.phone.data,
                                         password=form.password.data, role=form.role.data,
                                         scope_id=form.scope_id.data, email=form.email.data)
        if outcome.ok:
            db.session.commit()
            flash(f"已创建{user.role_label}账号：{user.name}", "success")
            return redirect(url_for("auth.staff"))
    page = page_of(services.list_staff_stmt(None, request.args.get("q")))
    return render_template("auth/staff.html", form=form, page=page, roles=ROLES)


@bp.post("/admin/staff/<int:user_id>/active")
@roles_required("district_admin")
def toggle_staff(user_id: int):
    user = services.get_user(user_id)
    services.set_user_active(current_user, user, request.form.get("active") == "1")
    db.session.commit()
    flash(f"已{'启用' if user.active else '停用'}账号：{user.name}", "success")
    return redirect(url_for("auth.staff"))
