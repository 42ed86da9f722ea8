from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import AuditEntry, audit_record_entries
from fengqiao.core.bulk import insert_rows, quoted_column, quoted_table
from fengqiao.notify import live
from fengqiao.notify.choices import DeliveryStatus
from fengqiao.notify.models import Delivery, Notification

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    """One message for a list of recipients (written once per active recipient)."""

    recipients: Sequence[User]
    kind: str
    title: str
    body: str = ""
    url: str = ""
    case: Any = None
    # Extra fields for the live push to open pages (``live.notification_payload``), e.g. the
    # action an alarm's notice offers; not stored.
    live: dict[str, Any] | None = None


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    case: Any = None,
    live_extra: dict[str, Any] | None = None,
) -> list[Notification]:
    """Write one in-app message per recipient; open pages are told live after commit, and the
    outbox worker sends it by SMS, email and group robot (``fengqiao.notify.outbox``)."""
    return notify_many([Message(list(recipients), kind, title, body, url, case, live_extra)])


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """Write many messages in one INSERT (a sweep's reminders and 督办 orders); each recipient
    gets a message once; open pages are told live after commit and the outbox sends the rest."""
    rows: list[Notification] = []
    extras: list[dict[str, Any]] = []
    # One time for the call: the messages of one event are one post to a group robot.
    now = timezone.now()
    for message in messages:
        for u in _recipients(message):
            rows.append(
                Notification(
                    recipient=u,
                    kind=message.kind,
                    title=message.title[:200],
                    body=message.body,
                    url=message.url,
                    case=message.case,
                    created_at=now,
                )
            )
            extras.append(message.live or {})
    rows = Notification.objects.bulk_create(rows)
    if rows:
        kick_after_commit()
    live.push_after_commit(
        (live.user_group(row.recipient_id), live.notification_payload(row, **extra))
        for row, extra in zip(rows, extras, strict=True)
    )
    return rows


def _refresh(groups: Iterable[str]) -> None:
    """Tell the open pages of ``groups`` after commit that their unread count changed (the
    bulk paths write rows without objects to describe)."""
    live.push_after_commit((group, {"event": "unread"}) for group in sorted(set(groups)))


NOTIFICATION_COLUMNS = ("recipient_id", "kind", "title", "body", "url", "case_id", "created_at")


def notify_rows(messages: Iterable[Message]) -> int:
    """``notify_many`` for a large batch (a sweep's): the rows are written without a
    ``Notification`` instance each; returns how many."""
    now = timezone.now()
    rows = [
        (u.pk, m.kind, m.title[:200], m.body, m.url, getattr(m.case, "pk", None), now)
        for m in messages
        for u in _recipients(m)
    ]
    _refresh(live.user_group(row[0]) for row in rows)
    if rows:
        kick_after_commit()
    return insert_rows(Notification, NOTIFICATION_COLUMNS, rows)


def _recipients(message: Message) -> list[User]:
    """Who gets ``message``: each active recipient once, in the order given."""
    unique = {u.pk: u for u in message.recipients if u is not None and u.is_active}
    return list(unique.values())


def notification_mark_read(*, actor: User, notification_ids: Iterable[int] | None = None) -> int:
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=timezone.now())


