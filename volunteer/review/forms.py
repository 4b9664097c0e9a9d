"""The commendation form."""

from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from volunteer.core.forms import WebForm
from volunteer.core.i18n import N_
from volunteer.review.services import MAX_CITATION


class CommendForm(WebForm):
    period = HiddenField()
    citation = TextAreaField(N_("推荐事迹（评语）"), validators=[
        DataRequired(N_("请填写推荐事迹")),
        Length(max=MAX_CITATION, message=N_("不能超过 500 个字符"))])
