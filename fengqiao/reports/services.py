"""Every write of the reports app: asking for a report (the schedule or a user), generating it
in the task queue, and recording a download.

A report is generated at most once at a time and exactly once per request, whatever the
workers do:
- its row is unique per (kind, region, period): two schedulers, a rerun of the periodic task or
  a user asking for the same report find the row and add nothing;
- a worker claims a queued report under a row lock with a fresh token; a second worker finds it
  claimed and leaves it; the files are written under the token's names and committed only if
  the token still holds, so a worker whose claim was taken over writes nothing that stays;
- a claim older than ``CLAIM_LEASE`` belongs to a worker that died: the periodic task queues
  the report again (``reports_requeue_stale``) and the next worker takes it over.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.assessment.choices import Level, PeriodKind
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.queue import enqueue_or_run
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.reports import schedule
from fengqiao.reports.choices import ReportFormat, ReportKind, ReportOrigin, ReportStatus
from fengqiao.reports.content import build_content
from fengqiao.reports.models import Report, ReportFile
from fengqiao.reports.policy import GENERATE, report_may
from fengqiao.reports.render import Rendered, render_all
from fengqiao.stats.periods import Period

logger = logging.getLogger(__name__)

STORAGE_DIR = "reports"
# A worker that has held a report this long without finishing has died (a year's report of a
# large county takes well under a minute: docs/reports.md).
CLAIM_LEASE = timedelta(minutes=30)
# A queued report no worker took within this time is queued again (the queue lost it).
QUEUE_GRACE = timedelta(minutes=10)
# The longest span a report may cover: a year (a leap year's 366 days).
MAX_SPAN_DAYS = 366
# The region levels a report is made for: the county and its townships (their platforms).
REPORT_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP)
PLATFORM_KIND = "platform"
CONTENT_TYPES: dict[str, str] = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ReportError(ValidationError):
    """A request the rules refuse; the message is Chinese and shown to the user."""


def _period(report: Report) -> Period:
    """The report's period; a scheduled kind's as that kind (its label, its previous period)."""
    if report.kind in schedule.KIND_PERIOD:
        return schedule.period_for(report.kind, report.period_start)
    return Period(report.period_start, report.period_end)


def _queue(report_ids: Iterable[int]) -> None:
    """Generate each report in the task queue once the caller's transaction commits (in this
    process when the queue is unreachable, rather than not at all)."""
    from fengqiao.reports.tasks import generate_report

    for report_id in report_ids:
        transaction.on_commit(
            lambda pk=report_id: enqueue_or_run(generate_report, pk),  # type: ignore[misc]
            robust=True,
        )


def check_period(*, kind: str, start: date, end: date, today: date) -> None:
    """A scheduled kind covers exactly its week, month, quarter or year; any kind covers at
    most a year, forward, and has started by ``today``."""
    if end < start:
        raise ReportError(_("截止日期早于起始日期。"))
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        raise ReportError(_("时段最长为一年（%(n)d 天）。") % {"n": MAX_SPAN_DAYS})
    if start > today:
        raise ReportError(_("时段尚未开始，不能生成报表。"))
    if kind in schedule.KIND_PERIOD:
        expected = schedule.period_for(kind, start)
        if (expected.start, expected.end) != (start, end):
            raise ReportError(
                _("%(kind)s的时段应为 %(start)s 至 %(end)s。")
                % {"kind": ReportKind(kind).label, "start": expected.start, "end": expected.end}
            )


@dataclass(frozen=True)
class RequestResult:
    report: Report
    created: bool
    # False when the report was already queued or running: nothing more was asked of it.
    queued: bool


def report_request(
    *, actor: Any, kind: str, region: Region, start: date, end: date
) -> RequestResult:
    """A user asks for a report (报表中心's form): a new one is queued; an existing one is
    queued again (regenerated: its files are replaced when done), unless it is already queued
    or running."""
    if kind not in ReportKind.values:
        raise ReportError(_("请选择报表类型。"))
    if region.level not in REPORT_LEVELS:
        raise ReportError(_("报表按区县或乡镇（街道）生成，请选择区县或乡镇。"))
    if not report_may(actor, GENERATE, region):
        raise PermissionDenied(_("您不能为该区域生成报表。"))
    check_period(kind=kind, start=start, end=end, today=timezone.localdate())
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            kind=kind,
            region=region,
            period_start=start,
            period_end=end,
            defaults={"origin": ReportOrigin.ON_DEMAND, "requested_by": actor},
        )
        report = Report.objects.select_for_update().get(pk=report.pk)
        if not created and report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING):
            return RequestResult(report, created=False, queued=False)
        before = {"status": report.status}
        _requeue(report, actor=actor, at=timezone.now(), reason="")
        audit_record(
            actor=actor,
            event_type=EventType.REPORT_REQUESTED,
            obj=report,
            before=None if created else before,
            after=_describe(report),
        )
        _queue([report.pk])
    return RequestResult(report, created=created, queued=True)


def _requeue(report: Report, *, actor: Any, at: Any, reason: str) -> None:
    """Queue ``report`` again for ``actor`` (a worker's claim on it ends: it keeps nothing),
    with the ``reason`` 报表中心 shows ("" for a user's own request)."""
    report.status = ReportStatus.QUEUED
    report.requested_by = actor
    report.requested_at = at
    report.claim_token = ""
    report.claimed_at = None
    report.reason = reason
    report.save(
        update_fields=[
            "status",
            "requested_by",
            "requested_at",
            "claim_token",
            "claimed_at",
            "reason",
        ]
    )


# The kinds that print the assessment's ranking of a quarter (季通报) or of a year (年考核, the
# annual survey): ``content.assessed_ranking``.
RANKING_KINDS: dict[str, tuple[str, ...]] = {
    PeriodKind.QUARTER: (ReportKind.QUARTERLY,),
    PeriodKind.YEAR: (ReportKind.YEARLY, ReportKind.ANNUAL_SURVEY),
}


def reports_follow_ranking(*, actor: Any, publication: Any) -> list[str]:
    """A ranking was published or republished (``assessment.hooks.ranking_published``, in
    the publication's transaction): every existing report that prints that ranking — the
    county's 季通报 (a quarter) or 年考核 and annual survey (a year) for the townships'
    ranking, its townships' for the communities' ranking — is queued again with the reason
    shown on 报表中心, so none keeps showing the ranking it printed before. A report being
    generated loses its claim (its worker read the old ranking and keeps nothing); the new
    generation replaces the files, the digests before and after in the audit log. Returns
    what the publisher is told."""
    kinds = RANKING_KINDS.get(publication.period_kind, ())
    county = publication.region
    if publication.level == Level.TOWNSHIP:
        regions = Region.objects.filter(pk=county.pk)
    else:
        regions = Region.objects.filter(
            path__startswith=county.path, level=RegionLevel.TOWNSHIP
        ).exclude(pk=county.pk)
    found = list(
        Report.objects.select_for_update()
        .select_related("region")
        .filter(
            kind__in=kinds,
            region__in=regions,
            period_start=publication.period_start,
            period_end=publication.period_end,
        )
        .order_by("region__path", "kind")
    )
    if not found:
        return []
    now = timezone.now()
    reason = _("考核排名已发布第%(v)d版（%(at)s），本报表据此重新生成。") % {
        "v": publication.version,
        "at": timezone.localtime(publication.published_at).strftime("%Y-%m-%d %H:%M"),
    }
    for report in found:
        before = {"status": report.status, "attempts": report.attempts}
        # A worker generating it now read the ranking being replaced: its claim ends here and
        # its files are not kept (``report_generate`` commits only under a live claim).
        _requeue(report, actor=actor, at=now, reason=reason)
        audit_record(
            actor=actor,
            event_type=EventType.REPORT_REQUESTED,
            obj=report,
            before=before,
            after={
                **_describe(report),
                "reason": "ranking_published",
                "publication": publication.pk,
                "version": publication.version,
            },
        )
    _queue(r.pk for r in found)
    return [
        _("打印该期排名的 %(n)d 份报表已重新排队生成（%(list)s），完成后可在报表中心下载。")
        % {
            "n": len(found),
            "list": "、".join(f"{r.region.name}{r.get_kind_display()}" for r in found),
        }
    ]


def on_ranking_published(publication: Any, actor: Any) -> list[str]:
    """``assessment.hooks``' listener (registered in ``apps.ReportsConfig.ready``)."""
    return reports_follow_ranking(actor=actor, publication=publication)


def _describe(report: Report) -> dict[str, Any]:
    return {
        "kind": report.kind,
        "region": report.region.code,
        "period": [report.period_start.isoformat(), report.period_end.isoformat()],
    }


def report_regions() -> list[Region]:
    """The regions the schedule makes reports for: each county and township with a platform
    (综治中心/平安办)."""
    ids = Organization.objects.filter(
        kind__code=PLATFORM_KIND, region__level__in=REPORT_LEVELS
    ).values("region_id")
    return list(Region.objects.filter(pk__in=ids).order_by("path"))


@dataclass
class ScheduleResult:
    created: int = 0
    requeued: int = 0
    due: list[str] = field(default_factory=list)
    provisional_years: list[int] = field(default_factory=list)


def reports_schedule(*, today: date | None = None) -> ScheduleResult:
    """The periodic task's work: each report due by ``today`` (``schedule.due_on``) for each
    county and township platform, created once and queued; and the reports a dead worker or a
    lost message left behind, queued again."""
    today = today or timezone.localdate()
    check = schedule.due_on(today)
    result = ScheduleResult(
        due=[f"{d.kind}:{d.period.start}" for d in check.due],
        provisional_years=check.provisional_years,
    )
    if check.provisional_years:
        logger.warning(
            "reports schedule: no holiday schedule for %s, working days presumed Monday-Friday",
            check.provisional_years,
        )
    result.created = len(
        _create_scheduled(check.due, report_regions(), note=check.note, queue=True)
    )
    result.requeued = reports_requeue_stale()
    return result


def _create_scheduled(
    due: Iterable[schedule.Due], regions: list[Region], *, note: str, queue: bool
) -> list[int]:
    """The schedule's reports of ``due`` for ``regions``, each created once (origin 系统,
    audited) and, with ``queue``, handed to the task queue; returns the ids created (a row
    that exists already is left as it is)."""
    created: list[int] = []
    for item in due:
        for region in regions:
            with transaction.atomic():
                report, made = Report.objects.get_or_create(
                    kind=item.kind,
                    region=region,
                    period_start=item.period.start,
                    period_end=item.period.end,
                    defaults={
                        "origin": ReportOrigin.SCHEDULED,
                        "requested_by": None,
                        "notes": note,
                    },
                )
                if not made:
                    continue
                created.append(report.pk)
                audit_record(
                    actor=None,
                    event_type=EventType.REPORT_REQUESTED,
                    obj=report,
                    after={**_describe(report), "origin": ReportOrigin.SCHEDULED},
                )
                if queue:
                    _queue([report.pk])
    return created


def reports_generate_latest(
    *, region: Region, today: date, kinds: Iterable[str] | None = None
) -> dict[str, str]:
    """The reports of the periods just ended by ``today`` (``schedule.latest``: last week's
    周分析, last month's 月研判, last quarter's 季通报, last year's 年考核 and annual survey; only
    ``kinds`` when given) for ``region``, created as the schedule creates them and generated
    here and now rather than in the task queue: the demo county's history in 报表中心 from its
    first minute. The rows are the schedule's, so the schedule finds them made and does not
    make them again. Returns what happened to each newly created report, by kind."""
    wanted = set(kinds) if kinds is not None else None
    due = [d for d in schedule.latest(today) if wanted is None or d.kind in wanted]
    ids = _create_scheduled(due, [region], note="", queue=False)
    kind_of = dict(Report.objects.filter(pk__in=ids).values_list("pk", "kind"))
    return {kind_of[pk]: report_generate(report_id=pk) for pk in ids}


def reports_requeue_stale(*, now: Any = None) -> int:
    """Queue again the reports whose worker died (claimed longer ago than the lease) or that
    no worker took (queued longer ago than the grace)."""
    now = now or timezone.now()
    stale = list(
        Report.objects.filter(
            status=ReportStatus.RUNNING, claimed_at__lt=now - CLAIM_LEASE
        ).values_list("pk", flat=True)
    ) + list(
        Report.objects.filter(
            status=ReportStatus.QUEUED, requested_at__lt=now - QUEUE_GRACE
        ).values_list("pk", flat=True)
    )
    with transaction.atomic():
        _queue(stale)
    return len(stale)


def _claim(report_id: int) -> tuple[Report, str] | None:
    """Take ``report_id`` for this worker: its report and the claim's token, or None when
    there is nothing to do (done, failed, or held by a live worker)."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update().select_related("region").filter(pk=report_id).first()
        )
        if report is None:
            return None
        now = timezone.now()
        held = report.status == ReportStatus.RUNNING and (
            report.claimed_at is not None and report.claimed_at >= now - CLAIM_LEASE
        )
        if report.status in (ReportStatus.DONE, ReportStatus.FAILED) or held:
            return None
        token = secrets.token_hex(16)
        report.status = ReportStatus.RUNNING
        report.claim_token = token
        report.claimed_at = now
        report.attempts += 1
        report.save(update_fields=["status", "claim_token", "claimed_at", "attempts"])
    return report, token


def _store(report: Report, token: str, rendered: Rendered) -> dict[str, tuple[str, int, str]]:
    """The three files in storage under names of this claim: {format: (name, size, sha256)}."""
    stored = {}
    for fmt, data in (
        (ReportFormat.PDF, rendered.pdf),
        (ReportFormat.DOCX, rendered.docx),
        (ReportFormat.XLSX, rendered.xlsx),
    ):
        name = default_storage.save(f"{STORAGE_DIR}/{report.pk}/{token}.{fmt}", ContentFile(data))
        stored[str(fmt)] = (name, len(data), hashlib.sha256(data).hexdigest())
    return stored


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("reports: could not delete %s", name, exc_info=True)


def report_generate(*, report_id: int) -> str:
    """The task queue's work on one report: claim it, read its content from stats, render it,
    store the files and mark it done (replacing the files of an earlier generation, with the
    digests before and after in the audit log); on an error, mark it failed with a message
    for whoever asks again. Returns what happened ("done", "failed", "skipped", "lost")."""
    claimed = _claim(report_id)
    if claimed is None:
        return "skipped"
    report, token = claimed
    try:
        content = build_content(
            kind=report.kind,
            region=report.region,
            period=_period(report),
            notes=[report.notes] if report.notes else [],
        )
        rendered = render_all(content)
        stored = _store(report, token, rendered)
    except Exception as exc:
        logger.exception("reports: generating report %s failed", report_id)
        _fail(report_id, token, exc)
        return "failed"
    with transaction.atomic():
        current = Report.objects.select_for_update().get(pk=report_id)
        if current.claim_token != token or current.status != ReportStatus.RUNNING:
            # Taken over (our lease ran out) or asked again meanwhile: the newer claim writes.
            transaction.on_commit(lambda: _delete_files(n for n, _s, _h in stored.values()))
            return "lost"
        old = {f.fmt: f for f in ReportFile.objects.select_for_update().filter(report=current)}
        replaced = [o.storage_name for o in old.values()]
        before = {fmt: o.sha256 for fmt, o in old.items()}
        now = timezone.now()
        for fmt, (name, size, digest) in stored.items():
            existing = old.get(fmt)
            if existing is None:
                ReportFile.objects.create(
                    report=current,
                    fmt=fmt,
                    storage_name=name,
                    size=size,
                    sha256=digest,
                    created_at=now,
                )
            else:
                existing.storage_name, existing.size, existing.sha256 = name, size, digest
                existing.created_at = now
                existing.save(update_fields=["storage_name", "size", "sha256", "created_at"])
        current.status = ReportStatus.DONE
        current.generated_at = now
        current.error = ""
        current.claim_token = ""
        current.save(update_fields=["status", "generated_at", "error", "claim_token"])
        audit_record(
            actor=current.requested_by,
            event_type=EventType.REPORT_GENERATED,
            obj=current,
            before=before or None,
            after={**_describe(current), **{f: v[2] for f, v in stored.items()}},
        )
        transaction.on_commit(lambda: _delete_files(replaced))
    return "done"


def _fail(report_id: int, token: str, exc: Exception) -> None:
    with transaction.atomic():
        current = Report.objects.select_for_update().get(pk=report_id)
        if current.claim_token != token:
            return
        current.status = ReportStatus.FAILED
        current.claim_token = ""
        # The kind of error only: its text may quote data.
        current.error = _(
            "生成时出错（%(error)s）。请稍后点“重新生成”；仍失败时请联系系统管理员查看日志。"
        ) % {"error": type(exc).__name__}
        current.save(update_fields=["status", "claim_token", "error"])
        audit_record(
            actor=current.requested_by,
            event_type=EventType.REPORT_FAILED,
            obj=current,
            after={**_describe(current), "error": type(exc).__name__},
        )


def report_file_open(*, actor: Any, file: ReportFile) -> Any:
    """Open a report's file for download (the caller checked the user may see the report);
    the download is in the audit log."""
    audit_record(
        actor=actor,
        event_type=EventType.REPORT_DOWNLOADED,
        obj=file.report,
        after={"format": file.fmt, "sha256": file.sha256},
    )
    return default_storage.open(file.storage_name, "rb")
