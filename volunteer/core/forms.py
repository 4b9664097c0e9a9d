"""Shared form helpers: carrying a service's field errors back onto a form."""

from flask import flash, request
from flask_wtf import FlaskForm

from volunteer.core.errors import ValidationFailed
from volunteer.extensions import db


def apply_errors(form: FlaskForm, error: ValidationFailed, aliases: dict | None = None) -> None:
    """Show a service's ``fields`` next to the matching form fields; flash the rest."""
    aliases = aliases or {}
    leftover = []
    for name, message in error.fields.items():
        field = getattr(form, aliases.get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            if isinstance(field.errors, tuple):
                field.errors = list(field.errors)
            field.errors.append(message)
        else:
            leftover.append(message)
    flash(error.message if not leftover else f"{error.message}：{'；'.join(leftover)}", "danger")


def optional_int(value):
    """A select field's value as an int, or None for an empty or unreadable choice."""
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def page_of(stmt, per_page: int = 20):
    """A page of a select statement for list pages (``?page=``; bad values fall back to 1)."""
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)
