"""Scheduled and on-demand generation: one report per kind, region and period whatever the
workers do — a rerun, a second worker, a worker that died, a claim taken over; regenerating
replaces the files with the digests before and after in the audit log; a failure is shown."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.utils import timezone

from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.reports import services
from fengqiao.reports.choices import ReportKind, ReportOrigin, ReportStatus
from fengqiao.reports.models import Report, ReportFile

pytestmark = pytest.mark.django_db

NEW_YEAR_WORKDAY = date(2026, 1, 4)  # the first working day of 2026 (a 调休 Sunday)


def _monthly(world: Any, actor: Any = None) -> Report:
    return Report.objects.create(
        kind=ReportKind.MONTHLY,
        region=world.town_a,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        requested_by=actor,
    )


def test_the_schedule_makes_each_report_once_for_each_platform(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        first = services.reports_schedule(today=NEW_YEAR_WORKDAY)
    queued = [c for c in callbacks if "_queue" in c.__qualname__]
    # Five kinds (the week, month, quarter and year just ended, and the annual survey) for the
    # county and its two townships (the regions with a platform).
    assert first.created == 15
    assert len(queued) == 15
    yearly = Report.objects.get(kind=ReportKind.YEARLY, region=world.county)
    assert (yearly.period_start, yearly.period_end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert yearly.origin == ReportOrigin.SCHEDULED
    assert yearly.requested_by is None
    assert yearly.status == ReportStatus.QUEUED
    assert not Report.objects.filter(region=world.village_east).exists()

    # The next hour: nothing more is made or queued.
    with django_capture_on_commit_callbacks() as again:
        rerun = services.reports_schedule(today=NEW_YEAR_WORKDAY)
    assert rerun.created == 0
    assert [c for c in again if "_queue" in c.__qualname__] == []
    # Monday: a new week began, so only the week of 29 December–4 January is new.
    with django_capture_on_commit_callbacks():
        monday = services.reports_schedule(today=NEW_YEAR_WORKDAY + timedelta(days=1))
    assert monday.created == 3
    assert Report.objects.count() == 18
    assert Report.objects.filter(kind=ReportKind.YEARLY).count() == 3


def test_nothing_is_due_on_the_holiday_before_the_first_working_day(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks():
        services.reports_schedule(today=date(2026, 1, 2))
    assert not Report.objects.filter(kind=ReportKind.YEARLY, period_start=date(2025, 1, 1))


def test_a_generated_report_has_its_three_files_and_digests(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report = _monthly(world)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_generate(report_id=report.pk) == "done"
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.attempts == 1
    assert report.generated_at is not None
    files = {f.fmt: f for f in report.files.all()}
    assert set(files) == {"pdf", "docx", "xlsx"}
    with default_storage.open(files["pdf"].storage_name, "rb") as stored:
        data = stored.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == files["pdf"].sha256
    # A second delivery of the same message does nothing.
    assert services.report_generate(report_id=report.pk) == "skipped"
    assert AuditEvent.objects.filter(event_type=EventType.REPORT_GENERATED).count() == 1


def test_a_report_held_by_a_live_worker_is_left_alone(world: Any) -> None:
    report = _monthly(world)
    assert services._claim(report.pk) is not None  # worker A is at work
    assert services.report_generate(report_id=report.pk) == "skipped"  # worker B
    report.refresh_from_db()
    assert report.status == ReportStatus.RUNNING
    assert report.attempts == 1


def test_a_dead_workers_report_is_queued_again_and_finished(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    report = _monthly(world)
    services._claim(report.pk)  # the worker then died
    Report.objects.filter(pk=report.pk).update(
        claimed_at=timezone.now() - services.CLAIM_LEASE - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reports_requeue_stale() == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.attempts == 2
    assert report.files.count() == 3


def test_a_worker_whose_claim_was_taken_over_keeps_nothing(
    world: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    report = _monthly(world)
    folder = f"{services.STORAGE_DIR}/{report.pk}"
    # The in-memory storage outlives a test's rollback: earlier tests' files may be there.
    earlier = set(default_storage.listdir(folder)[1]) if default_storage.exists(folder) else set()
    real = services.build_content
    outcomes = []

    def slow_then_overtaken(**kwargs: Any) -> Any:
        if not outcomes:
            # Worker A is slow: its lease runs out and worker B generates the report meanwhile.
            outcomes.append("A started")
            Report.objects.filter(pk=report.pk).update(
                claimed_at=timezone.now() - services.CLAIM_LEASE - timedelta(minutes=1)
            )
            outcomes.append(services.report_generate(report_id=report.pk))
        return real(**kwargs)

    monkeypatch.setattr(services, "build_content", slow_then_overtaken)
    with django_capture_on_commit_callbacks(execute=True):
        result_a = services.report_generate(report_id=report.pk)
    assert outcomes == ["A started", "done"]
    assert result_a == "lost"
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.attempts == 2
    kept = list(ReportFile.objects.filter(report=report))
    assert len(kept) == 3
    for f in kept:
        assert default_storage.exists(f.storage_name)
    # A's files were deleted: only B's three remain under the report's folder.
    names = set(default_storage.listdir(folder)[1]) - earlier
    assert names == {f.storage_name.rsplit("/", 1)[1] for f in kept}


def test_asking_again_regenerates_and_replaces_the_files(
    world: Any, cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = services.report_request(
            actor=cast.leader,
            kind=ReportKind.MONTHLY,
            region=world.town_a,
            start=date(2026, 11, 1),
            end=date(2026, 11, 30),
        )
    assert first.created
    report = first.report
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    old = {f.fmt: (f.storage_name, f.sha256) for f in report.files.all()}
    with django_capture_on_commit_callbacks(execute=True):
        again = services.report_request(
            actor=cast.dispatcher,
            kind=ReportKind.MONTHLY,
            region=world.town_a,
            start=date(2026, 11, 1),
            end=date(2026, 11, 30),
        )
    assert not again.created
    assert Report.objects.count() == 1
    report.refresh_from_db()
    assert report.requested_by == cast.dispatcher
    new = {f.fmt: (f.storage_name, f.sha256) for f in report.files.all()}
    assert set(new) == set(old)
    assert all(new[fmt][0] != old[fmt][0] for fmt in old)
    assert not default_storage.exists(old["pdf"][0])
    event = AuditEvent.objects.filter(event_type=EventType.REPORT_GENERATED).order_by("pk").last()
    assert event is not None
    assert event.before == {fmt: sha for fmt, (_name, sha) in old.items()}
    assert event.after is not None
    assert event.after["pdf"] == new["pdf"][1]


def test_a_failure_is_shown_and_asking_again_retries(
    world: Any, cast: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    def broken(content: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "render_all", broken)
    report = _monthly(world, cast.leader)
    assert services.report_generate(report_id=report.pk) == "failed"
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "生成时出错（RuntimeError）" in report.error
    assert "重新生成" in report.error
    assert AuditEvent.objects.filter(event_type=EventType.REPORT_FAILED).count() == 1
    # The schedule does not retry a failure by itself: whoever sees it asks again.
    assert services.report_generate(report_id=report.pk) == "skipped"
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_request(
            actor=cast.leader,
            kind=ReportKind.MONTHLY,
            region=world.town_a,
            start=date(2026, 11, 1),
            end=date(2026, 11, 30),
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    assert report.error == ""


@pytest.mark.parametrize(
    ("kind", "start", "end", "message"),
    [
        (ReportKind.MONTHLY, date(2026, 11, 2), date(2026, 11, 30), "月研判的时段应为"),
        (ReportKind.CUSTOM, date(2026, 11, 30), date(2026, 11, 1), "截止日期早于起始日期"),
        (ReportKind.CUSTOM, date(2024, 1, 1), date(2025, 6, 30), "时段最长为一年"),
    ],
)
def test_a_period_the_rules_refuse_is_told_in_chinese(
    world: Any, cast: Any, kind: str, start: date, end: date, message: str
) -> None:
    with pytest.raises(services.ReportError) as refused:
        services.report_request(
            actor=cast.leader, kind=kind, region=world.county, start=start, end=end
        )
    assert message in str(refused.value.messages[0])
    assert not Report.objects.exists()


def test_a_future_period_and_a_village_are_refused(world: Any, cast: Any) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(services.ReportError, match="尚未开始"):
        services.report_request(
            actor=cast.leader,
            kind=ReportKind.CUSTOM,
            region=world.county,
            start=tomorrow,
            end=tomorrow,
        )
    with pytest.raises(services.ReportError, match="区县或乡镇"):
        services.report_request(
            actor=cast.leader,
            kind=ReportKind.CUSTOM,
            region=world.village_east,
            start=date(2026, 1, 1),
            end=date(2026, 1, 31),
        )


def test_a_township_platform_cannot_ask_for_another_townships_report(world: Any, cast: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.report_request(
            actor=cast.dispatcher,
            kind=ReportKind.CUSTOM,
            region=world.town_b,
            start=date(2026, 1, 1),
            end=date(2026, 1, 31),
        )
    with pytest.raises(PermissionDenied):
        services.report_request(
            actor=cast.mediator_east,
            kind=ReportKind.CUSTOM,
            region=world.town_a,
            start=date(2026, 1, 1),
            end=date(2026, 1, 31),
        )
