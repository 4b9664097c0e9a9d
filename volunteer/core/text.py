"""Checks of free-text input, shared by the services (forms check the same on the page)."""

from volunteer.core.errors import ValidationFailed

REASON_MAX = 200  # a reason given for cancelling, removing, rejecting or withdrawing


def clean_text(errors: dict, field: str, value, maximum: int, *, required: bool = True,
               missing: str = "不能为空") -> str:
    """A stripped text field; a missing, too long or non-text value is named in ``errors``."""
    if value is not None and not isinstance(value, str):
        errors[field] = "应为文本"
        return ""
    value = (value or "").strip()
    if required and not value:
        errors[field] = missing
    elif len(value) > maximum:
        errors[field] = f"不能超过 {maximum} 个字符"
    return value


def required_text(field: str, value, maximum: int, missing: str = "不能为空") -> str:
    """``clean_text`` of one required field, raising ValidationFailed when it is bad."""
    errors: dict[str, str] = {}
    value = clean_text(errors, field, value, maximum, missing=missing)
    if errors:
        raise ValidationFailed(fields=errors)
    return value


def required_reason(reason, missing: str = "请填写原因") -> str:
    """The reason for an action that needs one (``reason``, at most ``REASON_MAX``)."""
    return required_text("reason", reason, REASON_MAX, missing)
