"""The shared checks of free-text input (volunteer.core.text)."""

import pytest

from volunteer.core.errors import ValidationFailed
from volunteer.core.text import REASON_MAX, clean_text, required_reason, required_text


def test_clean_text_names_each_bad_field():
    errors = {}
    assert clean_text(errors, "title", "  楼道消杀  ", 10) == "楼道消杀"
    assert clean_text(errors, "note", None, 10, required=False) == ""
    clean_text(errors, "empty", "   ", 10, missing="必填")
    clean_text(errors, "long", "字" * 11, 10)
    clean_text(errors, "number", 42, 10)
    assert errors == {"empty": "必填", "long": "不能超过 10 个字符", "number": "应为文本"}


@pytest.mark.parametrize(("value", "message"), [
    (None, "请填写撤销原因"), ("  ", "请填写撤销原因"), (["原因"], "应为文本"),
    ("因" * (REASON_MAX + 1), f"不能超过 {REASON_MAX} 个字符")])
def test_a_bad_reason_is_refused_clearly(value, message):
    with pytest.raises(ValidationFailed) as refused:
        required_reason(value, "请填写撤销原因")
    assert refused.value.fields == {"reason": message}


def test_required_text_returns_the_stripped_value():
    assert required_reason(" 重复报名 ") == "重复报名"
    assert required_text("note", " 已上门 ", 20) == "已上门"
    with pytest.raises(ValidationFailed) as refused:
        required_reason("")
    assert refused.value.fields == {"reason": "请填写原因"}
