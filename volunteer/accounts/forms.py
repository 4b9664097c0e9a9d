"""Forgot-password, reset, turnover and phone forms (shape only; rules live in the services)."""

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from volunteer.auth.models import ROLES, STAFF_ROLES
from volunteer.auth.services import NAME_MAX
from volunteer.core.forms import WebForm
from volunteer.core.i18n import N_


class ForgotForm(WebForm):
    phone = StringField(N_("手机号"),
                        validators=[DataRequired(N_("请输入手机号")), Length(max=20)])


class ResetForm(WebForm):
    phone = StringField(N_("手机号"),
                        validators=[DataRequired(N_("请输入手机号")), Length(max=20)])
    code = StringField(N_("验证码"),
                       validators=[DataRequired(N_("请输入验证码")), Length(max=10)])
    password = PasswordField(N_("新密码"),
                             validators=[DataRequired(N_("必填")), Length(max=200)])


class ScopeForm(WebForm):
    role = SelectField(N_("角色"), choices=[(r, ROLES[r]) for r in STAFF_ROLES])
    scope_id = SelectField(N_("新的范围"), coerce=int, validate_choice=False)


class HandOverForm(WebForm):
    successor_phone = StringField(N_("继任者手机号"),
                                  validators=[DataRequired(N_("必填")), Length(max=20)])
    successor_name = StringField(N_("继任者姓名（新账号时必填）"),
                                 validators=[Optional(), Length(max=NAME_MAX)])
    successor_email = EmailField(N_("继任者邮箱（可选）"),
                                 validators=[Optional(), Email(N_("邮箱格式不正确")),
                                             Length(max=120)])


class PhoneForm(WebForm):
    phone = StringField(N_("新手机号"), validators=[DataRequired(N_("必填")), Length(max=20)])
