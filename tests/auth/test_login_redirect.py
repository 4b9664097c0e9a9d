"""The login's ``next``: only a path on this site, judged as the browser will read it."""

from urllib.parse import unquote

import pytest

from tests.conftest import PASSWORD

NASTY = [
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%09%09/evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "%09//evil.example",
    "%20//evil.example",
    " //evil.example",
    "evil.example",
    "/%00/evil.example",
    "/%7f/evil.example",
    "/%c2%85/evil.example",
    "https:evil.example",
]


@pytest.mark.parametrize("target", NASTY)
def test_login_refuses_an_off_site_next(client, make_member, target):
    member = make_member()
    response = client.post("/login", query_string={"next": unquote(target)},
                           data={"phone": member.phone, "password": PASSWORD})
    if any(ord(c) < 32 and c not in "\t\n\r" or ord(c) == 127 for c in unquote(target)):
        # a control character other than tab or a line break: refused at the edge (400)
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location == "/home", (target, location)


@pytest.mark.parametrize("target", ["/me", "/tasks?page=2", "/requests/3#top"])
def test_login_follows_a_same_site_next(client, make_member, target):
    member = make_member()
    response = client.post("/login", query_string={"next": target},
                           data={"phone": member.phone, "password": PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example"])
def test_language_switch_refuses_an_off_site_next(client, target):
    response = client.post("/locale/en", data={"next": unquote(target)})
    assert response.headers["Location"] == "/"
