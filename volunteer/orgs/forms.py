"""Organisation forms."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from volunteer.core.forms import optional_int
from volunteer.orgs.models import BRANCH_LEVELS, UNIT_KINDS


class NameForm(FlaskForm):
    name = StringField("名称", validators=[DataRequired("必填"), Length(max=80)])


class CommunityForm(NameForm):
    street_id = SelectField("所属街道", coerce=optional_int, validate_choice=False)


class GridForm(NameForm):
    community_id = SelectField("所属社区", coerce=optional_int, validate_choice=False)
    parent_id = SelectField("上级网格（微网格才填）", coerce=optional_int, validate_choice=False)


class UnitForm(NameForm):
    kind = SelectField("单位类型", choices=list(UNIT_KINDS.items()))


class BranchForm(NameForm):
    community_id = SelectField("所属社区", coerce=optional_int, validate_choice=False)
    level = SelectField("层级", choices=list(BRANCH_LEVELS.items()), default="branch")


class LinkForm(FlaskForm):
    community_id = SelectField("共建社区", coerce=optional_int, validate_choice=False)
