"""集结号 forms: shape only; the services check the rules."""

from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from volunteer.core.forms import WebForm
from volunteer.core.i18n import N_
from volunteer.mobilisation.services import MESSAGE_MAX, NOTE_MAX, SHIFT_MAX, TITLE_MAX


class DeclareForm(WebForm):
    title = StringField(N_("标题"), validators=[
        DataRequired(N_("请填写标题")), Length(max=TITLE_MAX, message=N_("不能超过 80 个字符"))])
    message = TextAreaField(N_("集结令"), validators=[
        DataRequired(N_("请填写集结令")),
        Length(max=MESSAGE_MAX, message=N_("不能超过 1000 个字符"))])
    community_ids = SelectMultipleField(N_("集结区域：整个社区"), coerce=int,
                                        validate_choice=False)
    grid_ids = SelectMultipleField(N_("集结区域：网格"), coerce=int, validate_choice=False)
    posts = TextAreaField(N_("岗位及人数"), validators=[
        DataRequired(N_("请至少设置一个岗位")), Length(max=2000)])


class ReplyForm(WebForm):
    answer = SelectField(N_("回复"), choices=[("reporting", N_("响应报到")),
                                              ("cannot", N_("无法报到"))])
    note = StringField(N_("备注"), validators=[
        Optional(), Length(max=NOTE_MAX, message=N_("不能超过 200 个字符"))])


class AssignForm(WebForm):
    post_id = SelectField(N_("岗位"), coerce=str, validate_choice=False)
    shift = StringField(N_("班次"), validators=[
        Optional(), Length(max=SHIFT_MAX, message=N_("不能超过 40 个字符"))])


class ActionForm(WebForm):
    """A button that only needs the CSRF token."""
