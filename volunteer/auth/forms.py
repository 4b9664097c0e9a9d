"""Login, password and staff forms (shape only; rules live in the services)."""

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from volunteer.auth.models import ROLES, STAFF_ROLES
from volunteer.auth.services import NAME_MAX
from volunteer.core.forms import WebForm
from volunteer.core.i18n import N_


class LoginForm(WebForm):
    phone = StringField(N_("手机号"),
                        validators=[DataRequired(N_("请输入手机号")), Length(max=20)])
    password = PasswordField(N_("密码"),
                             validators=[DataRequired(N_("请输入密码")), Length(max=200)])


class PasswordForm(WebForm):
    old_password = PasswordField(N_("原密码"),
                                 validators=[DataRequired(N_("必填")), Length(max=200)])
    new_password = PasswordField(N_("新密码"),
                                 validators=[DataRequired(N_("必填")), Length(max=200)])


class StaffForm(WebForm):
    name = StringField(N_("姓名"), validators=[DataRequired(N_("必填")), Length(max=NAME_MAX)])
    phone = StringField(N_("手机号"), validators=[DataRequired(N_("必填")), Length(max=20)])
    password = PasswordField(N_("初始密码"), validators=[DataRequired(N_("必填")), Length(max=200)])
    email = EmailField(N_("邮箱（可选）"), validators=[Optional(), Email(N_("邮箱格式不正确")),
                                                   Length(max=120)])
    role = SelectField(N_("角色"), choices=[(r, ROLES[r]) for r in STAFF_ROLES])
    scope_id = SelectField(N_("所属范围"), coerce=int, validate_choice=False)
