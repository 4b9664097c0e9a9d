"""A member's standing this quarter: hours, services, score and rank among their community's
approved members (home.services.member_standing), on 我的 and 我的服务."""

from datetime import timedelta

from volunteer.core.time import utcnow
from volunteer.home import services


def _just_now():
    return utcnow() - timedelta(minutes=5)


def test_no_service_is_not_ranked(area):
    standing = services.member_standing(area["a"])
    assert standing["rank"] is None and standing["score"] is None
    assert (standing["hours"], standing["services"]) == (0.0, 0)
    assert standing["summary"].endswith("未参与")


def test_rank_among_the_community_by_score(area, make_service):
    make_service(area["a"], _just_now(), minutes=120)
    make_service(area["a"], _just_now() - timedelta(hours=3), minutes=120)
    make_service(area["b"], _just_now(), minutes=60)
    make_service(area["e"], _just_now(), minutes=600)  # another community: not in the ranking
    first, second = services.member_standing(area["a"]), services.member_standing(area["b"])
    assert (first["rank"], first["services"], first["hours"]) == (1, 2, 4.0)
    assert second["rank"] == 2
    assert first["score"] > second["score"] > 0
    assert first["members"] == 2  # the approved members of 城南新村社区
    assert "社区排名第 1 名" in first["summary"]
    assert services.member_standing(area["e"])["rank"] == 1


def test_ties_share_a_rank(area, make_service, make_member):
    third = make_member(area["south"])
    for member in (area["a"], area["b"]):
        make_service(member, _just_now(), minutes=90, quality=4)
    make_service(third, _just_now(), minutes=30, quality=3)
    ranks = [services.member_standing(m)["rank"] for m in (area["a"], area["b"], third)]
    assert ranks == [1, 1, 3]


def test_last_quarters_services_do_not_count(area, make_service):
    make_service(area["a"], utcnow() - timedelta(days=200))
    assert services.member_standing(area["a"])["rank"] is None


def test_a_pending_member_has_no_standing(area):
    assert services.member_standing(area["pending"])["rank"] is None


def test_my_page_and_my_service_show_the_standing(client, login, area, make_service):
    make_service(area["a"], _just_now(), minutes=120)
    login(area["a"])
    for path in ("/me", "/me/service"):
        html = client.get(path).get_data(as_text=True)
        assert 'data-testid="standing"' in html, path
        assert "第 1 名" in html, path
    login(area["b"])
    html = client.get("/me").get_data(as_text=True)
    assert 'data-testid="standing-rank">未参与' in html


def test_pending_member_page_shows_the_wait_not_a_rank(client, login, area):
    login(area["pending"])
    html = client.get("/me").get_data(as_text=True)
    assert "您的报到正在等待社区书记审核" in html
    assert 'data-testid="standing"' not in html
