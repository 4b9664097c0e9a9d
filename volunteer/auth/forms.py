"""Login, password and staff forms (shape only; rules live in the services)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from volunteer.auth.models import ROLES, STAFF_ROLES


class LoginForm(FlaskForm):
    phone = StringField("手机号", validators=[DataRequired("请输入手机号"), Length(max=20)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=200)])


class PasswordForm(FlaskForm):
    old_password = PasswordField("原密码", validators=[DataRequired("必填"), Length(max=200)])
    new_password = PasswordField("新密码", validators=[DataRequired("必填"), Length(max=200)])


class StaffForm(FlaskForm):
    name = StringField("姓名", validators=[DataRequired("必填"), Length(max=30)])
    phone = StringField("手机号", validators=[DataRequired("必填"), Length(max=20)])
    password = PasswordField("初始密码", validators=[DataRequired("必填"), Length(max=200)])
    email = EmailField("邮箱（可选）", validators=[Optional(), Email("邮箱格式不正确"),
                                               Length(max=120)])
    role = SelectField("角色", choices=[(r, ROLES[r]) for r in STAFF_ROLES])
    scope_id = SelectField("所属范围", coerce=int, validate_choice=False)
