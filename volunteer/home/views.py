"""The home pages' parts: the to-do list, the figures a staff user answers for, a member's own
standing. The pages that show them (``auth.home`` for staff, ``members.me`` and
``tasks.my_service`` for members) sit in lower features, so they reach these through the
template helpers below rather than importing this package."""

from flask import Blueprint

from volunteer.home import services

bp = Blueprint("home", __name__)


@bp.app_context_processor
def home_helpers():
    return {"todo_items": services.todo_items, "responsibility": services.responsibility,
            "member_standing": services.member_standing}
