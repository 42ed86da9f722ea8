"""The org admin's pages: a 组织管理员 of 甲镇 sets up orgs, people, posts, mediator files,
trainings and recusals in 甲镇 through the services (audited), and nowhere else; the system
administrator, who manages accounts, cannot (三员分立); the reports follow at once."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import RoleGrant, User
from fengqiao.accounts.tests.factories import UserFactory, grant
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.orgs import services
from fengqiao.orgs.choices import MediatorGrade, PersonRole, Position, TrainingKind
from fengqiao.orgs.models import Membership, Organization, Person
from fengqiao.orgs.tests.factories import kind
from fengqiao.regions.tests.factories import make_region
from fengqiao.web.tests.html import page_text

VALID_ID = "11010519491231002X"


@pytest.fixture
def town_admin(world: Any) -> User:
    """组织管理员 of 甲镇, granted at 甲镇平安办."""
    user = UserFactory(username="orgadmin_a", real_name="甲镇组织管理员")
    grant(user, BuiltinRole.ORG_ADMIN, world.town_a_platform)
    return user


def test_org_admin_creates_a_committee_in_their_township(
    world: Any, town_admin: User, client_for: Any
) -> None:
    client = client_for(town_admin)
    # The org list offers 新建单位 to the org admin
    assert "新建单位" in page_text(client.get("/orgs/"))
    response = client.post(
        "/orgs/new/",
        {
            "name": "东村第二人民调解委员会",
            "code": "",
            "kind": kind("committee_village").pk,
            "region": world.village_east.pk,
            "parent": world.town_a_platform.pk,
            "categories": ["neighbour", "marriage_family"],
            "address": "东村村委会",
        },
    )
    assert response.status_code == 302, page_text(response)
    org = Organization.objects.get(name="东村第二人民调解委员会")
    assert response["Location"] == f"/orgs/{org.pk}/"
    assert org.parent == world.town_a_platform
    assert sorted(org.categories.values_list("category", flat=True)) == [
        "marriage_family",
        "neighbour",
    ]
    event = AuditEvent.objects.get(event_type=EventType.ORG_CREATED, object_id=str(org.pk))
    assert event.actor == town_admin
    text = page_text(client.get(response["Location"]))
    assert "东村第二人民调解委员会" in text
    assert "修改单位" in text


def test_org_admin_cannot_create_or_edit_outside_their_region(
    world: Any, town_admin: User, client_for: Any
) -> None:
    client = client_for(town_admin)
    # 南村 is in 乙镇: it is not even offered, and a forged post is refused by the form
    page = page_text(client.get("/orgs/new/"))
    assert "南村（330199002001）" not in page
    assert "东村（330199001001）" in page
    response = client.post(
        "/orgs/new/",
        {
            "name": "南村新调委会",
            "kind": kind("committee_village").pk,
            "region": world.village_south.pk,
        },
    )
    assert response.status_code == 400
    assert not Organization.objects.filter(name="南村新调委会").exists()
    # 南村's committee cannot be edited, nor its mediator
    assert client.get(f"/orgs/{world.committee_south.pk}/edit/").status_code == 404
    assert client.get(f"/orgs/people/{world.mediator_south_person.pk}/edit/").status_code == 404
    # and the service refuses it whatever the page does
    with pytest.raises(PermissionDenied):
        services.org_create(
            actor=town_admin,
            name="南村新调委会",
            kind=kind("committee_village"),
            region=world.village_south,
        )


@pytest.mark.parametrize("holder", ["system_admin", "security_admin", "dispatcher", "leader"])
def test_only_the_org_admin_role_manages_orgs(
    holder: str, cast: Any, world: Any, client_for: Any
) -> None:
    client = client_for(getattr(cast, holder))
    assert client.get("/orgs/new/").status_code == 403
    assert client.get(f"/orgs/{world.committee_east.pk}/edit/").status_code == 403
    assert client.get("/orgs/people/new/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.person_create(
            actor=getattr(cast, holder), name="某人", gender="M", region=world.village_east
        )


def test_org_admin_edits_an_org_and_names_its_liaison(
    world: Any, town_admin: User, client_for: Any
) -> None:
    org = world.committee_east
    liaison = world.mediator_east_person
    data = {
        "name": "东村人民调解委员会",
        "code": "",
        "kind": org.kind_id,
        "region": org.region_id,
        "parent": world.town_a_platform.pk,
        "categories": ["forest_land"],
        "address": "东村1组",
        "liaison": liaison.pk,
        "paired": [world.tribunal_a.pk],  # kept as the form shows it (法庭与村结对)
        "is_active": "on",
    }
    response = client_for(town_admin).post(f"/orgs/{org.pk}/edit/", data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.liaison, org.parent, org.address) == (liaison, world.town_a_platform, "东村1组")
    event = AuditEvent.objects.get(event_type=EventType.ORG_UPDATED, object_id=str(org.pk))
    assert event.after["address"] == "东村1组"
    # An org cannot be its own parent's parent
    response = client_for(town_admin).post(
        f"/orgs/{world.town_a_platform.pk}/edit/",
        {
            "name": "甲镇平安办",
            "kind": world.town_a_platform.kind_id,
            "region": world.town_a.pk,
            "parent": org.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 400
    assert "上级单位不能是本单位或其下级单位" in page_text(response)


def test_a_liaison_must_serve_in_the_org(world: Any, town_admin: User) -> None:
    with pytest.raises(services.OrgRuleError, match="联络员须为本单位在职人员"):
        services.org_update(
            actor=town_admin,
            org=world.committee_east,
            name="东村人民调解委员会",
            kind=world.committee_east.kind,
            region=world.village_east,
            parent=None,
            categories=[],
            liaison=world.mediator_west_person,
        )


def test_registering_a_mediator_with_a_post_updates_the_reports_at_once(
    world: Any, town_admin: User, client_for: Any
) -> None:
    client = client_for(town_admin)
    before = page_text(client.get("/orgs/reports/?report=staffing"))
    response = client.post(
        f"/orgs/people/new/?org={world.committee_east.pk}",
        {
            "name": "王调解",
            "gender": "F",
            "region": world.village_east.pk,
            "id_number": VALID_ID,
            "phone": "13912345678",
            "background": "retired_officer",
            "is_party_member": "on",
            "volunteer_kind": "five_elders",
            "org": world.committee_east.pk,
            "role": PersonRole.MEDIATOR,
            "position": Position.MEMBER,
            "is_full_time": "on",
        },
    )
    person = Person.objects.get(name="王调解")
    assert response["Location"] == f"/orgs/people/{person.pk}/"
    assert person.id_number == VALID_ID
    assert person.birth_year == 1949
    assert person.is_party_member
    membership = Membership.objects.get(person=person)
    assert (membership.org, membership.is_full_time) == (world.committee_east, True)
    # No personal data in the audit log
    created = AuditEvent.objects.get(event_type=EventType.PERSON_CREATED, object_id=str(person.pk))
    assert VALID_ID not in str(created.after)
    assert "13912345678" not in str(created.after)
    # The committee now has 2 members, 1 woman; the roster lists her
    roster = page_text(client.get("/orgs/roster/"))
    assert "王调解" in roster
    after = page_text(client.get("/orgs/reports/?report=composition"))
    assert "东村人民调解委员会" in after
    assert before != page_text(client.get("/orgs/reports/?report=staffing"))


def test_person_form_reports_bad_input_in_chinese(
    world: Any, town_admin: User, client_for: Any
) -> None:
    response = client_for(town_admin).post(
        "/orgs/people/new/",
        {
            "name": "李四",
            "gender": "M",
            "region": world.village_east.pk,
            "id_number": "110105194912310021",
            "phone": "12345",
            "background": "other",
            "org": world.committee_east.pk,
        },
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "身份证号校验位不正确" in text
    assert "请输入11位手机号码" in text
    assert "登记任职须同时选择任职单位和角色" in text
    assert not Person.objects.filter(name="李四").exists()


def test_profile_training_recusal_and_the_end_of_a_post(
    world: Any, town_admin: User, client_for: Any
) -> None:
    client = client_for(town_admin)
    person = world.mediator_east_person
    page = page_text(client.get(f"/orgs/people/{person.pk}/"))
    for button in ("修改人员", "登记任职", "调解员档案", "登记培训", "回避声明", "离任"):
        assert button in page
    response = client.post(
        f"/orgs/people/{person.pk}/profile/",
        {
            "specialties": ["forest_land", "neighbour"],
            "grade": MediatorGrade.SENIOR,
            "stars": "4",
            "studio_name": "老王调解工作室",
        },
    )
    assert response.status_code == 302
    profile = person.mediator_profile
    assert (profile.grade, profile.stars, profile.studio_name) == (
        MediatorGrade.SENIOR,
        4,
        "老王调解工作室",
    )
    assert sorted(profile.specialties.values_list("category", flat=True)) == [
        "forest_land",
        "neighbour",
    ]
    response = client.post(
        f"/orgs/people/{person.pk}/trainings/new/",
        {
            "held_on": "2026-03-02",
            "kind": TrainingKind.PRACTICAL,
            "title": "调解实务",
            "hours": "4",
        },
    )
    assert response.status_code == 302
    assert person.trainings.get().title == "调解实务"
    # A training in the future is refused
    response = client.post(
        f"/orgs/people/{person.pk}/trainings/new/",
        {"held_on": "2999-03-02", "kind": TrainingKind.PRACTICAL, "title": "未来", "hours": "1"},
    )
    assert response.status_code == 400
    assert "日期不能晚于今天" in page_text(response)
    response = client.post(
        f"/orgs/people/{person.pk}/recusals/new/",
        {"subject_name": "王某", "relation": "表兄弟"},
    )
    assert response.status_code == 302
    assert person.recusals.get().relation == "表兄弟"
    membership = person.memberships.get()
    response = client.post(
        f"/orgs/memberships/{membership.pk}/edit/", {"position": Position.DEPUTY}
    )
    membership.refresh_from_db()
    assert (membership.position, membership.is_full_time) == (Position.DEPUTY, False)
    # An end before the start is refused, nothing saved
    early = (membership.started_on - timedelta(days=1)).isoformat()
    response = client.post(f"/orgs/memberships/{membership.pk}/end/", {"ended_on": early})
    assert response.status_code == 400
    assert "离任日期不能早于任职日期" in page_text(response)
    today = timezone.localdate()
    response = client.post(f"/orgs/memberships/{membership.pk}/end/", {"ended_on": today})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_on == today
    assert AuditEvent.objects.filter(
        event_type=EventType.MEMBERSHIP_ENDED, actor=town_admin
    ).exists()
    # Gone from the committee's members and from the roster at once
    assert "已登记离任" in page_text(client.get(response["Location"]))
    assert person.name not in page_text(client.get(f"/orgs/{world.committee_east.pk}/"))
    assert person.name not in page_text(client.get("/orgs/roster/"))


def test_create_admin_accounts_makes_the_first_accounts_and_the_county_platform(db: None) -> None:
    county = make_region("990102000000", "示例区")
    out = StringIO()
    call_command("create_admin_accounts", "--region", county.code, stdout=out)
    platform = Organization.objects.get(region=county)
    assert platform.name == "示例区综治中心"
    codes = dict(RoleGrant.objects.values_list("user__username", "role__code"))
    assert codes == {
        "sysadmin": BuiltinRole.SYSTEM_ADMIN,
        "secadmin": BuiltinRole.SECURITY_ADMIN,
        "auditor": BuiltinRole.AUDITOR,
        "orgadmin": BuiltinRole.ORG_ADMIN,
    }
    assert RoleGrant.objects.get(user__username="orgadmin").org == platform
    lines = out.getvalue().splitlines()
    orgadmin_line = next(line for line in lines if line.startswith("orgadmin"))
    password = orgadmin_line.split("\t")[2]
    user = User.objects.get(username="orgadmin")
    assert user.check_password(password)
    assert user.must_change_password
    # Run again: nothing is duplicated or reset
    out = StringIO()
    call_command("create_admin_accounts", "--region", county.code, stdout=out)
    assert "已存在" in out.getvalue()
    assert Organization.objects.filter(region=county).count() == 1
    assert user.check_password(password)


def test_org_admin_links_a_person_to_their_login(
    cast: Any, world: Any, town_admin: User, client_for: Any
) -> None:
    person = world.mediator_west_person
    person.user = None
    person.save(update_fields=["user"])
    account = UserFactory(username="xicun_tiaojie")
    data = {
        "name": person.name,
        "gender": person.gender,
        "region": person.region_id,
        "background": person.background,
        "username": "xicun_tiaojie",
    }
    client = client_for(town_admin)
    response = client.post(f"/orgs/people/{person.pk}/edit/", data)
    assert response.status_code == 302, page_text(response)
    person.refresh_from_db()
    assert person.user == account
    event = AuditEvent.objects.filter(
        event_type=EventType.PERSON_UPDATED, object_id=str(person.pk)
    ).latest("pk")
    assert event.after == {"user": "xicun_tiaojie"}
    assert "xicun_tiaojie" in page_text(client.get(f"/orgs/people/{person.pk}/"))
    # A login already linked to someone else is refused, and an unknown name too
    response = client.post(
        f"/orgs/people/{world.mediator_east_person.pk}/edit/",
        {**data, "name": world.mediator_east_person.name, "region": world.village_east.pk},
    )
    assert response.status_code == 400
    assert "已关联人员" in page_text(response)
    response = client.post(f"/orgs/people/{person.pk}/edit/", {**data, "username": "nobody"})
    assert "没有这个用户名的在用账户" in page_text(response)
    # Emptying the field unlinks
    client.post(f"/orgs/people/{person.pk}/edit/", {**data, "username": ""})
    person.refresh_from_db()
    assert person.user is None


def test_grids_of_a_mediator_and_the_orgs_a_tribunal_is_paired_with(
    world: Any, town_admin: User, client_for: Any
) -> None:
    grid = make_region("330199001001001", "东村一网格", world.village_east)
    client = client_for(town_admin)
    person = world.mediator_east_person
    response = client.post(
        f"/orgs/people/{person.pk}/profile/",
        {"grade": MediatorGrade.JUNIOR, "stars": "1", "grids": [grid.pk]},
    )
    assert response.status_code == 302, page_text(response)
    assert list(person.mediator_profile.grids.all()) == [grid]
    assert "东村一网格" in page_text(client.get(f"/orgs/people/{person.pk}/"))
    tribunal = world.tribunal_a
    response = client.post(
        f"/orgs/{tribunal.pk}/edit/",
        {
            "name": tribunal.name,
            "kind": tribunal.kind_id,
            "region": tribunal.region_id,
            "is_active": "on",
            "paired": [world.committee_east.pk, world.committee_west.pk],
        },
    )
    assert response.status_code == 302, page_text(response)
    assert set(tribunal.paired_orgs.all()) == {world.committee_east, world.committee_west}
    # Symmetric: the committee's page names the tribunal
    assert tribunal.name in page_text(client.get(f"/orgs/{world.committee_east.pk}/"))
    assert AuditEvent.objects.filter(
        event_type=EventType.ORG_UPDATED, object_id=str(tribunal.pk), actor=town_admin
    ).exists()


def test_the_org_admin_lands_on_their_setup_shortcuts(
    cast: Any, town_admin: User, client_for: Any
) -> None:
    text = page_text(client_for(town_admin).get("/"))
    for label in ("新建单位", "登记人员", "批量导入单位和名册", "专职调解员缺口"):
        assert label in text
    assert "批量导入单位和名册" not in page_text(client_for(cast.leader).get("/"))


def test_one_person_per_id_number(world: Any, town_admin: User, client_for: Any) -> None:
    services.person_create(
        actor=town_admin, name="王五", gender="M", region=world.village_east, id_number=VALID_ID
    )
    response = client_for(town_admin).post(
        "/orgs/people/new/",
        {
            "name": "王五（重复）",
            "gender": "M",
            "region": world.village_east.pk,
            "id_number": VALID_ID,
            "background": "other",
            "position": "member",
        },
    )
    assert response.status_code == 400
    assert "该身份证号已登记为人员“王五”" in page_text(response)
    assert not Person.objects.filter(name="王五（重复）").exists()
