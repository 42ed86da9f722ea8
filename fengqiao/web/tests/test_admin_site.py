from __future__ import annotations

from typing import Any

from django.test import Client


def test_system_admin_manages_reference_data_in_the_admin(client: Client, cast: Any) -> None:
    client.force_login(cast.system_admin)
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/orgs/orgkind/")
    assert page.status_code == 200
    assert "行业性专业性人民调解委员会" in page.content.decode()


def test_case_roles_and_auditor_are_kept_out_of_the_admin(client: Client, cast: Any) -> None:
    for user in (cast.mediator_east, cast.dispatcher, cast.leader, cast.auditor, cast.outsider):
        client.force_login(user)
        response = client.get("/admin/orgs/orgkind/")
        assert response.status_code == 302, user.username
        assert "/admin/login/" in response["Location"]


def test_admin_login_goes_through_the_platform_login(client: Client, db: None) -> None:
    response = client.get("/admin/login/?next=/admin/orgs/orgkind/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_system_admin_edits_routing_rules_and_holiday_overrides(client: Client, cast: Any) -> None:
    client.force_login(cast.system_admin)
    for url in [
        "/admin/disputes/territoryrule/",
        "/admin/disputes/subjectrule/",
        "/admin/disputes/calendaroverride/",
        "/admin/disputes/calendaroverride/add/",
    ]:
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/disputes/calendaroverride/add/",
        {"day": "2027-02-06", "is_workday": "on", "note": "2027年春节调休"},
    )
    assert response.status_code == 302
    from datetime import date

    from fengqiao.disputes.deadlines import is_workday

    assert is_workday(date(2027, 2, 6))


def test_text_typed_in_the_admin_is_checked_like_every_form(client: Client, cast: Any) -> None:
    # given the system admin adding a holiday override whose note carries an escape character
    from fengqiao.disputes.models import CalendarOverride

    client.force_login(cast.system_admin)
    response = client.post(
        "/admin/disputes/calendaroverride/add/",
        {"day": "2027-02-07", "is_workday": "on", "note": "调休\x1b[2J说明"},
    )

    # then the form answers in Chinese and nothing is stored (a terminal reading the export or
    # the log would run it)
    assert response.status_code == 200
    assert "控制字符" in response.content.decode()
    assert not CalendarOverride.objects.filter(note__contains="调休").exists()
