"""The yearly holiday schedule (节假日安排): reading a State Council notice from JSON, the rules
it must meet, and importing it. The deadline engine (``deadlines.py``) reads the imported
schedules before the ``chinese_calendar`` package, which knows no year before the notice is out.

The file (``docs/examples/holidays-2027.json`` is an example)::

    {"year": 2027, "notice": "国办发明电〔2026〕×号",
     "holidays": [{"name": "春节", "start": "2027-02-05", "end": "2027-02-12"}, …],
     "workdays": [{"date": "2027-02-13", "name": "春节"}, …],
     "note": "…"}

Rules (each refused with a Chinese message naming the entry): every day lies inside ``year``
(a day of another year belongs in that year's schedule, or in 节假日调整); a holiday runs
forward and lasts at most ``MAX_HOLIDAY_DAYS``; holidays do not overlap; a 调休 working day is a
Saturday or Sunday outside every holiday, listed once. A notice number containing "示例" is an
example file and is imported only when asked for explicitly (demo and tests).

After an import (or a day changed in 节假日调整) the open deadlines over the changed days are
counted again in the task queue (``services/calendar.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.queue import enqueue_or_run
from fengqiao.core.validators import validate_no_control_characters
from fengqiao.disputes.models import HolidaySchedule

# The longest run of days off a notice has set is 9 (春节 2025 with the weekend, 国庆 2025
# with 中秋); a longer "holiday" is a typing error.
MAX_HOLIDAY_DAYS = 15
# A notice is a few KB of JSON; the admin refuses a larger file unread.
HOLIDAY_FILE_MAX_BYTES = 256 * 1024
EXAMPLE_MARK = "示例"
KEYS = {"year", "notice", "holidays", "workdays", "note"}


class HolidayScheduleError(ValueError):
    """The file breaks the rules: every problem found, each a Chinese sentence."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Holiday:
    name: str
    start: date
    end: date

    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class ScheduleData:
    """A validated schedule."""

    year: int
    notice: str
    holidays: list[Holiday]
    workdays: dict[date, str]

    def days_off(self) -> set[date]:
        return {day for holiday in self.holidays for day in holiday.days()}

    def as_json(self) -> dict[str, Any]:
        return {
            "holidays": [
                {"name": h.name, "start": h.start.isoformat(), "end": h.end.isoformat()}
                for h in self.holidays
            ],
            "workdays": [
                {"date": day.isoformat(), "name": name}
                for day, name in sorted(self.workdays.items())
            ],
        }


@dataclass
class _Errors:
    items: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        self.items.append(message)


def _date(value: Any, where: str, errors: _Errors) -> date | None:
    if not isinstance(value, str):
        errors.add(_("%(where)s：日期应写作 YYYY-MM-DD。") % {"where": where})
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.add(
            _("%(where)s：“%(value)s”不是有效日期（应写作 YYYY-MM-DD）。")
            % {"where": where, "value": value[:20]}
        )
        return None


def _year(data: dict[str, Any], errors: _Errors) -> int | None:
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        errors.add(_("“year”应为 2000 至 2100 之间的年份，例如 2027。"))
        return None
    return year


def _notice(data: dict[str, Any], errors: _Errors) -> str:
    notice = data.get("notice")
    if not isinstance(notice, str) or not notice.strip():
        errors.add(_("“notice”应填写通知文号，例如 国办发明电〔2026〕×号。"))
        return ""
    if len(notice.strip()) > 100:
        errors.add(_("通知文号过长（最多 100 个字）。"))
    return notice.strip()


