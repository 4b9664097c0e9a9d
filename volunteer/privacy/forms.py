"""Privacy forms: a member's deletion request (with its confirmation), the secretary's button."""

from wtforms import BooleanField
from wtforms.validators import DataRequired

from volunteer.core.forms import WebForm
from volunteer.core.i18n import N_


class DeletionRequestForm(WebForm):
    confirm = BooleanField(N_("我已了解：注销后无法登录，个人信息将被删除，服务记录匿名保留"),
                           validators=[DataRequired(N_("请勾选确认"))])


class ActionForm(WebForm):
    """A button that only needs its CSRF token."""
