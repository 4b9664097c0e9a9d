"""Wiring of the web layer: extensions, login, locale, security headers, handlers, blueprints."""

from pathlib import Path

from flask import Flask, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from volunteer.core import edge
from volunteer.core.api import domain_error_response, error_response
from volunteer.core.errors import DomainError
from volunteer.core.i18n import N_
from volunteer.core.outage import (
    UNAVAILABLE_MESSAGE,
    is_outage,
    outage_response,
)
from volunteer.extensions import babel, csrf, db, login_manager, talisman
from volunteer.templating import register_template_helpers

HTTP_MESSAGES = {
    400: N_("请求有误"),
    401: N_("请先登录"),
    403: N_("您无权进行此操作"),
    404: N_("找不到该页面或对象"),
    405: N_("不支持该请求方法"),
    413: N_("提交的内容过大"),
    429: N_("请求过于频繁，请稍后再试"),
    500: N_("服务器内部错误，请稍后再试"),
    503: UNAVAILABLE_MESSAGE,
}
HTTP_CODES = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "payload_too_large", 429: "too_many_requests",
              500: "server_error", 503: "unavailable"}

CSP = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def init_app(app: Flask) -> None:
    """Bind the web extensions and register every blueprint, handler and command."""
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from volunteer.translations import compile_catalogs

    compile_catalogs(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(Path(app.instance_path) / "translations"))
    csrf.init_app(app)
    talisman.init_app(
        app, force_https=app.config["FORCE_HTTPS"], content_security_policy=CSP,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True, frame_options="DENY",
        # HSTS on HTTPS answers whenever the site insists on HTTPS (one year, subdomains too)
        strict_transport_security=bool(app.config["FORCE_HTTPS"]),
        referrer_policy="same-origin")
    from volunteer.ops import logs, metrics

    logs.init_app(app)  # first: its request id is on every line the other hooks log
    metrics.init_app(app)
    app.after_request(_no_store)
    _init_login(app)
    edge.init_app(app)  # before the blueprints: their <int:…> routes take the bounded converter
    _register_blueprints(app)
    _register_handlers(app)
    register_template_helpers(app)
    from volunteer.cli import register_commands

    register_commands(app)


def _no_store(response):
    """Nothing but static files may be kept by a browser or proxy cache: pages, JSON and
    downloads carry names and full phones (the back button on a shared computer, a proxy)."""
    if request.endpoint != "static" and "no-store" not in (response.cache_control.to_header()
                                                           or ""):
        response.headers["Cache-Control"] = "no-store"
    return response


def select_locale() -> str:
    """The locale chosen in the session (language switch), else Simplified Chinese."""
    chosen = session.get("locale")
    if chosen in ("zh_CN", "en"):
        return chosen
    return "zh_CN"


def bearer_token(req) -> str | None:
    """The token of an ``Authorization: Bearer`` header on an API call, else None."""
    scheme, _, value = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not req.path.startswith("/api/"):
        return None
    return value.strip()


# endpoints a stale bearer header must not block: the one that issues a new token
BEARER_OPTIONAL = {"auth_api.create_token"}
ID_MAX = 2**31 - 1


def _init_login(app: Flask) -> None:
    from volunteer.auth.services import (
        WEB_SESSION_KEY,
        resolve_api_token,
        resolve_web_session,
    )

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("请先登录")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        # a call with a bearer header authenticates by that token or not at all
        if bearer_token(request) is not None:
            return None
        try:
            uid, version = (int(part) for part in user_id.split(":"))
        except ValueError:
            return None
        if not 0 < uid <= ID_MAX or not 0 < version <= ID_MAX:
            return None
        resolved = resolve_web_session(uid, version, session.get(WEB_SESSION_KEY))
        if resolved is None:
            return None
        user, touched = resolved
        if touched:
            db.session.commit()  # last_seen_at, written at most every few minutes
        return user

    @login_manager.request_loader
    def load_from_bearer(req):
        raw = bearer_token(req)
        if raw is None:
            return None
        resolved = resolve_api_token(raw)
        if resolved is None:
            return None
        user, req.environ["volunteer.api_token_id"] = resolved
        return user

    _init_request_checks(app)


def _init_request_checks(app: Flask) -> None:
    """Before each view: a bearer header authenticates or fails; the session's user is loaded;
    page JSON calls carry their CSRF token."""
    from volunteer.core.decorators import password_change_pending
    from volunteer.core.errors import NotAuthenticated, PasswordChangeRequired

    @app.before_request
    def authenticate():
        if bearer_token(request) is not None:
            view = app.view_functions.get(request.endpoint)
            if getattr(view, "checks_token_itself", False):
                return  # the claim rush's refusals come before loading the user
            if (not current_user.is_authenticated
                    and request.endpoint not in BEARER_OPTIONAL):
                raise NotAuthenticated("令牌无效或已过期，请重新登录")
        elif "_user_id" in session and request.endpoint != "static":
            # load the session's user before the view runs: refreshing last_seen_at commits
            current_user._get_current_object()

    @app.before_request
    def password_change_gate():
        # a temporary password (staff or CLI reset) must be changed before anything else;
        # the claim rush's view decides in its own login check (login_required)
        view = app.view_functions.get(request.endpoint)
        if getattr(view, "checks_token_itself", False) or not password_change_pending():
            return None
        if _wants_json():
            raise PasswordChangeRequired()
        return redirect(url_for("auth.change_password"))  # the page says why

    @app.before_request
    def api_csrf():
        # pages calling the API with their session cookie must send X-CSRFToken; calls
        # authenticated by a bearer token carry no ambient authority and are exempt
        if (app.config.get("WTF_CSRF_ENABLED", True) and request.path.startswith("/api/")
                and request.method not in ("GET", "HEAD", "OPTIONS")
                and "volunteer.api_token_id" not in request.environ
                and "_user_id" in session):
            csrf.protect()


