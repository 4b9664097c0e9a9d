"""Every role lands on its work: the to-do list first, then what it answers for."""

import pytest


def _home(client, login, user) -> tuple[str, str]:
    login(user)
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    return page.request.path, page.get_data(as_text=True)


@pytest.mark.parametrize("role", ["south_secretary", "reviewer", "branch_secretary",
                                  "east_grid_worker"])
def test_staff_land_on_their_to_do_list_and_figures(client, login, area, role):
    path, html = _home(client, login, area[role])
    assert path == "/home"
    assert "您可以查看" not in html
    assert html.index('data-testid="todo"') < html.index('data-testid="responsibility"')


def test_secretary_home_counts_and_links(client, login, area, make_member):
    make_member(area["south"], status="pending")
    _path, html = _home(client, login, area["south_secretary"])
    assert 'href="/members?status=pending" data-testid="todo-approvals"' in html
    assert f'href="/review/community/{area["south"].id}"' in html


def test_unit_contact_and_admin_homes(client, login, make_unit, make_staff, admin):
    unit = make_unit("市一中")
    _path, html = _home(client, login, make_staff("unit_contact", unit))
    assert f'href="/review/unit/{unit.id}"' in html
    client.post("/logout")
    path, html = _home(client, login, admin)
    assert path == "/home"
    assert 'href="/review/district"' in html


def test_member_lands_on_me_with_the_to_do_list(client, login, area):
    path, html = _home(client, login, area["a"])
    assert path == "/me"
    assert html.index('data-testid="todo"') < html.index('data-testid="standing"')
