"""Rules are stated once: templates, views and API modules ask the permissions predicates
(``perm.<feature>.can_*`` in templates) instead of comparing a user's role themselves. Role
comparisons belong in ``<feature>/permissions.py`` and ``core/decorators.py`` (and in the
services' scoping queries)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROLE_TEST = re.compile(r"\.role\s*(==|!=|\bin\b|\bnot\s+in\b)")
# a submitted field named role (the staff form's body), not the user's role
SUBMITTED = re.compile(r"\bdata\.role\b")


def _offenders(paths) -> list[str]:
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_TEST.search(SUBMITTED.sub("", line)):
                found.append(f"{path.name}:{number}: {line.strip()}")
    return found


def test_no_role_tests_in_templates():
    assert _offenders(sorted((ROOT / "templates").rglob("*.html"))) == []


def test_no_role_tests_in_views_and_api_modules():
    edges = [p for name in ("views.py", "api.py") for p in (ROOT / "volunteer").rglob(name)]
    assert len(edges) > 10
    assert _offenders(sorted(edges)) == []


def test_the_check_catches_a_role_test(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("{% if current_user.role in ('member',) %}x{% endif %}\n"
                    "{% if user.role!='member' %}y{% endif %}\n"
                    "{% if perm.tasks.can_post_task(current_user) %}z{% endif %}\n"
                    "scope_id = getattr(data, ROLE_SCOPE[data.role]) if data.role in ROLE_SCOPE\n",
                    encoding="utf-8")
    assert [entry.split(":")[1] for entry in _offenders([page])] == ["1", "2"]


def test_templates_see_every_features_permissions(app):
    perm = app.jinja_env.globals["perm"]
    features = sorted(p.parent.name for p in (ROOT / "volunteer").glob("*/permissions.py"))
    assert features and sorted(vars(perm)) == features
    assert all(getattr(perm, f).__name__ == f"volunteer.{f}.permissions" for f in features)