def _register_blueprints(app: Flask) -> None:
    from volunteer.auth import api as auth_api
    from volunteer.auth import views as auth_views
    from volunteer.branches import api as branches_api
    from volunteer.branches import views as branches_views
    from volunteer.core import openapi
    from volunteer.members import api as members_api
    from volunteer.members import views as members_views
    from volunteer.mobilisation import api as mobilisation_api
    from volunteer.mobilisation import views as mobilisation_views
    from volunteer.notifications import api as notifications_api
    from volunteer.notifications import views as notifications_views
    from volunteer.orgs import api as orgs_api
    from volunteer.orgs import views as orgs_views
    from volunteer.reports import api as reports_api
    from volunteer.reports import views as reports_views
    from volunteer.requests import api as requests_api
    from volunteer.requests import views as requests_views
    from volunteer.review import api as review_api
    from volunteer.review import views as review_views
    from volunteer.tasks import api as tasks_api
    from volunteer.tasks import cli as tasks_cli
    from volunteer.tasks import views as tasks_views
    from volunteer.wishes import api as wishes_api
    from volunteer.wishes import views as wishes_views

    for module in (auth_views, orgs_views, members_views, notifications_views, tasks_views,
                   reports_views):
        app.register_blueprint(module.bp)
    for module in (auth_api, orgs_api, members_api, notifications_api, tasks_api, reports_api,
                   openapi):
        app.register_blueprint(module.bp)
    for module in (wishes_views, wishes_api, requests_views, requests_api, review_views,
                   review_api, mobilisation_views, mobilisation_api, branches_views,
                   branches_api):
        app.register_blueprint(module.bp)
    app.cli.add_command(tasks_cli.cli)
    _register_privacy(app)
    _register_accounts(app)
    _register_home(app)


def _register_accounts(app: Flask) -> None:
    from volunteer.accounts import api as accounts_api
    from volunteer.accounts import cli as accounts_cli
    from volunteer.accounts import views as accounts_views

    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(accounts_api.bp)
    app.cli.add_command(accounts_cli.reset_password_command)


def _register_home(app: Flask) -> None:
    from volunteer.home import api as home_api
    from volunteer.home import views as home_views

    app.register_blueprint(home_views.bp)
    app.register_blueprint(home_api.bp)


def _register_privacy(app: Flask) -> None:
    from volunteer.privacy import api as privacy_api
    from volunteer.privacy import cli as privacy_cli
    from volunteer.privacy import views as privacy_views

    app.register_blueprint(privacy_views.bp)
    app.register_blueprint(privacy_api.bp)
    app.cli.add_command(privacy_cli.cli)
    _register_ops(app)


def _register_ops(app: Flask) -> None:
    from volunteer.ops import cli as ops_cli
    from volunteer.ops import views as ops_views

    app.register_blueprint(ops_views.bp)
    app.cli.add_command(ops_cli.backup_command)
    app.cli.add_command(ops_cli.restore_command)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def on_domain_error(error: DomainError):
        db.session.rollback()
        if _wants_json():
            return domain_error_response(error)
        return render_template("error.html", status=error.status, message=error.message), \
            error.status

    @app.errorhandler(CSRFError)
    def on_csrf_error(error: CSRFError):
        if _wants_json():
            return error_response(400, "csrf_failed", "页面已过期或缺少 CSRF 令牌，请刷新后重试")
        flash(N_("页面已过期，请重新提交"), "warning")
        return redirect(request.referrer or url_for("auth.index"))

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException):
        if is_outage(getattr(error, "original_exception", None)):
            return outage_response(error.original_exception)  # raised by another handler
        status = error.code or 500
        message = HTTP_MESSAGES.get(status, error.description or "请求有误")
        if _wants_json():
            response, status = error_response(status, HTTP_CODES.get(status, "error"), message)
            if status == 405 and getattr(error, "valid_methods", None):
                response.headers["Allow"] = ", ".join(error.valid_methods)
            return response, status
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(Exception)
    def on_unexpected(error: Exception):
        if is_outage(error):
            return outage_response(error)
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        if _wants_json():
            return error_response(500, "server_error", HTTP_MESSAGES[500])
        return render_template("error.html", status=500, message=HTTP_MESSAGES[500]), 500