def _holidays(data: dict[str, Any], year: int | None, errors: _Errors) -> list[Holiday]:
    rows = data.get("holidays")
    if not isinstance(rows, list) or not rows:
        errors.add(_("“holidays”应为放假安排的列表，至少一项。"))
        return []
    found: list[Holiday] = []
    for n, row in enumerate(rows, start=1):
        where = _("第 %(n)d 项放假安排") % {"n": n}
        if not isinstance(row, dict):
            errors.add(_("%(where)s应包含 name、start、end。") % {"where": where})
            continue
        name = row.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.add(_("%(where)s缺少节日名称（name）。") % {"where": where})
            name = ""
        else:
            where = f"{where}（{name.strip()}）"
        start = _date(row.get("start"), where, errors)
        end = _date(row.get("end"), where, errors)
        if start is None or end is None:
            continue
        if end < start:
            errors.add(_("%(where)s：结束日期早于开始日期。") % {"where": where})
            continue
        if (end - start).days + 1 > MAX_HOLIDAY_DAYS:
            errors.add(
                _("%(where)s：放假 %(days)d 天，超过 %(max)d 天，请检查日期。")
                % {"where": where, "days": (end - start).days + 1, "max": MAX_HOLIDAY_DAYS}
            )
            continue
        if year is not None and (start.year != year or end.year != year):
            errors.add(
                _("%(where)s：日期不在 %(year)d 年内（其他年份的日期请列入该年的安排）。")
                % {"where": where, "year": year}
            )
            continue
        found.append(Holiday(name.strip(), start, end))
    found.sort(key=lambda h: h.start)
    for before, after in pairwise(found):
        if after.start <= before.end:
            errors.add(
                _("放假安排“%(a)s”与“%(b)s”的日期重叠。") % {"a": before.name, "b": after.name}
            )
    return found


def _workdays(
    data: dict[str, Any], year: int | None, off: set[date], errors: _Errors
) -> dict[date, str]:
    rows = data.get("workdays", [])
    if not isinstance(rows, list):
        errors.add(_("“workdays”应为调休上班日的列表（可以为空）。"))
        return {}
    found: dict[date, str] = {}
    for n, row in enumerate(rows, start=1):
        where = _("第 %(n)d 个调休上班日") % {"n": n}
        value, name = (row.get("date"), row.get("name", "")) if isinstance(row, dict) else (row, "")
        day = _date(value, where, errors)
        if day is None:
            continue
        where = f"{where}（{day.isoformat()}）"
        if year is not None and day.year != year:
            errors.add(_("%(where)s不在 %(year)d 年内。") % {"where": where, "year": year})
        elif day in found:
            errors.add(_("%(where)s重复列出。") % {"where": where})
        elif day in off:
            errors.add(_("%(where)s在放假期间内。") % {"where": where})
        elif day.weekday() < 5:
            errors.add(_("%(where)s不是周六或周日，本来就是工作日。") % {"where": where})
        else:
            found[day] = str(name or "").strip()[:20]
    return found


