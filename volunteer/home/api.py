"""Client API: what the signed-in user must do now (the home page's to-do list)."""

from flask import jsonify
from flask_login import current_user
from pydantic import Field

from volunteer.core.api import Out, api_blueprint, doc
from volunteer.core.decorators import login_required
from volunteer.home import services

bp = api_blueprint("home_api", __name__)


class TodoItemOut(Out):
    kind: str = Field(description="approvals, hours_to_confirm, requests_to_accept, "
                                  "mobilisation, next_service, figures …")
    title: str
    count: int
    link: str = Field(description="the web page where it is done")


class TodoOut(Out):
    items: list[TodoItemOut] = Field(max_length=services.TODO_MAX)


@bp.get("/me/todo")
@doc("我的待办：按角色列出待审核、待确认时长、待接单/派单、集结号、下次服务、本季度数据等"
     f"（最多 {services.TODO_MAX} 项，不分页）", response=TodoOut)
@login_required
def todo():
    items = services.todo_items(current_user)
    return jsonify({"items": [item.as_dict() for item in items]})
