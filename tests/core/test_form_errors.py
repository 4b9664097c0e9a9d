"""``core.forms.form_errors``: the views' one way of turning a service's refusal into form
errors (roll back, show the fields, tell the view not to commit)."""

import pytest
from wtforms import StringField

from volunteer.core.errors import NotAllowed, ValidationFailed
from volunteer.core.forms import WebForm, form_errors


class _Form(WebForm):
    class Meta:
        csrf = False

    title = StringField()
    phone = StringField()


def test_a_validation_failure_lands_on_the_form_and_the_outcome(app):
    with app.test_request_context():
        form = _Form()
        with form_errors(form, {"name": "title"}) as outcome:
            raise ValidationFailed("输入有误", fields={"name": "太长", "other": "无此栏"})
        assert outcome.ok is False
        assert form.title.errors == ["太长"]


def test_success_leaves_the_outcome_ok(app):
    with app.test_request_context():
        with form_errors(_Form()) as outcome:
            pass
        assert outcome.ok is True


def test_other_refusals_pass_through_unless_a_field_takes_them(app):
    with app.test_request_context():
        form = _Form()
        with pytest.raises(NotAllowed), form_errors(form):
            raise NotAllowed()
        with form_errors(form, refusal_field=form.phone) as outcome:
            raise NotAllowed("手机号已被占用")
        assert outcome.ok is False
        assert form.phone.errors == ["手机号已被占用"]
