"""A limit is stated once, in the service, and the form and the API model import it."""

import pytest
from wtforms.validators import Length

from tests.tasks.test_tasks_api import count, task_body
from volunteer.requests import api as requests_api
from volunteer.requests import forms as requests_forms
from volunteer.tasks import api, forms, services
from volunteer.tasks.models import Task


def _form_max(form_class, field: str) -> int:
    validators = getattr(form_class, field).kwargs["validators"]
    return next(v.max for v in validators if isinstance(v, Length))


def _api_max(model, field: str) -> int:
    return next(m.max_length for m in model.model_fields[field].metadata
                if hasattr(m, "max_length"))


@pytest.mark.parametrize(("field", "limit"), [
    ("title", services.TITLE_MAX), ("location", services.LOCATION_MAX),
    ("description", services.DESCRIPTION_MAX)])
def test_task_fields_have_one_limit(field, limit):
    assert _form_max(forms.TaskCommonFields, field) == limit
    assert _api_max(api.TaskFields, field) == limit
    # a resident's request turned into a task meets the same limits
    assert _form_max(requests_forms.ConvertForm, field) == limit
    assert _api_max(requests_api.ConvertIn, field) == limit


@pytest.mark.parametrize("field", ["title", "location"])
def test_the_api_takes_the_limit_and_refuses_one_more(client, secretary, token_for, field):
    limit = {"title": services.TITLE_MAX, "location": services.LOCATION_MAX}[field]
    headers = token_for(secretary)
    refused = client.post("/api/v1/tasks", json=task_body(**{field: "楼" * (limit + 1)}),
                          headers=headers)
    assert refused.status_code == 400
    error = refused.get_json()["error"]
    assert error["code"] == "invalid_input" and field in error["fields"]
    assert count(Task) == 0
    taken = client.post("/api/v1/tasks", json=task_body(**{field: "楼" * limit}),
                        headers=headers)
    assert taken.status_code == 201 and taken.get_json()[field] == "楼" * limit