def notify_orgs(
    *,
    orgs: Iterable[Any],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    case: Any = None,
) -> int:
    """``notify`` to the users acting for ``orgs`` (``org_users`` of each, every active user
    once) in one statement that reads them from their role grants (``INSERT … SELECT``), not
    a read and then a write; returns how many. The rows leave ``fanned_out_at`` empty, so the
    outbox sends them on like any other."""
    org_ids = sorted({org.pk for org in orgs if org is not None})
    if not org_ids:
        return 0
    from fengqiao.accounts.models import RoleGrant

    columns = ", ".join(quoted_column(Notification, name) for name in NOTIFICATION_COLUMNS)
    org_marks = ", ".join(["%s"] * len(org_ids))
    user_id = quoted_column(User, "id")
    # Identifiers from the models' metadata, quoted; every value is a parameter.
    sql = (
        f"INSERT INTO {quoted_table(Notification)} ({columns}) "  # noqa: S608
        f"SELECT {user_id}, %s, %s, %s, %s, %s, %s FROM {quoted_table(User)} "
        f"WHERE {quoted_column(User, 'is_active')} AND {user_id} IN ("
        f"SELECT {quoted_column(RoleGrant, 'user')} FROM {quoted_table(RoleGrant)} "
        f"WHERE {quoted_column(RoleGrant, 'org')} IN ({org_marks})) "
        f"ORDER BY {user_id}"
    )
    created = Notification._meta.get_field("created_at")
    now = cast("models.DateTimeField[Any, Any]", created).get_db_prep_value(
        timezone.now(), connection
    )
    params = [kind, title[:200], body, url, getattr(case, "pk", None), now, *org_ids]
    _refresh(live.org_group(pk) for pk in org_ids)
    kick_after_commit()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def enqueue_sms(*, phone: str, text: str, kind: str, key: str) -> Delivery:
    """One SMS to a bare phone number (a party, an applicant on the portal — no account): an
    outbox row like the fan-out writes (the number encrypted, shown masked), sent by the worker
    after commit. ``key`` names the message: the same key never writes a second row, so a
    repeated call (a double click, a retried task) sends once. Raises ``ValueError`` for a
    number that is not a mainland mobile or a kind that does not exist."""
    from fengqiao.core.masking import mask_phone
    from fengqiao.core.validators import MOBILE
    from fengqiao.notify.choices import Channel, NotificationKind
    from fengqiao.notify.outbox import dedupe_key
    from fengqiao.notify.texts import MAX_LENGTH

    phone = phone.strip()
    if not MOBILE.fullmatch(phone):
        raise ValueError("not a mainland mobile number")
    if kind not in NotificationKind.values:
        raise ValueError(f"unknown kind {kind!r}")
    if not key or len(key) > 200:
        raise ValueError("key must be 1 to 200 characters")
    row, created = Delivery.objects.get_or_create(
        dedupe_key=dedupe_key("sms", key),
        defaults={
            "channel": Channel.SMS,
            "kind": kind,
            "address": phone,
            "address_masked": mask_phone(phone),
            "subject": str(NotificationKind(kind).label)[:200],
            "text": text[: MAX_LENGTH[Channel.SMS]],
        },
    )
    if created:
        kick_after_commit()
    return row


@dataclass(frozen=True)
class Sms:
    """One SMS to a bare phone number for ``enqueue_sms_many`` (``template_error``: the
    administrator's template failed and the built-in words were used)."""

    phone: str
    text: str
    kind: str
    key: str
    template_error: str = ""


def enqueue_sms_many(messages: Iterable[Sms]) -> list[str]:
    """Several SMS to bare phone numbers in one INSERT, with the rules of ``enqueue_sms``: each
    key writes at most one row ever (a row already there is left as it is), sent by the worker
    after commit. Returns each message's ``Delivery.dedupe_key``, in order. The parties of a
    case are told a step this way: a constant number of queries, however many parties."""
    from fengqiao.core.masking import mask_phone
    from fengqiao.core.validators import MOBILE
    from fengqiao.notify.choices import Channel, NotificationKind
    from fengqiao.notify.outbox import dedupe_key
    from fengqiao.notify.texts import MAX_LENGTH

    rows = []
    for message in messages:
        phone = message.phone.strip()
        if not MOBILE.fullmatch(phone):
            raise ValueError("not a mainland mobile number")
        if message.kind not in NotificationKind.values:
            raise ValueError(f"unknown kind {message.kind!r}")
        if not message.key or len(message.key) > 200:
            raise ValueError("key must be 1 to 200 characters")
        rows.append(
            Delivery(
                dedupe_key=dedupe_key("sms", message.key),
                channel=Channel.SMS,
                kind=message.kind,
                address=phone,
                address_masked=mask_phone(phone),
                subject=str(NotificationKind(message.kind).label)[:200],
                text=message.text[: MAX_LENGTH[Channel.SMS]],
                template_error=message.template_error[:300],
            )
        )
    if rows:
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        kick_after_commit()
    return [row.dedupe_key for row in rows]


