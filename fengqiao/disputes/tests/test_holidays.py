"""The yearly holiday schedule: validated import (command and admin), audited; the deadline engine
reads it before the chinese_calendar package; deadlines in a year nobody knows are 暂定 on the
pages; /healthz and the administrators' banner warn from 1 November."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from fengqiao.audit.models import AuditEvent
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import DueKind
from fengqiao.disputes.holidays import (
    HolidayScheduleError,
    holiday_schedule_import,
    parse_schedule,
)
from fengqiao.disputes.models import CalendarOverride, Case, HolidaySchedule
from fengqiao.disputes.services.dispatch import case_dispatch, dispatch_accept
from fengqiao.disputes.tests.factories import assessed_case, start_mediation

SHANGHAI = ZoneInfo("Asia/Shanghai")
EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "holidays-2027.json"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def ends(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    with patch("django.utils.timezone.now", return_value=moment):
        yield


def schedule_2027(**changes: Any) -> dict[str, Any]:
    """A 2027 notice for the tests (the real one is not out): 春节 5–12 Feb, Sat 13 Feb works."""
    data: dict[str, Any] = {
        "year": 2027,
        "notice": "国办发明电〔2026〕99号",
        "holidays": [
            {"name": "元旦", "start": "2027-01-01", "end": "2027-01-03"},
            {"name": "春节", "start": "2027-02-05", "end": "2027-02-12"},
        ],
        "workdays": [{"date": "2027-02-13", "name": "春节"}],
    }
    data.update(changes)
    return data


def import_2027(actor: Any = None, **changes: Any) -> Any:
    return holiday_schedule_import(actor=actor, data=parse_schedule(schedule_2027(**changes)))


def errors_of(payload: Any) -> list[str]:
    with pytest.raises(HolidayScheduleError) as info:
        parse_schedule(payload)
    return info.value.errors


# --- The file and its rules --------------------------------------------------------------------


def test_a_day_outside_the_year_is_refused_in_chinese() -> None:
    errors = errors_of(
        schedule_2027(holidays=[{"name": "元旦", "start": "2026-12-31", "end": "2027-01-02"}])
    )
    assert errors == [
        "第 1 项放假安排（元旦）：日期不在 2027 年内（其他年份的日期请列入该年的安排）。"
    ]


def test_overlapping_holidays_are_refused() -> None:
    errors = errors_of(
        schedule_2027(
            holidays=[
                {"name": "春节", "start": "2027-02-05", "end": "2027-02-12"},
                {"name": "元宵", "start": "2027-02-12", "end": "2027-02-13"},
            ],
            workdays=[],
        )
    )
    assert errors == ["放假安排“春节”与“元宵”的日期重叠。"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"holidays": [{"name": "春节", "start": "2027-02-12", "end": "2027-02-05"}]},
            "第 1 项放假安排（春节）：结束日期早于开始日期。",
        ),
        (
            {"holidays": [{"name": "春节", "start": "2027-02-01", "end": "2027-02-28"}]},
            "第 1 项放假安排（春节）：放假 28 天，超过 15 天，请检查日期。",
        ),
        (
            {"holidays": [{"name": "春节", "start": "2027-02-30", "end": "2027-03-02"}]},
            "第 1 项放假安排（春节）：“2027-02-30”不是有效日期（应写作 YYYY-MM-DD）。",
        ),
        ({"workdays": ["2027-02-10"]}, "第 1 个调休上班日（2027-02-10）在放假期间内。"),
        (
            {"workdays": ["2027-02-15"]},
            "第 1 个调休上班日（2027-02-15）不是周六或周日，本来就是工作日。",
        ),
        ({"workdays": ["2027-02-13", "2027-02-13"]}, "第 2 个调休上班日（2027-02-13）重复列出。"),
        ({"year": "2027"}, "“year”应为 2000 至 2100 之间的年份，例如 2027。"),
        ({"notice": ""}, "“notice”应填写通知文号，例如 国办发明电〔2026〕×号。"),
        ({"holidays": []}, "“holidays”应为放假安排的列表，至少一项。"),
        ({"holiday": []}, "不认识的字段：holiday。"),
    ],
)
def test_each_rule_names_the_entry_that_breaks_it(change: dict[str, Any], message: str) -> None:
    assert message in errors_of(schedule_2027(**change))


@pytest.mark.parametrize(
    "text",
    [
        '"notice": "国办发明电\\u0000号"',
        '"holidays": [{"name": "春\\u001b节", "start": "2027-02-05", "end": "2027-02-12"}]',
        '"workdays": [{"date": "2027-02-13", "name": "\\u0085"}]',
    ],
)
def test_a_control_character_escaped_in_the_json_is_refused(db: None, text: str) -> None:
    # "\u0000" is six harmless characters in the file and a NUL once parsed (jsonb refuses it)
    # (the key repeated last replaces the valid one: json.loads keeps the last)
    payload = json.dumps(schedule_2027())[:-1] + ", " + text + "}"
    assert errors_of(payload) == ["文件中含有不可见的控制字符，请删除后重新导入。"]


def test_text_that_is_not_json_is_refused_with_its_position() -> None:
    assert errors_of('{"year": 2027,\n "notice": }') == [
        "不是有效的 JSON：第 2 行第 12 列附近有错误。"
    ]


def test_the_example_file_is_valid_and_marked_as_an_example(db: None) -> None:
    data = parse_schedule(EXAMPLE.read_bytes())
    assert data.year == 2027
    assert "示例" in data.notice
    # An example is not a notice: it is refused unless asked for (demo, tests).
    with pytest.raises(HolidayScheduleError, match="示例文件"):
        holiday_schedule_import(actor=None, data=data)
    assert not HolidaySchedule.objects.exists()


# --- The command and the audit log ---------------------------------------------------------------


def test_import_holidays_command_imports_audits_and_replaces(
    db: None, tmp_path: Path, cast: Any
) -> None:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(schedule_2027(), ensure_ascii=False), encoding="utf-8")
    out = StringIO()
    call_command("import_holidays", str(path), "--user", "sysadmin", stdout=out)

    assert "已导入 2027 年节假日安排（国办发明电〔2026〕99号）" in out.getvalue()
    schedule = HolidaySchedule.objects.get(year=2027)
    assert schedule.imported_by == cast.system_admin
    event = AuditEvent.objects.get(event_type="calendar.holidays_imported")
    assert event.actor == cast.system_admin
    assert event.before is None
    assert event.after["notice"] == "国办发明电〔2026〕99号"
    assert "2027-02-08" in event.after["changed_days"]

    # A corrected notice replaces the year; the audit shows what changed.
    path.write_text(
        json.dumps(schedule_2027(workdays=[{"date": "2027-02-14"}]), ensure_ascii=False),
        encoding="utf-8",
    )
    call_command("import_holidays", str(path), stdout=StringIO())
    assert HolidaySchedule.objects.count() == 1
    latest = AuditEvent.objects.filter(event_type="calendar.holidays_imported").latest("pk")
    assert latest.before["workdays"] == [{"date": "2027-02-13", "name": "春节"}]
    assert latest.after["changed_days"] == ["2027-02-13", "2027-02-14"]


def test_import_holidays_command_reports_every_error_and_imports_nothing(
    db: None, tmp_path: Path
) -> None:
    path = tmp_path / "bad.json"
    bad = schedule_2027(workdays=["2027-02-10", "2028-01-01"])
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("import_holidays", str(path))
    message = str(info.value)
    assert "文件有错误，未导入" in message
    assert "第 1 个调休上班日（2027-02-10）在放假期间内。" in message
    assert "第 2 个调休上班日（2028-01-01）不在 2027 年内。" in message
    assert not HolidaySchedule.objects.exists()
    with pytest.raises(CommandError, match="用户 nobody 不存在"):
        call_command("import_holidays", str(path), "--user", "nobody")


def test_the_example_is_imported_only_with_example(db: None) -> None:
    with pytest.raises(CommandError, match="示例"):
        call_command("import_holidays", str(EXAMPLE))
    call_command("import_holidays", str(EXAMPLE), "--example", stdout=StringIO())
    assert HolidaySchedule.objects.get().year == 2027


# --- The engine ----------------------------------------------------------------------------------


def test_one_month_from_8_january_2027_lands_after_spring_festival_once_imported(
    db: None,
) -> None:
    # Without 2027 data: Monday to Friday — Mon 8 Feb, and provisional.
    before = deadlines.mediation_deadline("grid", at(date(2027, 1, 8)))
    assert ends(before) == date(2027, 2, 8)
    assert deadlines.is_provisional(before) is True

    import_2027()

    # 8 Feb is inside 春节 (5–12 Feb): the period ends on the 调休 Saturday, 13 Feb.
    after = deadlines.mediation_deadline("grid", at(date(2027, 1, 8)))
    assert ends(after) == date(2027, 2, 13)
    assert deadlines.is_provisional(after) is False
    assert deadlines.is_workday(date(2027, 1, 1)) is False


def test_an_imported_schedule_wins_over_the_package_and_an_override_over_both(db: None) -> None:
    # chinese_calendar: Fri 9 Oct 2026 is a working day.
    assert deadlines.is_workday(date(2026, 10, 9)) is True
    holiday_schedule_import(
        actor=None,
        data=parse_schedule(
            {
                "year": 2026,
                "notice": "国办发明电〔2025〕7号",
                "holidays": [{"name": "国庆节", "start": "2026-10-01", "end": "2026-10-09"}],
                "workdays": [],
            }
        ),
    )
    assert deadlines.is_workday(date(2026, 10, 9)) is False
    # A year with a schedule counts only what the notice lists: Sun 20 Sep is now a day off.
    assert deadlines.is_workday(date(2026, 9, 20)) is False
    CalendarOverride.objects.create(day=date(2026, 10, 9), is_workday=True, note="本地上班")
    assert deadlines.is_workday(date(2026, 10, 9)) is True


def test_a_deadline_reads_the_schedule_with_the_window(
    db: None, django_assert_num_queries: Any
) -> None:
    import_2027()
    # One window: the schedule and the overrides, two queries however many days are walked.
    with django_assert_num_queries(2):
        assert ends(deadlines.add_working_days(at(date(2027, 2, 4)), 1)) == date(2027, 2, 13)


def test_known_and_missing_years() -> None:
    assert deadlines.missing_years(date(2026, 10, 31), known={2026}) == []
    assert deadlines.missing_years(date(2026, 11, 1), known={2026}) == [2027]
    assert deadlines.missing_years(date(2026, 11, 1), known={2026, 2027}) == []
    assert deadlines.missing_years(date(2027, 3, 1), known={2026}) == [2027]


# --- What users see ------------------------------------------------------------------------------


def _case_accepted(cast: Any, world: Any, accepted_at: datetime) -> Case:
    with clock(accepted_at - timedelta(days=1)):
        case = assessed_case(cast=cast, world=world)
        case = case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )
    with clock(accepted_at):
        case = dispatch_accept(actor=cast.mediator_east, dispatch_id=case.dispatches.get().pk)
        return start_mediation(case, cast.mediator_east)


def test_the_case_page_marks_a_deadline_in_an_unknown_year_provisional(
    cast: Any, world: Any, client_for: Any
) -> None:
    case = _case_accepted(cast, world, at(date(2027, 1, 8)))
    item = case.due_items.get(kind=DueKind.MEDIATION)
    assert ends(item.due_at) == date(2027, 2, 8)
    with clock(at(date(2027, 1, 9))):
        client = client_for(cast.mediator_east)  # a session valid on that day
        page = client.get(f"/cases/{case.pk}/").content.decode()
    row = page[page.index('id="due-items"') :]
    row = row[: row.index("</table>")]
    assert "2027-02-08 23:59" in row
    assert "暂定" in row

    import_2027()
    case = _case_accepted(cast, world, at(date(2027, 1, 8)))
    with clock(at(date(2027, 1, 9))):
        page = client.get(f"/cases/{case.pk}/").content.decode()
    row = page[page.index('id="due-items"') :]
    row = row[: row.index("</table>")]
    assert "2027-02-13 23:59" in row
    assert "暂定" not in row


def test_my_work_marks_an_acceptance_limit_in_an_unknown_year_provisional(
    cast: Any, world: Any, client_for: Any
) -> None:
    # Dispatched Wed 30 Dec 2026, low risk: three working days — 31 Dec, Fri 1 Jan, Mon 4 Jan
    # while 2027 is unknown.
    with clock(at(date(2026, 12, 30))):
        case = assessed_case(cast=cast, world=world)
        case_dispatch(
            actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
        )
        page = client_for(cast.mediator_east).get("/cases/my/").content.decode()
    table = page[page.index('id="to-accept"') :]
    table = table[: table.index("</table>")]
    assert "01-04 23:59" in table
    assert "暂定" in table


# --- Warnings: /healthz and the administrators' banner ------------------------------------------


def test_healthz_warns_from_1_november_when_next_year_is_missing(client: Any, db: None) -> None:
    with clock(at(date(2026, 10, 31))):
        body = client.get("/healthz").json()
    assert body["calendar"]["ok"] is True
    assert body["calendar"]["missing_years"] == []

    with clock(at(date(2026, 11, 1))):
        response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200  # not a reason to take the node out
    assert body["calendar"] == {"ok": False, "known_years": [2026], "missing_years": [2027]}
    assert body["status"] == "degraded"

    import_2027()
    with clock(at(date(2026, 11, 1))):
        body = client.get("/healthz").json()
    assert body["calendar"] == {"ok": True, "known_years": [2026, 2027], "missing_years": []}


def test_the_administrators_see_a_banner_until_next_year_is_imported(
    cast: Any, client_for: Any
) -> None:
    def page(user: Any, url: str) -> str:
        response = client_for(user).get(url)  # logged in on the clock's day
        assert response.status_code == 200, url
        return response.content.decode()

    with clock(at(date(2026, 10, 31))):
        assert "calendar-warning" not in page(cast.system_admin, "/admin/")
    with clock(at(date(2026, 11, 2))):
        for url in ("/admin/", "/admin/disputes/holidayschedule/", "/accounts/users/"):
            assert "尚未导入 2027 年的节假日安排" in page(cast.system_admin, url), url
        # Case workers are not the ones to act on it.
        assert "calendar-warning" not in page(cast.dispatcher, "/cases/my/")
    import_2027()
    with clock(at(date(2026, 11, 2))):
        assert "calendar-warning" not in page(cast.system_admin, "/admin/")


# --- The admin -----------------------------------------------------------------------------------


def test_the_system_admin_imports_a_schedule_in_the_admin(cast: Any, client_for: Any) -> None:
    admin = client_for(cast.system_admin)
    listing = admin.get("/admin/disputes/holidayschedule/").content.decode()
    assert "导入节假日安排（JSON）" in listing

    bad = json.dumps(schedule_2027(workdays=["2027-02-10"]), ensure_ascii=False).encode()
    response = admin.post(
        "/admin/disputes/holidayschedule/import/",
        {"file": SimpleUploadedFile("2027.json", bad, content_type="application/json")},
    )
    assert response.status_code == 200
    assert "第 1 个调休上班日（2027-02-10）在放假期间内。" in response.content.decode()
    assert not HolidaySchedule.objects.exists()

    good = json.dumps(schedule_2027(), ensure_ascii=False).encode()
    response = admin.post(
        "/admin/disputes/holidayschedule/import/",
        {"file": SimpleUploadedFile("2027.json", good, content_type="application/json")},
    )
    assert response.status_code == 302
    assert HolidaySchedule.objects.get().imported_by == cast.system_admin
    event = AuditEvent.objects.get(event_type="calendar.holidays_imported")
    assert event.after["source"] == "2027.json"

    # The example needs the box ticked; pasted text works like a file.
    response = admin.post(
        "/admin/disputes/holidayschedule/import/", {"text": EXAMPLE.read_text(encoding="utf-8")}
    )
    assert "示例文件" in response.content.decode()

    # A mediator cannot reach the import.
    mediator = client_for(cast.mediator_east)
    assert mediator.get("/admin/disputes/holidayschedule/import/").status_code in (302, 403)


def test_a_holiday_file_that_is_not_utf8_or_too_large_is_refused(
    cast: Any, client_for: Any
) -> None:
    admin = client_for(cast.system_admin)
    text = json.dumps(schedule_2027(), ensure_ascii=False)
    for data, says in (
        (text.encode("gbk"), "文件不是UTF-8编码的文本"),
        (text.encode() + b" " * (256 * 1024), "文件过大：节假日安排文件不能超过256KB"),
    ):
        response = admin.post(
            "/admin/disputes/holidayschedule/import/",
            {"file": SimpleUploadedFile("2027.json", data, content_type="application/json")},
        )
        assert response.status_code == 200
        assert says in response.content.decode()
    assert not HolidaySchedule.objects.exists()
