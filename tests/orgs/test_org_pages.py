"""The district admin's organisation and staff pages."""

from sqlalchemy import func, select

from volunteer.audit.models import AuditLog
from volunteer.auth.models import User
from volunteer.extensions import db
from volunteer.orgs.models import Community, Street, UnitCommunity


def test_admin_creates_streets_and_communities(client, login, admin):
    login(admin)
    assert client.get("/admin/").status_code == 200
    client.post("/admin/streets", data={"name": "虹桥街道"})
    street = db.session.scalar(select(Street))
    assert street.name == "虹桥街道"
    response = client.post("/admin/communities", data={"name": "新西社区",
                                                       "street_id": str(street.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(Community.name)) == "新西社区"
    dup = client.post("/admin/communities", data={"name": "新西社区", "street_id": str(street.id)})
    assert "名称已存在" in dup.get_data(as_text=True)
    listing = client.get("/admin/communities").get_data(as_text=True)
    assert "新西社区" in listing and "虹桥街道" in listing
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == 2


def test_admin_edits_and_links_units(client, login, admin, make_unit, make_community):
    login(admin)
    unit, community = make_unit(), make_community()
    client.post(f"/admin/units/{unit.id}", data={"action": "rename", "name": "南通市第二中学",
                                                 "kind": "school"})
    db.session.expire_all()
    assert unit.name == "南通市第二中学"
    client.post(f"/admin/units/{unit.id}/links", data={"link-community_id": str(community.id)})
    assert db.session.scalar(select(func.count()).select_from(UnitCommunity)) == 1
    page = client.get(f"/admin/units/{unit.id}").get_data(as_text=True)
    assert community.name in page
    client.post(f"/admin/units/{unit.id}/links", data={"link-community_id": str(community.id),
                                                       "action": "unlink"})
    assert db.session.scalar(select(func.count()).select_from(UnitCommunity)) == 0
    assert client.get("/admin/units/99999").status_code == 404


def test_admin_creates_and_disables_staff(client, login, admin, make_community):
    community = make_community()
    login(admin)
    page = client.get("/admin/staff?role=community_secretary").get_data(as_text=True)
    assert community.name in page
    client.post("/admin/staff", data={"action": "create", "role": "community_secretary",
                                      "scope_id": str(community.id), "name": "朱振华",
                                      "phone": "13912340000", "password": "Secretary-1",
                                      "email": ""})
    secretary = db.session.scalar(select(User).where(User.phone == "13912340000"))
    assert secretary.community_id == community.id and secretary.street_id == community.street_id
    client.post(f"/admin/staff/{secretary.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert db.session.get(User, secretary.id).active is False
    refused = client.post("/api/v1/auth/token", json={"phone": "13912340000",
                                                      "password": "Secretary-1"})
    assert refused.status_code == 401
    assert "操作日志" in client.get("/admin/audit").get_data(as_text=True)


def test_staff_page_pagination(client, login, admin, make_staff):
    for _ in range(25):
        make_staff("community_secretary")
    login(admin)
    html = client.get("/admin/staff").get_data(as_text=True)
    assert "第 1 / 2 页" in html
    assert "第 2 / 2 页" in client.get("/admin/staff?page=2").get_data(as_text=True)