def kick_after_commit() -> None:
    """Ask the worker to drain the outbox once this transaction commits (the sweep every
    minute catches anything a lost request leaves). Only a queue message leaves here."""
    if settings.FENGQIAO_NOTIFY_KICK:
        transaction.on_commit(_kick)


def _kick() -> None:
    from fengqiao.notify.tasks import drain_now

    try:
        drain_now()
    except Exception:
        # The queue is down: the minute's sweep sends these when it is back; the web process
        # makes no network call of its own for them.
        logger.warning("task queue unreachable: the outbox waits for the next sweep")


def delivery_retry(*, actor: User, delivery_ids: Iterable[int]) -> int:
    """Send failed deliveries (死信) again from the first try; each is an audit event."""
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=list(delivery_ids), status=DeliveryStatus.DEAD)
            .order_by("pk")
        )
        if not rows:
            return 0
        Delivery.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        audit_record_entries(
            (
                AuditEntry(
                    EventType.DELIVERY_RETRIED,
                    obj=r,
                    after={
                        "status": str(DeliveryStatus.PENDING),
                        "attempts_before": r.attempts,
                        "error": r.last_error,
                    },
                )
                for r in rows
            ),
            actor=actor,
        )
        kick_after_commit()
    return len(rows)


def org_users(org: Any) -> list[User]:
    """The users who act for an organization: those holding a role granted at it."""
    if org is None:
        return []
    return list(User.objects.filter(role_grants__org=org, is_active=True).distinct())


def users_by_org(org_ids: Iterable[int]) -> dict[int, list[User]]:
    """``org_users`` for many orgs in one query (org id → its active users)."""
    from fengqiao.accounts.models import RoleGrant

    found: dict[int, dict[int, User]] = {pk: {} for pk in org_ids}
    grants = RoleGrant.objects.filter(org_id__in=list(found), user__is_active=True).select_related(
        "user"
    )
    for grant in grants:
        if grant.org_id is not None:
            found[grant.org_id][grant.user_id] = grant.user
    return {pk: list(users.values()) for pk, users in found.items()}


ROBOT_SECRET_FIELDS = ("url", "secret")


def robot_save(*, actor: User, robot: Any, adding: bool, changed: Iterable[str] = ()) -> Any:
    """Save a group robot edited in the admin, audited like reference data except that its
    address and secret are never written into the log (only that they changed)."""
    from fengqiao.audit.services import audit_record, reference_values

    def shown(values: dict[str, Any]) -> dict[str, Any]:
        return {
            k: ("***" if k in ROBOT_SECRET_FIELDS and v else v)
            for k, v in values.items()
            if adding or k in changed
        }

    with transaction.atomic():
        robot.save()
        audit_record(
            actor=actor,
            event_type=EventType.REFERENCE_ADDED if adding else EventType.REFERENCE_CHANGED,
            obj=robot,
            after=shown(reference_values(robot)),
        )
    return robot


def preferences_set(*, actor: User, wanted: dict[tuple[str, str], bool]) -> int:
    """Save ``actor``'s own choices (kind, channel) → send or not; a choice equal to what the
    org or the default gives is stored too, so it holds if those change. Returns how many
    changed."""
    from fengqiao.notify.choices import STAFF_KINDS
    from fengqiao.notify.models import ChannelPreference
    from fengqiao.notify.preferences import PERSONAL_CHANNELS

    changed = 0
    with transaction.atomic():
        current = {
            (p.kind, p.channel): p
            for p in ChannelPreference.objects.select_for_update().filter(user=actor)
        }
        for (kind, channel), enabled in wanted.items():
            if kind not in STAFF_KINDS or channel not in PERSONAL_CHANNELS:
                continue
            row = current.get((kind, channel))
            if row is None:
                ChannelPreference.objects.create(
                    user=actor, kind=kind, channel=channel, enabled=enabled
                )
                changed += 1
            elif row.enabled != enabled:
                row.enabled = enabled
                row.save(update_fields=["enabled"])
                changed += 1
    return changed
