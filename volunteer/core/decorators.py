"""Role decorators: "logged in" and "has one of these roles", for pages and the API alike."""

from functools import wraps

from flask import request
from flask_login import current_user

from volunteer.core.errors import NotAllowed, NotAuthenticated, PasswordChangeRequired
from volunteer.extensions import login_manager

# what an account with a temporary password may still do: change it, read /me, log out
PASSWORD_CHANGE_EXEMPT = frozenset({
    "auth.change_password", "auth.logout", "auth.logout_all", "auth.set_locale", "static",
    "auth_api.change_password", "auth_api.me", "auth_api.create_token",
    "auth_api.revoke_token", "auth_api.logout_all",
})


def password_change_pending() -> bool:
    """The signed-in account must change its temporary password before this request."""
    return (request.endpoint not in PASSWORD_CHANGE_EXEMPT and current_user.is_authenticated
            and bool(getattr(current_user, "must_change_password", False)))


def _is_api() -> bool:
    return request.path.startswith("/api/")


def login_required(view):
    """Require a logged-in user: 401 JSON on the API, the login page on the web."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            if _is_api():
                raise NotAuthenticated()
            return login_manager.unauthorized()
        if _is_api() and password_change_pending():
            raise PasswordChangeRequired()
        return view(*args, **kwargs)

    return wrapper


def roles_required(*roles: str):
    """Require a logged-in user holding one of ``roles``."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                if _is_api():
                    raise NotAuthenticated()
                return login_manager.unauthorized()
            if _is_api() and password_change_pending():
                raise PasswordChangeRequired()
            if current_user.role not in roles:
                raise NotAllowed()
            return view(*args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorate
