"""Request forms: the public 居民点单 form (with its honeypot), tracking, and the staff steps."""

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from volunteer.consents.services import PRIVACY_CONSENT_REQUIRED
from volunteer.core.forms import WebForm, optional_int
from volunteer.core.i18n import N_
from volunteer.core.text import REASON_MAX
from volunteer.requests import services
from volunteer.requests.models import CATEGORIES
from volunteer.tasks.services import DESCRIPTION_MAX, LOCATION_MAX, TITLE_MAX

RATINGS = [(5, N_("5 分 非常满意")), (4, N_("4 分 满意")), (3, N_("3 分 一般")),
           (2, N_("2 分 不太满意")), (1, N_("1 分 不满意"))]


class RequestForm(WebForm):
    name = StringField(N_("您的称呼"),
                       validators=[DataRequired(N_("请填写称呼")), Length(max=services.NAME_MAX)])
    phone = StringField(N_("手机号（用于查询进度，不会公开）"),
                        validators=[DataRequired(N_("请填写手机号")), Length(max=20)])
    community_id = SelectField(N_("所在社区"), coerce=optional_int, validate_choice=False)
    address = StringField(N_("地址（小区、楼栋、门牌）"),
                          validators=[DataRequired(N_("请填写地址")),
                                      Length(max=services.ADDRESS_MAX)])
    category = SelectField(N_("需要什么帮助"), validators=[DataRequired(N_("请选择服务类别"))],
                           choices=[("", N_("请选择"))]
                           + [(k, v[0]) for k, v in CATEGORIES.items()])
    description = TextAreaField(N_("具体说明"), validators=[
        DataRequired(N_("请说明需要什么帮助")),
        Length(max=services.DESCRIPTION_MAX, message=N_("不能超过 1000 个字符"))])
    health_sensitive = BooleanField(N_("我的需求涉及健康状况（如疾病、残障、用药）"))
    sensitive_consent = BooleanField(
        N_("我单独同意社区和接单党员为提供这项服务处理我的健康信息（敏感个人信息）"))
    privacy_consent = BooleanField(N_("我已阅读并同意《个人信息保护说明》"),
                                   validators=[DataRequired(PRIVACY_CONSENT_REQUIRED)])
    # the honeypot: hidden from people by CSS, filled in only by robots
    website = StringField(N_("网站（请留空）"), validators=[Optional()])


class TrackForm(WebForm):
    code = StringField(N_("查询码"),
                       validators=[DataRequired(N_("请填写查询码")), Length(max=12)])
    phone = StringField(N_("点单时填写的手机号"), validators=[DataRequired(N_("请填写手机号")),
                                                      Length(max=20)])


class RateForm(WebForm):
    rating = SelectField(N_("满意度"), coerce=optional_int, choices=RATINGS)
    comment = TextAreaField(N_("评价（可选）"), validators=[Length(max=services.COMMENT_MAX)])


class ReasonForm(WebForm):
    reason = TextAreaField(N_("原因"),
                           validators=[DataRequired(N_("请填写原因")), Length(max=REASON_MAX)])


class NoteForm(WebForm):
    note = TextAreaField(N_("服务情况"), validators=[DataRequired(N_("请填写服务情况")),
                                                 Length(max=services.NOTE_MAX)])


class DispatchForm(WebForm):
    member_id = StringField(N_("党员"), validators=[DataRequired(N_("请选择党员")),
                                                  Regexp(r"^\d+$", message=N_("请选择党员"))])


class ConvertForm(WebForm):
    title = StringField(N_("服务项目标题"),
                        validators=[DataRequired(N_("必填")), Length(max=TITLE_MAX)])
    location = StringField(N_("地点（公开，请勿写门牌号）"),
                           validators=[DataRequired(N_("必填")), Length(max=LOCATION_MAX)])
    starts_at = StringField(N_("开始时间"), validators=[DataRequired(N_("必填"))])
    ends_at = StringField(N_("结束时间"), validators=[DataRequired(N_("必填"))])
    slots = StringField(N_("名额"), default="1",
                        validators=[Regexp(r"^\d{1,3}$", message=N_("应为整数"))])
    description = TextAreaField(N_("说明（公开给党员）"), validators=[Length(max=DESCRIPTION_MAX)])


class ActionForm(WebForm):
    """A button that only needs its CSRF token."""
