"""User, role and grant administration: who may do each write (三员分立), what each write leaves
in the audit log, and the policy the services hold to."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from fengqiao.accounts import services
from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import Role, RoleGrant, User
from fengqiao.accounts.roles import is_case_data_permission
from fengqiao.accounts.tests.factories import PASSWORD, UserFactory, grant
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.web.tests.html import page_text

CAST = [
    "mediator_east",
    "mediator_west",
    "dispatcher",
    "court_clerk",
    "leader",
    "system_admin",
    "security_admin",
    "auditor",
    "citizen",
    "outsider",
    None,
]


def _role(code: str) -> Role:
    return Role.objects.get(code=code)


def _perm(code: str) -> Permission:
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def target(world: Any) -> User:
    """An ordinary account the admins work on, holding a mediator role in 西村."""
    user: User = UserFactory(username="target", real_name="对象用户", phone="13700001111")
    grant(user, BuiltinRole.MEDIATOR, world.committee_west)
    return user


# --- Who may do each write -----------------------------------------------------------------------

# name → (url, form data, the one role allowed, the audit event it writes)
WRITES: dict[str, tuple[str, dict[str, Any], str, str]] = {
    "create user": (
        "/accounts/users/new/",
        {"username": "newbie", "real_name": "新用户", "password": PASSWORD},
        "system_admin",
        EventType.USER_CREATED,
    ),
    "edit user": (
        "/accounts/users/{target}/edit/",
        {"real_name": "改名用户", "phone": "", "is_active": "on"},
        "system_admin",
        EventType.USER_UPDATED,
    ),
    "reset password": (
        "/accounts/users/{target}/password/",
        {},
        "system_admin",
        EventType.PASSWORD_RESET,
    ),
    "unlock": ("/accounts/users/{target}/unlock/", {}, "system_admin", EventType.ACCOUNT_UNLOCKED),
    "grant role": (
        "/accounts/users/{target}/grants/",
        {"role": "{leader_role}", "org": "{county_platform}"},
        "security_admin",
        EventType.ROLE_GRANTED,
    ),
    "revoke role": (
        "/accounts/users/{target}/grants/{target_grant}/revoke/",
        {},
        "security_admin",
        EventType.ROLE_REVOKED,
    ),
    "edit role": (
        "/accounts/roles/{leader_role}/",
        {"permissions": ["{view_region}"]},
        "security_admin",
        EventType.ROLE_CHANGED,
    ),
}


def _fill(value: Any, places: dict[str, Any]) -> Any:
    if isinstance(value, list):
        return [_fill(v, places) for v in value]
    return value.format(**places) if isinstance(value, str) else value


@pytest.mark.parametrize("who", CAST, ids=lambda w: w or "anonymous")
@pytest.mark.parametrize("write", WRITES)
def test_each_write_is_open_to_exactly_one_admin_role(
    write: str, who: str | None, cast: Any, world: Any, target: User, client_for: Any
) -> None:
    url, data, allowed, event = WRITES[write]
    User.objects.filter(pk=target.pk).update(
        locked_until=timezone.now() + timedelta(minutes=10), failed_login_count=0
    )
    places = {
        "target": target.pk,
        "target_grant": target.role_grants.get().pk,
        "leader_role": _role(BuiltinRole.LEADER).pk,
        "county_platform": world.county_platform.pk,
        "view_region": _perm("regions.view_region").pk,
    }
    client: Client = client_for(getattr(cast, who) if who else None)
    response = client.post(url.format(**places), {k: _fill(v, places) for k, v in data.items()})
    if who is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif who == allowed:
        # a reset answers with the page showing the first half of its code, the rest redirect
        assert response.status_code == (200 if event == EventType.PASSWORD_RESET else 302)
    else:
        assert response.status_code == 403
    written = AuditEvent.objects.filter(event_type=event)
    assert written.count() == (1 if who == allowed else 0)
    if who == allowed:
        assert written.get().actor == getattr(cast, who)


# --- The system admin: accounts -------------------------------------------------------------------


def test_system_admin_cannot_open_the_audit_log_or_grant_roles(
    cast: Any, target: User, client_for: Any
) -> None:
    admin = client_for(cast.system_admin)
    assert admin.get("/audit/").status_code == 403
    assert admin.post("/audit/verify/").status_code == 403
    assert admin.get("/accounts/roles/").status_code == 403
    page = page_text(admin.get(f"/accounts/users/{target.pk}/"))
    assert "基本信息" in page
    assert "重置密码" in page
    assert "授予" not in page
    assert "撤销" not in page


def test_system_admin_edits_an_account(cast: Any, target: User, client_for: Any) -> None:
    admin = client_for(cast.system_admin)
    response = admin.post(
        f"/accounts/users/{target.pk}/edit/",
        {"real_name": "新名字", "phone": "13700002222", "is_active": ""},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.real_name, target.phone, target.is_active) == ("新名字", "13700002222", False)
    event = AuditEvent.objects.get(event_type=EventType.USER_UPDATED)
    assert event.after == {"real_name": "新名字", "phone_changed": True, "is_active": False}
    assert "13700002222" not in str(event.before) + str(event.after)
    # saving the same values again writes nothing
    admin.post(
        f"/accounts/users/{target.pk}/edit/",
        {"real_name": "新名字", "phone": "13700002222", "is_active": ""},
    )
    assert AuditEvent.objects.filter(event_type=EventType.USER_UPDATED).count() == 1


def test_invalid_edit_is_shown_with_chinese_errors(
    cast: Any, target: User, client_for: Any
) -> None:
    response = client_for(cast.system_admin).post(
        f"/accounts/users/{target.pk}/edit/", {"real_name": "", "phone": "123"}
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "请输入11位手机号码" in text
    assert "这个字段是必填项" in text


def test_a_refused_reset_keeps_the_account_form_filled_in(
    cast: Any, target: User, client_for: Any
) -> None:
    # A reset the policy refuses (the security admin's account)…
    grant(target, BuiltinRole.SECURITY_ADMIN)
    response = client_for(cast.system_admin).post(f"/accounts/users/{target.pk}/password/")
    assert response.status_code == 400
    assert "三员分立" in page_text(response)
    # …and the account form next to it still shows the account as it is, so saving it does
    # not switch the account off or wipe its phone number
    edit_form = response.context["edit_form"]
    assert edit_form.initial["is_active"] is True
    assert edit_form.initial["phone"] == "13700001111"
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(event_type=EventType.PASSWORD_RESET).exists()


def test_admin_reset_hands_the_admin_no_password(cast: Any, target: User, client_for: Any) -> None:
    response = client_for(cast.system_admin).post(f"/accounts/users/{target.pk}/password/")
    assert "重置码第一段" in page_text(response)
    target.refresh_from_db()
    assert not target.has_usable_password()
    # the user page now says a reset is pending
    page = client_for(cast.system_admin).get(f"/accounts/users/{target.pk}/")
    assert "已于" in page_text(page)
    assert "第二段尚未生成" in page_text(page)


def test_admin_unlock_lets_the_user_in_again(cast: Any, target: User, settings: Any) -> None:
    # The account is locked when its name reaches the limit across all addresses (lowered
    # here to the per-address one, so five failures lock both).
    settings.FENGQIAO_LOGIN_MAX_FAILURES_PER_NAME = 5
    client = Client()
    for _attempt in range(5):
        client.post("/accounts/login/", {"username": "target", "password": "Wrong-Passw0rd!"})
    target.refresh_from_db()
    assert target.is_locked()
    admin = Client()
    admin.force_login(cast.system_admin)
    assert "已锁定" in page_text(admin.get("/accounts/users/"))
    assert admin.post(f"/accounts/users/{target.pk}/unlock/").status_code == 302
    target.refresh_from_db()
    assert not target.is_locked()
    event = AuditEvent.objects.get(event_type=EventType.ACCOUNT_UNLOCKED)
    assert event.actor == cast.system_admin
    response = client.post("/accounts/login/", {"username": "target", "password": PASSWORD})
    assert response.status_code == 302


def test_admin_unlock_lifts_a_lock_on_one_address_too(cast: Any, target: User) -> None:
    client = Client()
    for _attempt in range(5):
        client.post("/accounts/login/", {"username": "target", "password": "Wrong-Passw0rd!"})
    admin = Client()
    admin.force_login(cast.system_admin)
    assert "登录受限" in page_text(admin.get(f"/accounts/users/{target.pk}/"))
    assert admin.post(f"/accounts/users/{target.pk}/unlock/").status_code == 302
    assert AuditEvent.objects.filter(event_type=EventType.ACCOUNT_UNLOCKED).count() == 1
    response = client.post("/accounts/login/", {"username": "target", "password": PASSWORD})
    assert response.status_code == 302


def test_unlocking_an_unlocked_account_writes_nothing(
    cast: Any, target: User, client_for: Any
) -> None:
    client_for(cast.system_admin).post(f"/accounts/users/{target.pk}/unlock/")
    assert not AuditEvent.objects.filter(event_type=EventType.ACCOUNT_UNLOCKED).exists()


def test_new_user_with_a_weak_or_taken_name_is_refused(cast: Any, client_for: Any) -> None:
    admin = client_for(cast.system_admin)
    weak = admin.post(
        "/accounts/users/new/", {"username": "weak", "real_name": "弱", "password": "abcdefghijkl"}
    )
    assert "至少三类" in page_text(weak)
    taken = admin.post(
        "/accounts/users/new/", {"username": "LEADER", "real_name": "重名", "password": PASSWORD}
    )
    assert "该用户名已被使用" in page_text(taken)
    assert not User.objects.filter(username__in=["weak", "LEADER"]).exists()
    assert not AuditEvent.objects.filter(event_type=EventType.USER_CREATED).exists()


def test_user_list_search(cast: Any, target: User, client_for: Any) -> None:
    response = client_for(cast.system_admin).get("/accounts/users/?q=对象")
    assert [u.username for u in response.context["page_obj"]] == ["target"]
    # the list masks phone numbers
    text = page_text(response)
    assert "137****1111" in text
    assert "13700001111" not in text


# --- The security admin: roles and grants ------------------------------------------------------


def test_security_admin_sees_grants_but_no_account_forms(
    cast: Any, target: User, client_for: Any
) -> None:
    client = client_for(cast.security_admin)
    listing = client.get("/accounts/users/")
    assert listing.status_code == 200
    assert "新建用户" not in page_text(listing)
    response = client.get(f"/accounts/users/{target.pk}/")
    text = page_text(response)
    assert "人民调解员 · 西村人民调解委员会" in text
    assert "授予" in text
    assert "重置密码" not in text
    assert "基本信息" not in text
    # nor are the account forms (with the decrypted phone number) built for them
    assert "edit_form" not in response.context
    assert "reset_form" not in response.context
    assert "13700001111" not in response.content.decode()


def test_security_admin_grants_and_revokes(
    cast: Any, world: Any, target: User, client_for: Any
) -> None:
    client = client_for(cast.security_admin)
    response = client.post(
        f"/accounts/users/{target.pk}/grants/",
        {"role": _role(BuiltinRole.LEADER).pk, "org": world.county_platform.pk},
    )
    assert response.status_code == 302
    new = RoleGrant.objects.get(user=target, role__code=BuiltinRole.LEADER)
    assert new.granted_by == cast.security_admin
    # the grant takes effect at once: the target now sees the county's reports
    assert client_for(target).get("/orgs/reports/").status_code == 200
    client.post(f"/accounts/users/{target.pk}/grants/{new.pk}/revoke/")
    assert not RoleGrant.objects.filter(pk=new.pk).exists()
    assert client_for(target).get("/orgs/reports/").status_code == 403
    granted = AuditEvent.objects.get(event_type=EventType.ROLE_GRANTED)
    assert granted.after == {"role": "leader", "org": world.county_platform.pk}
    revoked = AuditEvent.objects.get(event_type=EventType.ROLE_REVOKED)
    assert revoked.before == {"role": "leader", "org": world.county_platform.pk}


def test_granting_the_same_role_twice_writes_once(
    cast: Any, world: Any, target: User, client_for: Any
) -> None:
    client = client_for(cast.security_admin)
    data = {"role": _role(BuiltinRole.MEDIATOR).pk, "org": world.committee_west.pk}
    client.post(f"/accounts/users/{target.pk}/grants/", data)
    assert target.role_grants.count() == 1
    assert not AuditEvent.objects.filter(event_type=EventType.ROLE_GRANTED).exists()


def test_region_role_needs_an_org(cast: Any, target: User, client_for: Any) -> None:
    client = client_for(cast.security_admin)
    response = client.post(
        f"/accounts/users/{target.pk}/grants/", {"role": _role(BuiltinRole.LEADER).pk}, follow=True
    )
    assert "必须选择所在单位" in page_text(response)
    assert target.role_grants.count() == 1


def test_revoking_a_grant_of_another_user_is_404(cast: Any, target: User, client_for: Any) -> None:
    other_grant = cast.leader.role_grants.get()
    url = f"/accounts/users/{target.pk}/grants/{other_grant.pk}/revoke/"
    assert client_for(cast.security_admin).post(url).status_code == 404
    assert RoleGrant.objects.filter(pk=other_grant.pk).exists()


# 三员分立


def test_nobody_changes_their_own_roles(cast: Any, client_for: Any) -> None:
    client = client_for(cast.security_admin)
    page = page_text(client.get(f"/accounts/users/{cast.security_admin.pk}/"))
    assert "不能为自己授予或撤销角色" in page
    response = client.post(
        f"/accounts/users/{cast.security_admin.pk}/grants/",
        {"role": _role(BuiltinRole.AUDITOR).pk},
        follow=True,
    )
    assert "不能为自己授予或撤销角色" in page_text(response)
    own = cast.security_admin.role_grants.get()
    client.post(f"/accounts/users/{cast.security_admin.pk}/grants/{own.pk}/revoke/")
    assert list(cast.security_admin.role_grants.values_list("role__code", flat=True)) == [
        "security_admin"
    ]
    assert not AuditEvent.objects.filter(
        event_type__in=[EventType.ROLE_GRANTED, EventType.ROLE_REVOKED]
    ).exists()


@pytest.mark.parametrize(
    ("holder", "role"),
    [
        ("system_admin", BuiltinRole.AUDITOR),
        ("auditor", BuiltinRole.SECURITY_ADMIN),
        ("auditor", BuiltinRole.LEADER),
        ("leader", BuiltinRole.SYSTEM_ADMIN),
    ],
)
def test_admin_roles_are_held_by_dedicated_accounts(
    holder: str, role: str, cast: Any, world: Any, client_for: Any
) -> None:
    user = getattr(cast, holder)
    response = client_for(cast.security_admin).post(
        f"/accounts/users/{user.pk}/grants/",
        {"role": _role(role).pk, "org": world.county_platform.pk},
        follow=True,
    )
    assert "三员分立" in page_text(response)
    assert user.role_grants.count() == 1


def test_first_grant_of_a_bootstrap_account_may_be_self_recorded(world: Any) -> None:
    # seed commands create the first security admin with itself as the recorded actor
    first = UserFactory(username="first_secadmin")
    services.role_grant(actor=first, user=first, role=_role(BuiltinRole.SECURITY_ADMIN), org=None)
    with pytest.raises(services.AccessPolicyError):
        services.role_grant(
            actor=first, user=first, role=_role(BuiltinRole.LEADER), org=world.county_platform
        )


def test_role_page_names_django_default_permissions_in_chinese(cast: Any, client_for: Any) -> None:
    role = _role(BuiltinRole.SYSTEM_ADMIN)
    text = page_text(client_for(cast.security_admin).get(f"/accounts/roles/{role.pk}/"))
    assert "修改节假日调整" in text
    assert "新增属事规则" in text
    assert "Can change" not in text


def test_security_admin_edits_a_role(cast: Any, client_for: Any) -> None:
    leader_role = _role(BuiltinRole.LEADER)
    client = client_for(cast.security_admin)
    page = client.get(f"/accounts/roles/{leader_role.pk}/")
    text = page_text(page)
    # labels are Chinese, grouped by app
    assert "查看队伍建设报表" in text
    assert "组织与人员" in text
    # nothing on the page edits the append-only audit log
    assert "audit.change_auditevent" not in text
    assert "audit.delete_auditevent" not in text
    # the case permissions the role holds are shown, so saving the page keeps them
    assert "disputes.view_case" in text
    kept = [p for p in leader_role.permissions.all() if p.codename != "export_reports"]
    response = client.post(
        f"/accounts/roles/{leader_role.pk}/", {"permissions": [p.pk for p in kept]}
    )
    assert response.status_code == 302
    codes = set(leader_role.permissions.values_list("codename", flat=True))
    assert "export_reports" not in codes
    assert "view_case" in codes
    event = AuditEvent.objects.get(event_type=EventType.ROLE_CHANGED)
    assert "orgs.export_reports" in event.before["permissions"]
    assert "orgs.export_reports" not in event.after["permissions"]
    # and it takes effect: the leader can no longer export
    assert client_for(cast.leader).get("/orgs/reports/?format=xlsx").status_code == 403


def test_role_edit_ignores_junk_and_unlisted_permissions(cast: Any, client_for: Any) -> None:
    mediator_role = _role(BuiltinRole.MEDIATOR)
    before = set(mediator_role.permissions.values_list("pk", flat=True))
    audit_delete = _perm("audit.delete_auditevent")
    response = client_for(cast.security_admin).post(
        f"/accounts/roles/{mediator_role.pk}/",
        {"permissions": [*before, "abc", "", audit_delete.pk]},
    )
    assert response.status_code == 302
    assert set(mediator_role.permissions.values_list("pk", flat=True)) == before


@pytest.mark.parametrize(
    ("role", "perm", "message"),
    [
        (BuiltinRole.MEDIATOR, "audit.view_auditevent", "只属于"),
        (BuiltinRole.LEADER, "accounts.manage_accounts", "只属于"),
        (BuiltinRole.SECURITY_ADMIN, "audit.view_auditevent", "只属于"),
        (BuiltinRole.SYSTEM_ADMIN, "disputes.view_case", "案件数据"),
        (BuiltinRole.AUDITOR, "orgs.view_person", "共用"),
    ],
)
def test_role_edit_keeps_the_three_admins_apart(
    role: str, perm: str, message: str, cast: Any, client_for: Any
) -> None:
    target_role = _role(role)
    before = set(target_role.permissions.values_list("pk", flat=True))
    response = client_for(cast.security_admin).post(
        f"/accounts/roles/{target_role.pk}/", {"permissions": [*before, _perm(perm).pk]}
    )
    assert response.status_code == 400
    assert message in page_text(response)
    assert set(target_role.permissions.values_list("pk", flat=True)) == before
    assert not AuditEvent.objects.filter(event_type=EventType.ROLE_CHANGED).exists()


def test_builtin_admin_roles_hold_disjoint_permissions(db: None) -> None:
    admin_roles = Role.objects.filter(
        code__in=[BuiltinRole.SYSTEM_ADMIN, BuiltinRole.SECURITY_ADMIN, BuiltinRole.AUDITOR]
    )
    held = [set(r.permissions.values_list("pk", flat=True)) for r in admin_roles]
    assert len(held) == 3
    assert not held[0] & held[1]
    assert not held[0] & held[2]
    assert not held[1] & held[2]
    for role in admin_roles:
        held_types = role.permissions.values_list("content_type__app_label", "content_type__model")
        assert not [t for t in held_types if is_case_data_permission(*t)], role.code


def test_a_phone_typed_with_spaces_and_full_width_digits_is_accepted(
    cast: Any, target: User, client_for: Any
) -> None:
    # The same phone check as every other form (core.validators): +86, spaces, full width.
    response = client_for(cast.system_admin).post(
        f"/accounts/users/{target.pk}/edit/",
        {"real_name": "张三", "phone": "+86 １３９ 1234 5678", "is_active": "on"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.phone == "13912345678"
