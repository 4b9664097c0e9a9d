"""Organisation forms."""

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from volunteer.core.forms import WebForm, optional_int
from volunteer.core.i18n import N_
from volunteer.orgs.models import BRANCH_LEVELS, UNIT_KINDS
from volunteer.orgs.services import NAME_MAX


class NameForm(WebForm):
    name = StringField(N_("名称"), validators=[DataRequired(N_("必填")), Length(max=NAME_MAX)])


class CommunityForm(NameForm):
    street_id = SelectField(N_("所属街道"), coerce=optional_int, validate_choice=False)


class GridForm(NameForm):
    community_id = SelectField(N_("所属社区"), coerce=optional_int, validate_choice=False)
    parent_id = SelectField(N_("上级网格（微网格才填）"), coerce=optional_int,
                            validate_choice=False)


class UnitForm(NameForm):
    kind = SelectField(N_("单位类型"), choices=list(UNIT_KINDS.items()))


class BranchForm(NameForm):
    community_id = SelectField(N_("所属社区"), coerce=optional_int, validate_choice=False)
    level = SelectField(N_("层级"), choices=list(BRANCH_LEVELS.items()), default="branch")


class LinkForm(WebForm):
    community_id = SelectField(N_("共建社区"), coerce=optional_int, validate_choice=False)
