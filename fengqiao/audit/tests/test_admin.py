"""Edits of reference data in the Django admin are audit events with the values before and
after, like every other write of the platform."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Permission

from fengqiao.accounts.models import Role
from fengqiao.accounts.tests.factories import grant
from fengqiao.audit.admin import AuditedModelAdmin
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_seal, audit_verify
from fengqiao.disputes.models import CalendarOverride, SubjectRule, TerritoryRule
from fengqiao.web.tests.html import page_text


def _events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("id"))


def _may_delete_overrides(user: Any) -> None:
    role = Role.objects.create(code="holiday_keeper", name="节假日维护", scope="all")
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="disputes",
            codename__in=["view_calendaroverride", "delete_calendaroverride"],
        )
    )
    grant(user, "holiday_keeper")


def test_adding_a_holiday_override_is_audited_with_its_values(cast: Any, client_for: Any) -> None:
    response = client_for(cast.system_admin).post(
        "/admin/disputes/calendaroverride/add/",
        {"day": "2027-02-06", "is_workday": "on", "note": "2027年春节调休"},
    )
    assert response.status_code == 302
    [event] = _events(EventType.REFERENCE_ADDED)
    override = CalendarOverride.objects.get(day="2027-02-06")
    assert event.actor == cast.system_admin
    assert (event.object_type, event.object_id) == ("disputes.calendaroverride", str(override.pk))
    assert event.object_repr == "2027-02-06 班"
    assert event.before is None
    assert event.after == {"day": "2027-02-06", "is_workday": True, "note": "2027年春节调休"}


def test_changing_a_subject_rule_records_only_what_changed(cast: Any, client_for: Any) -> None:
    rule = SubjectRule.objects.filter(weight=60, is_active=True).first()
    assert rule is not None
    response = client_for(cast.system_admin).post(
        f"/admin/disputes/subjectrule/{rule.pk}/change/",
        {
            "category": rule.category,
            "kind": rule.kind_id,
            "requires_declared": "on" if rule.requires_declared else "",
            "weight": "80",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.weight == 80
    [event] = _events(EventType.REFERENCE_CHANGED)
    assert event.actor == cast.system_admin
    assert event.object_id == str(rule.pk)
    assert event.before == {"weight": 60}
    assert event.after == {"weight": 80}


def test_saving_a_form_that_changes_nothing_writes_no_event(cast: Any, client_for: Any) -> None:
    override = CalendarOverride.objects.create(day="2027-10-09", is_workday=True, note="调休")
    response = client_for(cast.system_admin).post(
        f"/admin/disputes/calendaroverride/{override.pk}/change/",
        {"day": "2027-10-09", "is_workday": "on", "note": "调休"},
    )
    assert response.status_code == 302
    assert _events(EventType.REFERENCE_CHANGED) == []


def test_editing_in_the_list_is_audited_row_by_row(cast: Any, client_for: Any) -> None:
    rules = list(TerritoryRule.objects.order_by("-min_level", "grade"))
    data: dict[str, Any] = {
        "form-TOTAL_FORMS": str(len(rules)),
        "form-INITIAL_FORMS": str(len(rules)),
        "_save": "保存",
    }
    for i, rule in enumerate(rules):
        data[f"form-{i}-id"] = rule.pk
        data[f"form-{i}-min_level"] = rule.min_level
        data[f"form-{i}-note"] = rule.note
    low = next(i for i, r in enumerate(rules) if r.grade == "low")
    data[f"form-{low}-min_level"] = 4  # 低风险 from village up to township
    data[f"form-{low}-note"] = "试行：低风险由乡镇承办"
    response = client_for(cast.system_admin).post("/admin/disputes/territoryrule/", data)
    assert response.status_code == 302
    [event] = _events(EventType.REFERENCE_CHANGED)
    assert event.object_id == str(rules[low].pk)
    assert event.before == {"min_level": 5, "note": rules[low].note}
    assert event.after == {"min_level": 4, "note": "试行：低风险由乡镇承办"}


def test_deleting_in_the_admin_is_audited_with_the_values_deleted(
    cast: Any, client_for: Any
) -> None:
    _may_delete_overrides(cast.system_admin)
    one = CalendarOverride.objects.create(day="2027-05-01", is_workday=False, note="劳动节")
    two = CalendarOverride.objects.create(day="2027-05-02", is_workday=False, note="劳动节")
    three = CalendarOverride.objects.create(day="2027-05-03", is_workday=False, note="劳动节")
    client = client_for(cast.system_admin)
    response = client.post(f"/admin/disputes/calendaroverride/{one.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    response = client.post(
        "/admin/disputes/calendaroverride/",
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not CalendarOverride.objects.filter(day__month=5, day__year=2027).exists()
    events = _events(EventType.REFERENCE_DELETED)
    assert [e.object_id for e in events] == [str(one.pk), str(two.pk), str(three.pk)]
    assert events[0].object_repr == "2027-05-01 休"
    assert events[0].before == {"day": "2027-05-01", "is_workday": False, "note": "劳动节"}
    assert all(e.actor == cast.system_admin and e.after is None for e in events)


def test_admin_edits_are_on_the_audit_page_and_in_the_chain(cast: Any, client_for: Any) -> None:
    client_for(cast.system_admin).post(
        "/admin/disputes/calendaroverride/add/",
        {"day": "2027-02-07", "note": "春节"},
    )
    audit_seal()
    assert audit_verify().ok
    text = page_text(client_for(cast.auditor).get("/audit/?type=reference.added"))
    assert "新增基础数据" in text
    assert "2027-02-07 休" in text


def test_every_model_in_the_admin_is_audited() -> None:
    registry = admin.site._registry
    assert registry
    for model, model_admin in registry.items():
        assert isinstance(model_admin, AuditedModelAdmin), model._meta.label
        # The mixin audits a row's own fields; many-to-many edits (save_related) are not.
        assert not model._meta.many_to_many, model._meta.label


def test_django_groups_are_not_in_the_admin(cast: Any, client_for: Any) -> None:
    # Roles carry permissions here; groups would grant them beside the roles, unaudited.
    assert client_for(cast.system_admin).get("/admin/auth/group/").status_code == 404
