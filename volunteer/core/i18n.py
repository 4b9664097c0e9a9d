"""Deferred translation of the Chinese strings kept in Python constants.

Labels of categories, statuses and roles, form labels and choices, and static flash messages
are Chinese ``str`` constants: the API, the Excel and CSV exports, the reports, the CLI and the
database use them as they are. ``N_`` marks them for extraction into the catalogue (``pybabel
extract -k N_``, see the README); pages translate them when they display them, with the
``tr`` template filter (``translate``), so only what a page shows follows the session language.
"""

from flask_babel import gettext


def N_(text: str) -> str:
    """Mark a Chinese string for extraction and return it unchanged.

    Templates translate it at display time (``{{ label|tr }}``); everywhere else it stays the
    Chinese text, a plain ``str``.
    """
    return text


def translate(text):
    """``text`` in the session language, for display on a page; unchanged when the catalogue
    has no translation for it (names, user-entered content, service messages) or when it is not
    a string.

    Unlike Jinja's ``_()``, the result is a plain string, so the template escapes it: safe for
    values that may carry user input, and a ``%`` in them is left alone.
    """
    if not isinstance(text, str) or not text:
        return text
    return gettext(text)
