"""Shared form helpers: the pages' form base, carrying a service's field errors back onto a
form."""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash, request
from flask_wtf import FlaskForm

from volunteer.core.errors import DomainError, ValidationFailed
from volunteer.core.i18n import translate
from volunteer.extensions import db


class WebForm(FlaskForm):
    """A page's form: the labels of its declared choices in the session language.

    Choices are ``(value, label)`` pairs whose labels are ``N_``-marked Chinese; only the
    labels are translated, the values (what is submitted and stored) stay the same. Field
    labels and error messages are translated where the form macros display them.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            choices = getattr(field, "choices", None)
            if isinstance(choices, list | tuple) and all(
                    isinstance(choice, tuple) and len(choice) == 2 for choice in choices):
                field.choices = [(value, translate(label)) for value, label in choices]


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


class Outcome:
    """What ``form_errors`` saw: ``ok`` unless the service refused."""

    ok = True


@contextmanager
def form_errors(form: FlaskForm, aliases: dict | None = None,
                refusal_field=None) -> Iterator[Outcome]:
    """Run a form's service call; a ``ValidationFailed`` rolls back and lands on the form.

    ::

        with form_errors(form) as outcome:
            task = services.create_task(current_user, **form.service_fields())
        if outcome.ok:
            db.session.commit()
            ...

    ``aliases`` maps a service's field names to the form's (as ``apply_errors``);
    ``refusal_field``, when given, also catches any other ``DomainError`` and shows its message
    under that field. The view still commits: this only turns a refusal into form errors.
    """
    outcome = Outcome()
    try:
        yield outcome
    except ValidationFailed as error:
        db.session.rollback()
        apply_errors(form, error, aliases)
        outcome.ok = False
    except DomainError as error:
        if refusal_field is None:
            raise
        db.session.rollback()
        refusal_field.errors = [*refusal_field.errors, error.message]
        outcome.ok = False


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
