"""Request forms: the public 居民点单 form (with its honeypot), tracking, and the staff steps."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from volunteer.core.forms import optional_int
from volunteer.requests.models import CATEGORIES

RATINGS = [(5, "5 分 非常满意"), (4, "4 分 满意"), (3, "3 分 一般"), (2, "2 分 不太满意"),
           (1, "1 分 不满意")]


class RequestForm(FlaskForm):
    name = StringField("您的称呼", validators=[DataRequired("请填写称呼"), Length(max=30)])
    phone = StringField("手机号（用于查询进度，不会公开）",
                        validators=[DataRequired("请填写手机号"), Length(max=20)])
    community_id = SelectField("所在社区", coerce=optional_int, validate_choice=False)
    address = StringField("地址（小区、楼栋、门牌）",
                          validators=[DataRequired("请填写地址"), Length(max=120)])
    category = SelectField("需要什么帮助", validators=[DataRequired("请选择服务类别")],
                           choices=[("", "请选择")] + [(k, v[0]) for k, v in CATEGORIES.items()])
    description = TextAreaField("具体说明", validators=[
        DataRequired("请说明需要什么帮助"), Length(max=1000, message="不能超过 1000 个字符")])
    # the honeypot: hidden from people by CSS, filled in only by robots
    website = StringField("网站（请留空）", validators=[Optional()])


class TrackForm(FlaskForm):
    code = StringField("查询码", validators=[DataRequired("请填写查询码"), Length(max=12)])
    phone = StringField("点单时填写的手机号", validators=[DataRequired("请填写手机号"),
                                                  Length(max=20)])


class RateForm(FlaskForm):
    rating = SelectField("满意度", coerce=optional_int, choices=RATINGS)
    comment = TextAreaField("评价（可选）", validators=[Length(max=500)])


class ReasonForm(FlaskForm):
    reason = TextAreaField("原因", validators=[DataRequired("请填写原因"), Length(max=200)])


class NoteForm(FlaskForm):
    note = TextAreaField("服务情况", validators=[DataRequired("请填写服务情况"),
                                             Length(max=1000)])


class DispatchForm(FlaskForm):
    member_id = StringField("党员", validators=[DataRequired("请选择党员"),
                                              Regexp(r"^\d+$", message="请选择党员")])


class ConvertForm(FlaskForm):
    title = StringField("服务项目标题", validators=[DataRequired("必填"), Length(max=80)])
    location = StringField("地点（公开，请勿写门牌号）",
                           validators=[DataRequired("必填"), Length(max=120)])
    starts_at = StringField("开始时间", validators=[DataRequired("必填")])
    ends_at = StringField("结束时间", validators=[DataRequired("必填")])
    slots = StringField("名额", default="1", validators=[Regexp(r"^\d{1,3}$", message="应为整数")])
    description = TextAreaField("说明（公开给党员）", validators=[Length(max=2000)])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token."""
