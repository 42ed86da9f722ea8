"""Every write of meetings, tasks and 法治宣传: keyword-only, with an ``actor``, refused by the
one policy (``policy.governance_may``), in one transaction with its audit event; notices after
commit (``notify``)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.accounts.models import RoleGrant
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core import uploads
from fengqiao.core.paths import PATH_SEGMENT
from fengqiao.governance import selectors
from fengqiao.governance.choices import FileKind, MeetingStatus, PublicityKind, TaskStatus
from fengqiao.governance.models import (
    Attendance,
    GovernanceFile,
    Meeting,
    MeetingType,
    PublicityActivity,
    Resolution,
    ResolutionTask,
)
from fengqiao.governance.policy import COMPLETE, CONVENE, RECORD, governance_may
from fengqiao.mediation.services import evidence_max_bytes
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.services import Message, notify_many, notify_orgs, users_by_org
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel

MAX_FILES = 10


class GovernanceRefused(Exception):
    """A write the rules refuse; the message (Chinese) says why."""


class AlreadyRecorded(Exception):
    """The same submit again: nothing new was saved (``obj`` is what the first one saved)."""

    def __init__(self, obj: Any) -> None:
        super().__init__(_("本次重复提交未再保存。"))
        self.obj = obj


@dataclass(frozen=True)
class Upload:
    file: IO[bytes]
    name: str
    size: int


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise GovernanceRefused(message)


def _check_file(upload: Upload) -> uploads.CheckedFile:
    """A JPEG, PNG or PDF within the evidence size limit, decoded (``core.uploads``)."""
    limit = evidence_max_bytes()
    if upload.size > limit:
        raise GovernanceRefused(
            _("文件过大：附件不能超过%(mb)sMB。") % {"mb": limit // (1024 * 1024)}
        )
    try:
        data = uploads.read_limited(upload.file, limit, _("附件"))
        return uploads.check_evidence(data, upload.name)
    except uploads.UploadRefused as exc:
        raise GovernanceRefused(str(exc)) from exc


def _check_files(files: Iterable[Upload]) -> list[tuple[Upload, uploads.CheckedFile]]:
    files = list(files)
    if len(files) > MAX_FILES:
        raise GovernanceRefused(_("一次最多上传%(n)d个文件。") % {"n": MAX_FILES})
    # Every file is checked before anything is written: one bad file saves none.
    return [(f, _check_file(f)) for f in files]


def _store(
    checked: uploads.CheckedFile, upload: Upload, actor: Any, **parent: Any
) -> GovernanceFile:
    # Stored before its row: a rollback leaves an orphan file at worst, never a row without one.
    stored = default_storage.save(
        f"governance/{secrets.token_urlsafe(24)}{checked.extension}", ContentFile(checked.data)
    )
    return GovernanceFile.objects.create(
        original_name=PurePath(upload.name).name[:255],
        storage_name=stored,
        content_type=checked.kind,
        size=len(checked.data),
        sha256=checked.original_sha256,
        uploaded_by=actor,
        **parent,
    )


def county_path(org: Organization) -> str:
    """The path of the county ``org`` sits in (its own region for a county-level org)."""
    return org.region.path[: PATH_SEGMENT * RegionLevel.COUNTY]


def _partner_orgs(org: Organization, org_ids: Iterable[int]) -> list[Organization]:
    """The orgs named, each an active org of the platform's county (a 人民法庭 serves two
    townships and sits in one of them): an id elsewhere is refused."""
    ids = {int(pk) for pk in org_ids}
    found = list(
        Organization.objects.filter(
            pk__in=ids, is_active=True, region__path__startswith=county_path(org)
        )
    )
    _refuse_unless(len(found) == len(ids), _("所选单位不存在或不在本区县内。"))
    return found


def _lock_meeting(actor: Any, meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
    if meeting is None:
        raise GovernanceRefused(_("会议不存在。"))
    _refuse_unless(
        governance_may(actor, RECORD, meeting), _("只有召集会议的平台工作人员可以记录会议情况。")
    )
    return meeting


# --- Meetings ----------------------------------------------------------------------------


def meeting_create(
    *,
    actor: Any,
    meeting_type_id: int,
    convening_org_id: int,
    title: str,
    held_on: date,
    place: str = "",
    participant_ids: Iterable[int] = (),
    held: bool = False,
    minutes: str = "",
    attachments: Iterable[Upload] = (),
    submit_key: str | None = None,
) -> Meeting:
    """安排或登记会议: a platform user's platform convenes it with the orgs that take part; a
    meeting recorded as held may carry its minutes and attachments at once."""
    if submit_key:
        existing = Meeting.objects.filter(submit_key=submit_key).first()
        if existing is not None:
            raise AlreadyRecorded(existing)
    org = Organization.objects.filter(pk=convening_org_id).select_related("region").first()
    if org is None or not governance_may(actor, CONVENE, org):
        raise GovernanceRefused(_("只有综治中心（平安办）的工作人员可以以本平台名义召集会议。"))
    mtype = MeetingType.objects.filter(pk=meeting_type_id, is_active=True).first()
    if mtype is None:
        raise GovernanceRefused(_("请选择会议类型。"))
    title = title.strip()
    _refuse_unless(bool(title), _("请填写会议名称。"))
    _refuse_unless(
        not held or held_on <= timezone.localdate(),
        _("会议日期在今天之后，不能登记为已召开；请先安排会议，召开后再记录。"),
    )
    partners = _partner_orgs(org, [pk for pk in participant_ids if int(pk) != org.pk])
    checked = _check_files(attachments)
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                meeting_type=mtype,
                convening_org=org,
                region=org.region,
                title=title[:200],
                held_on=held_on,
                place=place.strip()[:200],
                status=MeetingStatus.HELD if held else MeetingStatus.SCHEDULED,
                minutes=minutes.strip() if held else "",
                created_by=actor,
                submit_key=submit_key or None,
            )
            meeting.participants.set(partners)
            for upload, file in checked:
                _store(file, upload, actor, kind=FileKind.ATTACHMENT, meeting=meeting)
            audit_record(
                actor=actor,
                event_type=EventType.GOV_MEETING,
                obj=meeting,
                after={
                    "type": mtype.code,
                    "held_on": held_on.isoformat(),
                    "status": meeting.status,
                    "participants": sorted(p.pk for p in partners),
                },
            )
    except IntegrityError:
        # A second submit of the same form that raced past the check above.
        existing = Meeting.objects.filter(submit_key=submit_key).first()
        if existing is None:
            raise
        raise AlreadyRecorded(existing) from None
    return meeting


def meeting_record(
    *,
    actor: Any,
    meeting_id: int,
    minutes: str,
    attachments: Iterable[Upload] = (),
) -> Meeting:
    """记录会议纪要: the meeting is held (no longer only scheduled) with these minutes."""
    checked = _check_files(attachments)
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        _refuse_unless(
            meeting.held_on <= timezone.localdate(),
            _("会议日期在今天之后，尚不能记录会议纪要。"),
        )
        minutes = minutes.strip()
        if minutes == meeting.minutes and meeting.status == MeetingStatus.HELD and not checked:
            raise AlreadyRecorded(meeting)
        before = {"status": meeting.status, "minutes": len(meeting.minutes)}
        meeting.minutes = minutes
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["minutes", "status"])
        for upload, file in checked:
            _store(file, upload, actor, kind=FileKind.ATTACHMENT, meeting=meeting)
        audit_record(
            actor=actor,
            event_type=EventType.GOV_MEETING_RECORD,
            obj=meeting,
            before=before,
            after={"status": meeting.status, "minutes": len(minutes), "files": len(checked)},
        )
    return meeting


def attendance_add(
    *,
    actor: Any,
    meeting_id: int,
    org_id: int,
    name: str,
    position: str = "",
    present: bool = True,
    absence_reason: str = "",
) -> Attendance:
    """登记出席情况: who came from which org, or who was absent and why."""
    name, absence_reason = name.strip(), absence_reason.strip()
    _refuse_unless(bool(name), _("请填写参会人员姓名。"))
    _refuse_unless(present or bool(absence_reason), _("缺席的人员请填写缺席原因。"))
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        orgs = {meeting.convening_org_id, *meeting.participants.values_list("pk", flat=True)}
        _refuse_unless(org_id in orgs, _("该单位不是本次会议的召集或参会单位。"))
        if meeting.attendance.filter(org_id=org_id, name=name).exists():
            raise AlreadyRecorded(meeting)
        row = Attendance.objects.create(
            meeting=meeting,
            org_id=org_id,
            name=name[:50],
            position=position.strip()[:50],
            present=present,
            absence_reason="" if present else absence_reason[:200],
        )
        audit_record(
            actor=actor,
            event_type=EventType.GOV_MEETING_RECORD,
            obj=meeting,
            after={"attendance": row.pk, "org": org_id, "present": present},
        )
    return row


def task_url(task: ResolutionTask) -> str:
    return reverse("governance:task_detail", args=[task.pk])


def resolution_add(
    *,
    actor: Any,
    meeting_id: int,
    text: str,
    owner_org_id: int,
    due_date: date,
    owner_user_id: int | None = None,
) -> ResolutionTask:
    """会议决定事项 → 交办任务: the resolution, and its task for the org (and person) that owns
    it, due on ``due_date``; the owner is told (交办)."""
    text = text.strip()
    _refuse_unless(bool(text), _("请填写决定事项的内容。"))
    with transaction.atomic():
        meeting = _lock_meeting(actor, meeting_id)
        _refuse_unless(
            meeting.status == MeetingStatus.HELD,
            _("会议召开并记录纪要后，才能登记决定事项。"),
        )
        _refuse_unless(due_date >= meeting.held_on, _("办结期限不能早于会议日期。"))
        orgs = {meeting.convening_org_id, *meeting.participants.values_list("pk", flat=True)}
        _refuse_unless(owner_org_id in orgs, _("责任单位须是本次会议的召集或参会单位。"))
        if owner_user_id is not None:
            _refuse_unless(
                RoleGrant.objects.filter(user_id=owner_user_id, org_id=owner_org_id).exists(),
                _("责任人须是责任单位的工作人员。"),
            )
        existing = meeting.resolutions.filter(text=text).select_related("task").first()
        if existing is not None:
            raise AlreadyRecorded(existing.task)
        number = meeting.resolutions.count() + 1
        resolution = Resolution.objects.create(meeting=meeting, number=number, text=text)
        task = ResolutionTask.objects.create(
            resolution=resolution,
            owner_org_id=owner_org_id,
            owner_user_id=owner_user_id,
            due_date=due_date,
        )
        audit_record(
            actor=actor,
            event_type=EventType.GOV_RESOLUTION,
            obj=task,
            after={
                "meeting": meeting.pk,
                "number": number,
                "owner_org": owner_org_id,
                "owner_user": owner_user_id,
                "due_date": due_date.isoformat(),
            },
        )
        notify_orgs(
            orgs=[task.owner_org],
            kind=NotificationKind.ASSIGNMENT,
            title=_("会议交办：%(text)s") % {"text": text[:60]},
            body=_("%(meeting)s 决定事项，请于%(due)s前办结并登记办结情况。")
            % {"meeting": meeting.title, "due": due_date.isoformat()},
            url=task_url(task),
        )
    return task


def task_complete(
    *,
    actor: Any,
    task_id: int,
    evidence_text: str,
    evidence_files: Iterable[Upload] = (),
) -> ResolutionTask:
    """办结 a task with the evidence it was done (what was done, and optionally its papers);
    the convening platform is told."""
    evidence_text = evidence_text.strip()
    _refuse_unless(bool(evidence_text), _("请填写办结情况。"))
    checked = _check_files(evidence_files)
    with transaction.atomic():
        task = (
            ResolutionTask.objects.select_for_update(of=("self",))
            .select_related("resolution__meeting__convening_org", "owner_org")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise GovernanceRefused(_("任务不存在。"))
        if task.status == TaskStatus.DONE:
            raise AlreadyRecorded(task)
        _refuse_unless(
            governance_may(actor, COMPLETE, task), _("只有责任单位的工作人员可以登记办结。")
        )
        task.status = TaskStatus.DONE
        task.done_at = timezone.now()
        task.done_by = actor
        task.evidence_text = evidence_text
        task.save(update_fields=["status", "done_at", "done_by", "evidence_text"])
        for upload, file in checked:
            _store(file, upload, actor, kind=FileKind.EVIDENCE, task=task)
        audit_record(
            actor=actor,
            event_type=EventType.GOV_TASK_DONE,
            obj=task,
            after={"files": len(checked), "late": task.due_date < timezone.localdate()},
        )
        meeting = task.resolution.meeting
        notify_orgs(
            orgs=[meeting.convening_org],
            kind=NotificationKind.RESULT,
            title=_("交办任务已办结：%(text)s") % {"text": task.resolution.text[:60]},
            body=_("%(org)s 已办结 %(meeting)s 的决定事项。")
            % {"org": task.owner_org.name, "meeting": meeting.title},
            url=task_url(task),
        )
    return task


# --- Reminders (tasks.py) ----------------------------------------------------------------


@dataclass(frozen=True)
class RemindResult:
    reminded: int
    overdue: int


def task_remind(*, today: date | None = None) -> RemindResult:
    """The daily sweep: each open task's owner is reminded once a few days before its
    deadline, and told once — with the convening platform — when it has passed. The rows are
    locked (others skipped) and marked in the same transaction: two sweeps send nothing twice."""
    today = today or timezone.localdate()
    soon, overdue = selectors.tasks_to_remind(today)
    now = timezone.now()
    with transaction.atomic():
        late = list(
            overdue.select_for_update(skip_locked=True, of=("self",))
            .select_related("resolution__meeting")
            .order_by("pk")
        )
        due = list(
            soon.exclude(pk__in=[t.pk for t in late])
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("resolution__meeting")
            .order_by("pk")
        )
        orgs = {t.owner_org_id for t in [*late, *due]} | {
            t.resolution.meeting.convening_org_id for t in late
        }
        by_org = users_by_org(orgs)
        messages = [
            Message(
                [*by_org[t.owner_org_id], *by_org[t.resolution.meeting.convening_org_id]],
                NotificationKind.OVERDUE,
                _("会议交办任务已逾期：%(text)s") % {"text": t.resolution.text[:60]},
                _("办结期限为%(due)s，请尽快办结并登记办结情况。")
                % {"due": t.due_date.isoformat()},
                task_url(t),
            )
            for t in late
        ] + [
            Message(
                by_org[t.owner_org_id],
                NotificationKind.REMINDER,
                _("会议交办任务即将到期：%(text)s") % {"text": t.resolution.text[:60]},
                _("办结期限为%(due)s。") % {"due": t.due_date.isoformat()},
                task_url(t),
            )
            for t in due
        ]
        notify_many(messages)
        # A task first seen already overdue is not also reminded before its deadline.
        ResolutionTask.objects.filter(pk__in=[t.pk for t in late]).update(overdue_notified_at=now)
        ResolutionTask.objects.filter(pk__in=[t.pk for t in due]).update(reminded_at=now)
    return RemindResult(reminded=len(due), overdue=len(late))


# --- 法治宣传 ---------------------------------------------------------------------------


def publicity_record(
    *,
    actor: Any,
    organizer_id: int,
    kind: str,
    title: str,
    held_on: date,
    org_ids: Iterable[int] = (),
    audience: int = 0,
    note: str = "",
    photos: Iterable[Upload] = (),
    submit_key: str | None = None,
) -> PublicityActivity:
    """登记法治宣传活动 with the orgs it was held with (joint: at least one) and its photos."""
    if submit_key:
        existing = PublicityActivity.objects.filter(submit_key=submit_key).first()
        if existing is not None:
            raise AlreadyRecorded(existing)
    org = Organization.objects.filter(pk=organizer_id).select_related("region").first()
    if org is None or not governance_may(actor, CONVENE, org):
        raise GovernanceRefused(_("只有综治中心（平安办）的工作人员可以登记本平台的法治宣传活动。"))
    _refuse_unless(kind in PublicityKind.values, _("请选择活动类型。"))
    title = title.strip()
    _refuse_unless(bool(title), _("请填写活动名称。"))
    _refuse_unless(held_on <= timezone.localdate(), _("活动日期不能晚于今天。"))
    _refuse_unless(audience >= 0, _("受众人数不能为负数。"))
    partners = _partner_orgs(org, [pk for pk in org_ids if int(pk) != org.pk])
    checked = _check_files(photos)
    try:
        with transaction.atomic():
            activity = PublicityActivity.objects.create(
                organizer=org,
                region=org.region,
                kind=kind,
                title=title[:200],
                held_on=held_on,
                audience=audience,
                note=note.strip(),
                created_by=actor,
                submit_key=submit_key or None,
            )
            activity.orgs.set(partners)
            for upload, file in checked:
                _store(file, upload, actor, kind=FileKind.PHOTO, activity=activity)
            audit_record(
                actor=actor,
                event_type=EventType.GOV_PUBLICITY,
                obj=activity,
                after={
                    "kind": kind,
                    "held_on": held_on.isoformat(),
                    "orgs": sorted(p.pk for p in partners),
                    "audience": audience,
                    "photos": len(checked),
                },
            )
    except IntegrityError:
        existing = PublicityActivity.objects.filter(submit_key=submit_key).first()
        if existing is None:
            raise
        raise AlreadyRecorded(existing) from None
    return activity


def file_open(*, actor: Any, file: GovernanceFile) -> IO[bytes]:
    """The stored bytes of a file the caller found visible (``selectors.file_get_for_user``)."""
    return default_storage.open(file.storage_name, "rb")
