"""Deferred translation of the Chinese strings kept in Python constants.

Labels of categories, statuses and roles, form labels and choices, and static flash messages
are Chinese ``str`` constants: the API, the Excel and CSV exports, the reports, the CLI and the
database use them as they are. ``N_`` marks them for extraction into the catalogue (``pybabel
extract -k N_``, see docs/translations.md); pages translate them when they display them, with the
``tr`` template filter (``translate``), so only what a page shows follows the session language.
"""

from datetime import timedelta

from babel.dates import format_skeleton
from flask_babel import get_locale, gettext


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


def period_label(period) -> str:
    """A period (or its key) named in the session language, for display on a page.

    In Chinese it is exactly ``Period.label``, which the exports, the reports and the stored
    commendations keep; a key that does not parse is shown as it is.
    """
    from volunteer.core.errors import ValidationFailed
    from volunteer.core.periods import Period, parse_period

    if not isinstance(period, Period):
        try:
            period = parse_period(str(period))
        except ValidationFailed:
            return period
    year, month = period.start.year, period.start.month
    if period.kind == "month":
        # CLDR's year-and-month: "2026年11月" (as ``Period.label``) in Chinese, "Nov 2026"
        return format_skeleton("yMMM", period.start, locale=get_locale() or "zh_CN")
    if period.kind == "quarter":
        return gettext("%(y)s年第%(q)s季度", y=year, q=(month - 1) // 3 + 1)
    if period.kind == "half":
        return gettext("%(y)s年上半年", y=year) if month == 1 else gettext("%(y)s年下半年", y=year)
    if period.kind == "year":
        return gettext("%(y)s年", y=year)
    last = period.end - timedelta(days=1)
    return gettext("%(a)s 至 %(b)s", a=f"{period.start:%Y-%m-%d}", b=f"{last:%Y-%m-%d}")
