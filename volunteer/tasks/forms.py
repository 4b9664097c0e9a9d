"""Task, repeating roster, reason, confirmation and rating forms (shape only)."""

from datetime import datetime

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from volunteer.core.forms import WebForm, optional_int
from volunteer.core.i18n import N_
from volunteer.core.skills import SKILLS
from volunteer.core.text import REASON_MAX
from volunteer.core.time import local_zone
from volunteer.tasks.models import CATEGORIES, MAX_SLOTS, MIN_SLOTS, VISIBILITIES
from volunteer.tasks.services import COMMENT_MAX, DESCRIPTION_MAX, LOCATION_MAX, TITLE_MAX

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def aware(moment: datetime | None) -> datetime | None:
    """A naive local time typed into a form, as an aware datetime."""
    return moment.replace(tzinfo=local_zone()) if moment else None


class TaskCommonFields(WebForm):
    title = StringField(N_("名称"), validators=[DataRequired(N_("必填")), Length(max=TITLE_MAX)])
    category = SelectField(N_("类别"), choices=list(CATEGORIES.items()))
    description = TextAreaField(N_("说明（任务要求、注意事项）"),
                                validators=[Length(max=DESCRIPTION_MAX)])
    location = StringField(N_("地点"),
                           validators=[DataRequired(N_("必填")), Length(max=LOCATION_MAX)])
    grid_id = SelectField(N_("网格（可选）"), coerce=optional_int, validate_choice=False)
    slots = IntegerField(N_("名额"), validators=[
        InputRequired(N_("必填")),
        NumberRange(MIN_SLOTS, MAX_SLOTS, f"名额应在 {MIN_SLOTS} 到 {MAX_SLOTS} 之间")])
    skills = SelectMultipleField(N_("需要的专长（可选）"), choices=list(SKILLS.items()),
                                 validate_choice=False)
    visibility = SelectField(N_("可见范围"), choices=list(VISIBILITIES.items()))
    publish = BooleanField(N_("立即发布（不勾选则存为草稿）"), default=True)

    def service_fields(self) -> dict:
        return {"title": self.title.data, "category": self.category.data,
                "description": self.description.data or "", "location": self.location.data,
                "grid_id": self.grid_id.data, "slots": self.slots.data,
                "skills": list(self.skills.data or []), "visibility": self.visibility.data}


class TaskForm(TaskCommonFields):
    starts_at = DateTimeLocalField(N_("开始时间"), format=LOCAL_FORMAT,
                                   validators=[InputRequired(N_("请填写开始时间"))])
    ends_at = DateTimeLocalField(N_("结束时间"), format=LOCAL_FORMAT,
                                 validators=[InputRequired(N_("请填写结束时间"))])

    def service_fields(self) -> dict:
        return {**super().service_fields(), "starts_at": aware(self.starts_at.data),
                "ends_at": aware(self.ends_at.data)}


class SeriesForm(TaskCommonFields):
    first_date = DateField(N_("第一天"), validators=[InputRequired(N_("请填写日期"))])
    days = IntegerField(N_("连续天数"), default=14, validators=[
        InputRequired(N_("必填")), NumberRange(1, 31, N_("天数应在 1 到 31 之间"))])
    shifts = StringField(N_("班次（每天，逗号分隔）"), default="08:00-12:00",
                         validators=[DataRequired(N_("必填")), Length(max=200)])


class ReasonForm(WebForm):
    reason = TextAreaField(N_("原因"),
                           validators=[DataRequired(N_("请填写原因")), Length(max=REASON_MAX)])


QUALITY_CHOICES = [("", N_("请选择"))] + [(i, f"{i} 星") for i in range(5, 0, -1)]


class ConfirmForm(WebForm):
    """One claim's hours and quality; the quality has no default: a rating is chosen."""
    hours = DecimalField(N_("确认时长（小时）"), places=2, validators=[Optional()])
    quality = SelectField(N_("服务质量"), coerce=optional_int, choices=QUALITY_CHOICES,
                          validate_choice=False,
                          validators=[InputRequired(N_("请选择服务质量（1 到 5 星）"))])
    reason = StringField(N_("调整原因（时长与签到记录不同时必填）"),
                         validators=[Length(max=REASON_MAX)])


class ConfirmAllForm(WebForm):
    quality = SelectField(N_("服务质量（统一评价）"), coerce=optional_int, choices=QUALITY_CHOICES,
                          validate_choice=False,
                          validators=[InputRequired(N_("请选择服务质量（1 到 5 星）"))])


class SeriesEditForm(WebForm):
    """What a series-wide edit changes in every task of the series not yet begun."""
    title = StringField(N_("名称"), validators=[DataRequired(N_("必填")), Length(max=TITLE_MAX)])
    description = TextAreaField(N_("说明（任务要求、注意事项）"),
                                validators=[Length(max=DESCRIPTION_MAX)])
    location = StringField(N_("地点"),
                           validators=[DataRequired(N_("必填")), Length(max=LOCATION_MAX)])
    slots = IntegerField(N_("每场名额"), validators=[
        InputRequired(N_("必填")),
        NumberRange(MIN_SLOTS, MAX_SLOTS, f"名额应在 {MIN_SLOTS} 到 {MAX_SLOTS} 之间")])

    def service_fields(self) -> dict:
        return {"title": self.title.data, "description": self.description.data or "",
                "location": self.location.data, "slots": self.slots.data}


class SatisfactionForm(WebForm):
    """The served resident's rating, recorded by the secretary: chosen, never defaulted."""
    satisfaction = SelectField(N_("居民满意度"), coerce=optional_int, validate_choice=False,
                               choices=[("", N_("请选择"))]
                               + [(i, f"{i} 分") for i in range(5, 0, -1)],
                               validators=[InputRequired(N_("请选择居民满意度（1 到 5 分）"))])
    comment = StringField(N_("居民意见（可选）"), validators=[Length(max=COMMENT_MAX)])


class EmptyForm(WebForm):
    """A POST carrying only the CSRF token."""
