"""The commendation form."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length


class CommendForm(FlaskForm):
    period = HiddenField()
    citation = TextAreaField("推荐事迹（评语）", validators=[
        DataRequired("请填写推荐事迹"), Length(max=500, message="不能超过 500 个字符")])
