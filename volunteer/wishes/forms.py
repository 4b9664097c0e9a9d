"""Wish forms: shape only; the services check the rules."""

import re
from datetime import date

from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from volunteer.core.edge import date_in_range
from volunteer.core.forms import WebForm, optional_int
from volunteer.core.i18n import N_
from volunteer.core.text import REASON_MAX
from volunteer.wishes.models import HOUSEHOLD_KINDS
from volunteer.wishes.services import ADDRESS_MAX, CONTENT_MAX, NAME_MAX, NOTE_MAX

INTEGER = r"^\s*-?\d{1,9}\s*$"


def parse_date(value: str | None) -> date | None:
    """``2026-11-26`` (what <input type=date> sends) or None; ValueError otherwise."""
    value = (value or "").strip()
    if not value:
        return None
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", value):
        raise ValueError(value)
    day = date.fromisoformat(value)
    if not date_in_range(day):
        raise ValueError(value)
    return day


class WishForm(WebForm):
    household_kind = SelectField(N_("家庭类别"),
                                 choices=[("", N_("请选择"))] + list(HOUSEHOLD_KINDS.items()),
                                 validators=[DataRequired(N_("请选择家庭类别"))])
    beneficiary_name = StringField(N_("户主 / 受助人姓名（仅社区工作人员和认领人可见）"),
                                   validators=[DataRequired(N_("必填")), Length(max=NAME_MAX)])
    phone = StringField(N_("联系电话（不公开）"),
                        validators=[DataRequired(N_("必填")), Length(max=20)])
    address = StringField(N_("住址（不公开）"),
                          validators=[DataRequired(N_("必填")), Length(max=ADDRESS_MAX)])
    content = TextAreaField(N_("心愿内容"), validators=[DataRequired(N_("请填写心愿内容")),
                                                     Length(max=CONTENT_MAX)])
    value = StringField(N_("预估价值（元）"), validators=[
        DataRequired(N_("请填写预估价值")), Regexp(INTEGER, message=N_("请填写整数金额（元）"))])
    deadline = StringField(N_("希望完成日期（可选）"), validators=[Optional()])
    grid_id = SelectField(N_("所在网格"), coerce=optional_int, validate_choice=False)
    group = BooleanField(N_("帮帮团：允许多名党员共同认领"))
    max_claimants = StringField(N_("帮帮团人数上限"), validators=[
        Optional(), Regexp(INTEGER, message=N_("应为整数"))])
    photo = FileField(N_("照片（可选，JPG / PNG，3 MB 以内）"))

    def service_fields(self) -> dict:
        """The values the service expects; a bad date becomes a field error there."""
        try:
            deadline = parse_date(self.deadline.data)
        except ValueError:
            deadline = "invalid"
        return {
            "household_kind": self.household_kind.data,
            "beneficiary_name": self.beneficiary_name.data,
            "phone": self.phone.data, "address": self.address.data,
            "content": self.content.data, "value": int(self.value.data),
            "deadline": deadline, "grid_id": self.grid_id.data, "group": self.group.data,
            "max_claimants": optional_int(self.max_claimants.data),
        }


class ReasonForm(WebForm):
    reason = TextAreaField(N_("退回原因"),
                           validators=[DataRequired(N_("请填写原因")), Length(max=REASON_MAX)])


class FulfilForm(WebForm):
    note = TextAreaField(N_("圆梦情况（送达时间、物品等）"),
                         validators=[DataRequired(N_("请填写圆梦情况")), Length(max=NOTE_MAX)])
    photo = FileField(N_("照片（可选，JPG / PNG）"))


class ConfirmForm(WebForm):
    satisfaction = SelectField(N_("家庭满意度"), coerce=optional_int,
                               choices=[(5, N_("5 分 非常满意")), (4, N_("4 分 满意")),
                                        (3, N_("3 分 一般")), (2, N_("2 分 不太满意")),
                                        (1, N_("1 分 不满意"))])
    thanks = TextAreaField(N_("家庭的感谢（可选）"), validators=[Length(max=NOTE_MAX)])
    story = TextAreaField(N_("心愿墙故事（公开展示，请勿写姓名和住址）"),
                          validators=[Length(max=NOTE_MAX)])
    on_wall = BooleanField(N_("在心愿墙上展示（匿名）"), default=True)


class ActionForm(WebForm):
    """A button that only needs its CSRF token."""


class AcceptClaimForm(WebForm):
    """The staff accept one member's waiting claim."""

    member_id = HiddenField(validators=[DataRequired(), Regexp(INTEGER)])


class RefuseClaimForm(AcceptClaimForm):
    """The staff refuse one member's waiting claim, saying why (the member is told)."""

    reason = TextAreaField(N_("谢绝原因（会告知党员）"),
                           validators=[DataRequired(N_("请填写原因")), Length(max=REASON_MAX)])
