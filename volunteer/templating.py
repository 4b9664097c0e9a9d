"""What every template sees: filters, ``page_url``, the main navigation and ``perm``.

``perm`` holds each feature's ``permissions`` module, so a template asks the same predicate
the view and the service ask: ``perm.tasks.can_manage_task(current_user, task)``. Templates
never compare ``current_user.role`` themselves (tests/core/test_role_tests.py checks it).
"""

import re
from types import SimpleNamespace

from flask import Flask
from flask_login import current_user
from markupsafe import Markup, escape

from volunteer.core.i18n import period_label, translate
from volunteer.core.links import this_page_url
from volunteer.core.outage import database_down
from volunteer.core.replica import reading_from_primary
from volunteer.core.time import format_local


def permission_modules() -> SimpleNamespace:
    """Every feature's ``permissions`` module, by feature name."""
    from volunteer.accounts import permissions as accounts
    from volunteer.auth import permissions as auth
    from volunteer.branches import permissions as branches
    from volunteer.members import permissions as members
    from volunteer.mobilisation import permissions as mobilisation
    from volunteer.orgs import permissions as orgs
    from volunteer.privacy import permissions as privacy
    from volunteer.reports import permissions as reports
    from volunteer.requests import permissions as requests
    from volunteer.review import permissions as review
    from volunteer.tasks import permissions as tasks
    from volunteer.wishes import permissions as wishes

    return SimpleNamespace(accounts=accounts, auth=auth, branches=branches, members=members,
                           mobilisation=mobilisation, orgs=orgs, privacy=privacy,
                           reports=reports, requests=requests, review=review, tasks=tasks,
                           wishes=wishes)


def tel_link(phone) -> Markup:
    """A phone number as a tap-to-call link; a masked one (138****0001) stays text."""
    if not phone:
        return Markup("")
    number = re.sub(r"[^0-9+]", "", str(phone))
    if "*" in str(phone) or not number:
        return escape(phone)
    return Markup('<a href="tel:{}" data-tel>{}</a>').format(number, phone)


def register_template_helpers(app: Flask) -> None:
    """Filters, globals and the context processor every page relies on."""
    from volunteer.auth.models import ROLES
    from volunteer.auth.permissions import shown_phone
    from volunteer.core.skills import skill_label
    from volunteer.navigation import main_nav
    from volunteer.notifications.services import count_unread
    from volunteer.web import select_locale

    app.jinja_env.filters["local"] = format_local
    # pages only: the API and the exports call skill_label and keep the Chinese
    app.jinja_env.filters["skill"] = lambda tag: translate(skill_label(tag))
    app.jinja_env.filters["tr"] = translate
    app.jinja_env.filters["period_label"] = period_label
    app.jinja_env.filters["tel"] = tel_link
    app.jinja_env.globals["perm"] = permission_modules()
    app.jinja_env.globals["main_nav"] = main_nav

    @app.template_global()
    def page_url(number: int) -> str:
        return this_page_url(page=number)

    @app.context_processor
    def inject():
        unread = 0
        if not database_down() and current_user.is_authenticated:
            with reading_from_primary():  # a message just read is no longer counted
                unread = count_unread(current_user)
        return {"ROLES": ROLES, "unread_count": unread, "shown_phone": shown_phone,
                "current_locale": select_locale()}
