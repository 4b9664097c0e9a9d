"""Registration, review, profile and import forms."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from volunteer.auth.services import NAME_MAX
from volunteer.consents.services import PRIVACY_CONSENT_REQUIRED
from volunteer.core.forms import WebForm, optional_int
from volunteer.core.i18n import N_
from volunteer.core.text import REASON_MAX
from volunteer.members.models import INDUSTRIES, SKILLS
from volunteer.members.services import EMAIL_MAX


class ProfileFields(WebForm):
    skills = SelectMultipleField(N_("专长（党员专家库）"), choices=list(SKILLS.items()),
                                 validate_choice=False)
    extra_tags = StringField(N_("其他专长标签（用逗号分隔，可选）"), validators=[Length(max=200)])
    industry = SelectField(N_("所在行业"), choices=[("", N_("请选择"))] + list(INDUSTRIES.items()),
                           validators=[Optional()])
    email = EmailField(N_("邮箱（可选，用于接收提醒）"),
                       validators=[Optional(), Email(N_("邮箱格式不正确")), Length(max=EMAIL_MAX)])
    grid_id = SelectField(N_("所在网格（可选）"), coerce=optional_int, validate_choice=False)

    def all_tags(self) -> list[str]:
        extra = [t for t in (self.extra_tags.data or "").replace("，", ",").split(",") if t.strip()]
        return list(self.skills.data or []) + extra


class RegisterForm(ProfileFields):
    name = StringField(N_("姓名"), validators=[DataRequired(N_("必填")), Length(max=NAME_MAX)])
    phone = StringField(N_("手机号"), validators=[DataRequired(N_("必填")), Length(max=20)])
    password = PasswordField(N_("密码（至少 8 位，不能全是数字）"),
                             validators=[DataRequired(N_("必填")), Length(max=200)])
    unit_name = StringField(N_("工作单位"), validators=[DataRequired(N_("请填写工作单位")),
                                                     Length(max=80)])
    community_id = SelectField(N_("居住社区"), coerce=optional_int, validate_choice=False)
    branch_id = SelectField(N_("所在党支部（可选）"), coerce=optional_int, validate_choice=False)
    privacy_consent = BooleanField(N_("我已阅读并同意《个人信息保护说明》"),
                                   validators=[DataRequired(PRIVACY_CONSENT_REQUIRED)])


class MoveForm(WebForm):
    """搬家 / 更换单位: the member's new community (or the same), grid and work unit."""

    community_id = SelectField(N_("居住社区"), coerce=optional_int, validate_choice=False)
    grid_id = SelectField(N_("所在网格（可选）"), coerce=optional_int, validate_choice=False)
    unit_name = StringField(N_("工作单位"), validators=[DataRequired(N_("请填写工作单位")),
                                                     Length(max=80)])


class RejectForm(WebForm):
    reason = TextAreaField(N_("不通过原因"),
                           validators=[DataRequired(N_("请填写原因")), Length(max=REASON_MAX)])


class MemberBranchForm(WebForm):
    branch_id = SelectField(N_("党组织"), coerce=optional_int, validate_choice=False)


class ApproveForm(WebForm):
    """No fields: the approve button posts only its CSRF token."""


class ImportForm(WebForm):
    file = FileField(N_("名单文件（.xlsx 或 .csv）"), validators=[FileRequired(N_("请选择文件"))])
    dry_run = BooleanField(N_("只检查，不导入"))



class DeactivateForm(WebForm):
    reason = TextAreaField(N_("停用原因"),
                           validators=[DataRequired(N_("请填写停用原因")), Length(max=REASON_MAX)])


class TransferForm(WebForm):
    community_id = SelectField(N_("转入社区"), coerce=optional_int, validate_choice=False,
                               validators=[DataRequired(N_("请选择转入的社区"))])
    reason = TextAreaField(N_("转出原因"),
                           validators=[DataRequired(N_("请填写转出原因")), Length(max=REASON_MAX)])