def _has_control_characters(value: Any) -> bool:
    """Any key or text in the parsed JSON that the shared check refuses."""
    if isinstance(value, dict):
        return any(
            _has_control_characters(k) or _has_control_characters(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_has_control_characters(v) for v in value)
    if isinstance(value, str):
        try:
            validate_no_control_characters(value)
        except ValidationError:
            return True
    return False


def parse_schedule(payload: str | bytes | dict[str, Any]) -> ScheduleData:
    """The schedule in ``payload`` (JSON text or already parsed), or ``HolidayScheduleError``
    with every problem found."""
    if isinstance(payload, bytes):
        try:
            payload = payload.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise HolidayScheduleError([_("文件不是 UTF-8 编码的文本。")]) from exc
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise HolidayScheduleError(
                [
                    _("不是有效的 JSON：第 %(line)d 行第 %(col)d 列附近有错误。")
                    % {"line": exc.lineno, "col": exc.colno}
                ]
            ) from exc
    if not isinstance(payload, dict):
        raise HolidayScheduleError([_("文件内容应为一个 JSON 对象（{…}）。")])
    errors = _Errors()
    if _has_control_characters(payload):
        # "\u0000" in JSON is a NUL once parsed, which PostgreSQL's jsonb refuses.
        raise HolidayScheduleError([_("文件中含有不可见的控制字符，请删除后重新导入。")])
    unknown = sorted(set(payload) - KEYS)
    if unknown:
        errors.add(_("不认识的字段：%(keys)s。") % {"keys": "、".join(unknown)})
    year = _year(payload, errors)
    notice = _notice(payload, errors)
    holidays = _holidays(payload, year, errors)
    off = {day for holiday in holidays for day in holiday.days()}
    workdays = _workdays(payload, year, off, errors)
    if errors.items or year is None:
        raise HolidayScheduleError(errors.items)
    return ScheduleData(year=year, notice=notice, holidays=holidays, workdays=workdays)


def schedule_data(schedule: HolidaySchedule) -> ScheduleData:
    """A stored schedule read back (it was validated when imported)."""
    return parse_schedule(
        {
            "year": schedule.year,
            "notice": schedule.notice,
            "holidays": schedule.holidays,
            "workdays": schedule.workdays,
        }
    )


def is_example(notice: str) -> bool:
    return EXAMPLE_MARK in notice


@dataclass(frozen=True)
class ImportResult:
    schedule: HolidaySchedule
    created: bool
    # The days whose working status differs from before the import (the whole year's days off
    # and 调休 days on a first import): the deadlines crossing them may move.
    changed_days: list[date]


def _status_by_day(data: ScheduleData | None, year: int) -> dict[date, bool]:
    """Every day of ``year`` the schedule sets apart from Monday–Friday: off or working."""
    if data is None:
        return {}
    status = dict.fromkeys(data.days_off(), False)
    status.update(dict.fromkeys(data.workdays, True))
    return status


def holiday_schedule_import(
    *, actor: Any, data: ScheduleData, source: str = "", allow_example: bool = False
) -> ImportResult:
    """Store ``data`` as its year's schedule, replacing an earlier import of that year; one audit
    event with the notice and the days before and after."""
    if is_example(data.notice) and not allow_example:
        raise HolidayScheduleError(
            [
                _(
                    "通知文号“%(notice)s”含“示例”：这是示例文件，不是国务院办公厅的通知，"
                    "不能用于计算期限。请按正式通知填写后再导入。"
                )
                % {"notice": data.notice}
            ]
        )
    with transaction.atomic():
        existing = HolidaySchedule.objects.select_for_update().filter(year=data.year).first()
        before = schedule_data(existing) if existing is not None else None
        old = _status_by_day(before, data.year)
        new = _status_by_day(data, data.year)
        changed = sorted(day for day in old.keys() | new.keys() if old.get(day) != new.get(day))
        schedule = existing or HolidaySchedule(year=data.year)
        schedule.notice = data.notice
        schedule.holidays = data.as_json()["holidays"]
        schedule.workdays = data.as_json()["workdays"]
        schedule.imported_at = timezone.now()
        schedule.imported_by = actor if getattr(actor, "is_authenticated", False) else None
        schedule.save()
        audit_record(
            actor=actor,
            event_type=EventType.HOLIDAYS_IMPORTED,
            obj=schedule,
            before=({"notice": before.notice, **before.as_json()} if before is not None else None),
            after={
                "notice": data.notice,
                **data.as_json(),
                "source": source[:200],
                "changed_days": [day.isoformat() for day in changed],
            },
        )
        calendar_days_changed(
            days=changed,
            reason=_("导入节假日安排（%(notice)s）") % {"notice": data.notice},
        )
    return ImportResult(schedule=schedule, created=existing is None, changed_days=changed)


def calendar_days_changed(*, days: list[date], reason: str) -> None:
    """Once the caller's transaction commits, count again the open deadlines that run over
    ``days`` (``tasks.recompute_deadlines``: many cases may be touched, so not in the
    request; in it, though, while the queue is unreachable, rather than not at all)."""
    if not days:
        return
    from fengqiao.disputes.tasks import recompute_deadlines

    first, last = min(days).isoformat(), max(days).isoformat()
    transaction.on_commit(
        lambda: enqueue_or_run(recompute_deadlines, first, last, reason), robust=True
    )
