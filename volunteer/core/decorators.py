"""Role decorators: "logged in" and "has one of these roles", for pages and the API alike."""

from functools import wraps

from flask import request
from flask_login import current_user

from volunteer.core.errors import NotAllowed, NotAuthenticated
from volunteer.extensions import login_manager


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
            if current_user.role not in roles:
                raise NotAllowed()
            return view(*args, **kwargs)

        wrapper.required_roles = roles
        return wrapper

    return decorate
