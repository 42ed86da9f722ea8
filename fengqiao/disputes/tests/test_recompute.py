"""期限重算: a schedule imported or a day changed moves the open deadlines over it (in the task
queue), with a timeline note and an audit event, and no reminder, report or 督办 twice;
resuming after a suspension never ends a deadline on a day off."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fengqiao.audit.models import AuditEvent
from fengqiao.disputes import deadlines
from fengqiao.disputes.choices import DueKind
from fengqiao.disputes.models import DueItem, TimelineEvent
from fengqiao.disputes.services.handling import case_resume, case_suspend
from fengqiao.disputes.sweep import sweep_due_items
from fengqiao.disputes.tests.test_holidays import _case_accepted, at, clock, ends, import_2027


def _events(case: Any, action: str) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(case=case, action=action).order_by("pk"))


def test_importing_2027_moves_the_open_deadlines_and_issues_nothing_twice(
    cast: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Given a case accepted Fri 8 Jan 2027 while 2027 is unknown: one month → Mon 8 Feb (暂定),
    # the feedback limit (20 working days, Monday–Friday) → Fri 5 Feb.
    case = _case_accepted(cast, world, at(date(2027, 1, 8)))
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    feedback = DueItem.objects.get(case=case, kind=DueKind.FEEDBACK)
    assert ends(mediation.due_at) == date(2027, 2, 8)
    assert ends(feedback.due_at) == date(2027, 2, 5)
    # the sweep of Sat 6 Feb reminds of the mediation deadline and reports the passed feedback
    sweep_due_items(now=at(date(2027, 2, 6)))
    assert len(_events(case, "remind")) == 1
    assert len(_events(case, "report_overdue")) == 1

    # When the 2027 notice is imported that day (春节 5–12 Feb, Sat 13 Feb works)
    with clock(at(date(2027, 2, 6))), django_capture_on_commit_callbacks(execute=True):
        import_2027()

    # Then both deadlines are counted again: the month ends Sat 13 Feb, and the 20th working day
    # is Sat 13 Feb too (the holiday week is not counted)
    mediation.refresh_from_db()
    feedback.refresh_from_db()
    assert ends(mediation.due_at) == date(2027, 2, 13)
    assert ends(feedback.due_at) == date(2027, 2, 13)
    assert not deadlines.is_provisional(mediation.due_at)
    notes = {e.data["kind"]: e for e in _events(case, "deadline_recomputed")}
    assert set(notes) == {"mediation", "feedback"}
    assert notes["mediation"].note == (
        "导入节假日安排（国办发明电〔2026〕99号）：调解期限由 2027-02-08 23:59 调整为 "
        "2027-02-13 23:59。"
    )
    audited = AuditEvent.objects.filter(event_type="case.deadline_recomputed")
    assert {e.object_id for e in audited} == {str(mediation.pk), str(feedback.pk)}
    # the reminded deadline is looked at again only when it passes; the reported one never
    assert mediation.next_check_at == mediation.due_at
    assert feedback.next_check_at is None

    # and no reminder or report is issued again; the 督办 comes once, after 13 Feb
    assert sweep_due_items(now=at(date(2027, 2, 10))).reminded == 0
    assert sweep_due_items(now=at(date(2027, 2, 14))).supervised == 1
    assert sweep_due_items(now=at(date(2027, 2, 15))).supervised == 0
    assert len(_events(case, "remind")) == 1
    assert len(_events(case, "report_overdue")) == 1

    # Importing the same notice again moves nothing and notes nothing
    with clock(at(date(2027, 2, 15))), django_capture_on_commit_callbacks(execute=True):
        import_2027()
    assert len(_events(case, "deadline_recomputed")) == 2


def test_a_day_set_in_the_admin_moves_the_deadlines_over_it(
    cast: Any, world: Any, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = _case_accepted(cast, world, at(date(2027, 1, 8)))
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert ends(mediation.due_at) == date(2027, 2, 8)

    # The system administrator marks Mon 8 Feb 2027 a day off (节假日调整)
    with clock(at(date(2027, 1, 20))), django_capture_on_commit_callbacks(execute=True):
        response = client_for(cast.system_admin).post(
            "/admin/disputes/calendaroverride/add/",
            {"day": "2027-02-08", "is_workday": "", "note": "地方节日"},
        )
    assert response.status_code == 302

    mediation.refresh_from_db()
    assert ends(mediation.due_at) == date(2027, 2, 9)
    (note,) = _events(case, "deadline_recomputed")
    assert note.note.startswith("节假日调整：调解期限由 2027-02-08 23:59 调整为 2027-02-09 23:59")


def test_resuming_after_a_suspension_never_ends_a_deadline_on_a_day_off(
    cast: Any, world: Any
) -> None:
    # Given a case accepted Thu 10 Sep 2026 (one month → Sat 10 Oct, a 调休 working day)
    case = _case_accepted(cast, world, at(date(2026, 9, 10)))
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert ends(mediation.due_at) == date(2026, 10, 10)

    # When it is suspended Tue 29 Sep 15:00 and resumed Wed 7 Oct 15:00 (eight days)
    with clock(at(date(2026, 9, 29), 15)):
        case_suspend(actor=cast.mediator_east, case_id=case.pk, version=None, reason="外出务工")
    with clock(at(date(2026, 10, 7), 15)):
        case_resume(actor=cast.mediator_east, case_id=case.pk, version=None)

    # Then eight days on is Sun 18 Oct, a day off: the deadline ends Mon 19 Oct
    mediation.refresh_from_db()
    assert mediation.due_at.astimezone(at(date(2026, 1, 1)).tzinfo).date() != date(2026, 10, 18)
    assert ends(mediation.due_at) == date(2026, 10, 19)
    assert deadlines.is_workday(ends(mediation.due_at))
    assert [m["suspended"] for m in mediation.moves] == [int(timedelta(days=8).total_seconds())]
    # and counting it again gives the same day
    assert deadlines.due_at_of(mediation) == mediation.due_at


def test_deadlines_set_before_periods_were_recorded_get_them_from_the_case_history(
    cast: Any, world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import importlib

    from django.apps import apps

    record_periods = importlib.import_module(
        "fengqiao.disputes.migrations.0012_dueitem_period"
    ).record_periods
    # Given a case accepted 8 Jan 2027, suspended 11–14 Jan, as deadlines were stored before
    # migration 0012 (no start, no period, no moves)
    case = _case_accepted(cast, world, at(date(2027, 1, 8)))
    with clock(at(date(2027, 1, 11))):
        case_suspend(actor=cast.mediator_east, case_id=case.pk, version=None, reason="外出")
    with clock(at(date(2027, 1, 14))):
        case_resume(actor=cast.mediator_east, case_id=case.pk, version=None)
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert ends(mediation.due_at) == date(2027, 2, 11)  # 8 Feb + 3 days, 2027 unknown
    DueItem.objects.filter(case=case).update(
        started_at=None, period_unit="", period_amount=None, moves=[]
    )
    # (the timeline's times are the real clock's in tests: put them where the story has them)
    for action, day in (("accept", 8), ("suspend", 11), ("resume", 14)):
        TimelineEvent.objects.filter(case=case, action=action).update(at=at(date(2027, 1, day)))

    # When the migration records their periods
    record_periods(apps, None)

    # Then each has its start, period and the suspension, and counts to the same day...
    mediation.refresh_from_db()
    assert (mediation.period_unit, mediation.period_amount) == ("months", 1)
    assert mediation.started_at == at(date(2027, 1, 8))
    assert [m["suspended"] for m in mediation.moves] == [3 * 24 * 3600]
    assert deadlines.due_at_of(mediation) == mediation.due_at
    # ...so importing 2027 moves it off the Spring Festival: 8 Feb → 13 Feb, + 3 days → 16 Feb
    with clock(at(date(2027, 1, 20))), django_capture_on_commit_callbacks(execute=True):
        import_2027()
    mediation.refresh_from_db()
    assert ends(mediation.due_at) == date(2027, 2, 16)


def test_deadlines_move_even_while_the_task_queue_is_unreachable(
    cast: Any, world: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any, caplog: Any
) -> None:
    # Given a case accepted Fri 8 Jan 2027 while 2027 is unknown (one month → Mon 8 Feb)
    case = _case_accepted(cast, world, at(date(2027, 1, 8)))
    mediation = DueItem.objects.get(case=case, kind=DueKind.MEDIATION)
    assert ends(mediation.due_at) == date(2027, 2, 8)
    # and the queue refusing every task, as Huey on Redis does while Redis is down
    from huey.contrib.djhuey import HUEY
    from redis.exceptions import ConnectionError as RedisConnectionError

    def unreachable(task: Any) -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(HUEY, "enqueue", unreachable)

    # When the 2027 notice is imported
    with clock(at(date(2027, 2, 6))), django_capture_on_commit_callbacks(execute=True):
        import_2027()

    # Then the deadline is counted again all the same (in the importing process), and the log
    # says why
    mediation.refresh_from_db()
    assert ends(mediation.due_at) == date(2027, 2, 13)
    kinds = {e.data["kind"] for e in _events(case, "deadline_recomputed")}
    assert kinds == {"mediation", "feedback"}
    assert "task queue unreachable" in caplog.text
