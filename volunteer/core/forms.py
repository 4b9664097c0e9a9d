"""Shared form helpers: the pages' form base, carrying a service's field errors back onto a
form, and the bounded readers of numbers from query strings and form fields."""

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from flask import flash, request
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from volunteer.core.edge import (
    DATE_MESSAGE,
    INT_MAX,
    RANGE_MESSAGE,
    bounded_date,
    bounded_int,
    date_in_range,
)
from volunteer.core.errors import DomainError, ValidationFailed
from volunteer.core.i18n import translate
from volunteer.core.search import SEARCH_MAX
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

    def validate(self, extra_validators=None) -> bool:
        """The declared validators, then the bounds of the edge (``core.edge``) on every field:
        no integer beyond ``INT_MAX`` and no date outside the sane range reaches a service."""
        valid = super().validate(extra_validators)
        for field in self:
            message = out_of_bounds(field.data)
            if message:
                field.errors = [*field.errors, message]
                valid = False
        return valid


def grouped_choices(rows, placeholder: str | None = None) -> list[SelectChoice]:
    """A select's choices from (group, value, label) rows, already in order: consecutive rows
    of one group become one optgroup (a None group: plain options); ``placeholder`` first,
    as the empty value."""
    choices = [SelectChoice(value="", label=placeholder)] if placeholder is not None else []
    return choices + [SelectChoice(value=value, label=label, optgroup=group)
                      for group, value, label in rows]


def out_of_bounds(value) -> str | None:
    """Why a form field's value cannot be taken (a number or date out of range), or None."""
    if isinstance(value, list | tuple):
        return next((m for m in map(out_of_bounds, value) if m), None)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        finite = value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)
        if not finite:
            return RANGE_MESSAGE
        return None if abs(value) <= INT_MAX else RANGE_MESSAGE
    if isinstance(value, date) and not date_in_range(value):
        return DATE_MESSAGE
    return None


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


def also_check(form: FlaskForm, check, *args, aliases: dict | None = None, **kwargs) -> None:
    """A form whose own validators failed still runs the service's checks (``check`` writes
    nothing and raises ``ValidationFailed`` naming every bad field), and shows them on the
    fields that have no error yet: a page reports every error at once, not in rounds."""
    try:
        check(*args, **kwargs)
    except ValidationFailed as error:
        for name, message in error.fields.items():
            field = getattr(form, (aliases or {}).get(name, name), None)
            if field is not None and hasattr(field, "errors") and not field.errors:
                field.errors = [message]
    except DomainError:
        pass  # a refusal (a limit, a permission) is the real submission's to report


def optional_int(value):
    """A select field's value as an id, or None for an empty, unreadable or out-of-range choice."""
    if value in (None, "", "None"):
        return None
    return bounded_int(value)


def arg_int(name: str, default: int | None = None, *, source=None) -> int | None:
    """An id or count from the query string (or ``source``, e.g. ``request.form``) for a page:
    1 .. ``INT_MAX``; anything else is ``default`` (pages fall back rather than refuse)."""
    raw = (request.args if source is None else source).get(name)
    if raw in (None, ""):
        return default
    value = bounded_int(raw)
    return default if value is None else value


def arg_date(name: str) -> date | None:
    """A date from the query string for a page, within the sane range, or None."""
    return bounded_date(request.args.get(name))


def page_of(stmt, per_page: int = 20):
    """A page of a select statement for list pages (``?page=``; bad values fall back to 1)."""
    page = arg_int("page", 1)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def list_filters(**choices) -> dict:
    """A staff list's search and filters from the query string, for a page: ``q`` (trimmed,
    at most ``SEARCH_MAX``), ``date_from``/``date_to`` (swapped when reversed), ``grid_id``, and
    each of ``choices`` (name → its allowed values) when its value is allowed. A bad value is
    dropped: a page falls back rather than refuse."""
    from_day, to_day = arg_date("date_from"), arg_date("date_to")
    if from_day and to_day and to_day < from_day:
        from_day, to_day = to_day, from_day
    filters = {"q": (request.args.get("q") or "").strip()[:SEARCH_MAX] or None,
               "date_from": from_day, "date_to": to_day, "grid_id": arg_int("grid_id")}
    for name, allowed in choices.items():
        value = request.args.get(name)
        filters[name] = value if value in allowed else None
    return filters
