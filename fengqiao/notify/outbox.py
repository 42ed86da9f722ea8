"""The outbox: messages committed in-app become deliveries (SMS, email, group robots) that a
worker sends outside any transaction, with retries, backoff and dead letters.

1. **Fan-out** (``fan_out``): the ``Notification`` rows not yet fanned out (a partial index)
   are read under a lock that skips rows another worker holds; their deliveries are written
   (``Delivery``; one per robot per event, however many of the group's members it reached)
   and the rows marked, in one transaction. Whoever wrote the notification wrote nothing else:
   a web process that dies after its commit loses nothing.
2. **Claim** (``claim``): due deliveries (pending, or held by a worker whose lease ran out) are
   taken in a short transaction with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (SQLite
   runs one writer at a time: its transactions begin IMMEDIATE); each gets the batch's token
   and ``next_attempt_at`` moves to the lease's end.
3. **Send and mark** (``drain``): each row is sent with no transaction open, then marked —
   delivered, or pending again after a backoff, or dead after ``FENGQIAO_NOTIFY_MAX_ATTEMPTS``
   — by an UPDATE that names the claim token, so a worker that lost its lease changes nothing.

Delivered rows are never claimed again. What remains is at-least-once: a worker killed after a
provider accepted a message and before its mark (or a reply lost on the way back) sends that
one message again when the lease ends. Each request carries the delivery's idempotency key
(``Idempotency-Key`` and ``id`` for the SMS gateway, the Message-ID of a mail) for providers
that drop repeats; group robots have no such field (docs/notifications.md)."""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from fengqiao.core.masking import mask_phone
from fengqiao.notify import backends, texts
from fengqiao.notify.backends import DeliveryFailed
from fengqiao.notify.choices import Channel, DeliveryStatus, NotificationKind
from fengqiao.notify.models import (
    UNDELIVERED,
    Delivery,
    MessageTemplate,
    Notification,
    RobotWebhook,
)
from fengqiao.notify.preferences import PERSONAL_CHANNELS, preferences_for

logger = logging.getLogger(__name__)

FAN_OUT_BATCH = 500
CLAIM_BATCH = 100
# How long a claim holds its rows. A worker sends nothing once fewer than a timeout's worth of
# seconds remain (it hands the rest back), so no row is sent by two workers at once.
LEASE_SECONDS = 300
MAX_BACKOFF_SECONDS = 6 * 3600


# --- Fan-out ---------------------------------------------------------------------------------


@dataclass
class _RobotPost:
    robot: RobotWebhook
    first: Notification
    orgs: list[str] = field(default_factory=list)
    recipients: set[int] = field(default_factory=set)


def dedupe_key(*parts: Any) -> str:
    """A delivery's ``dedupe_key`` (and idempotency key at the provider) from what names it."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:40]


_key = dedupe_key


def _link(url: str) -> str:
    base = settings.FENGQIAO_PUBLIC_URL.rstrip("/")
    return f"{base}{url}" if base and url.startswith("/") else ""


def _values(n: Notification) -> dict[str, Any]:
    return {
        "title": n.title,
        "body": n.body,
        "kind": NotificationKind(n.kind).label if n.kind in NotificationKind.values else n.kind,
        "case_number": getattr(n.case, "number", "") if n.case_id else "",
        "url": _link(n.url),
        "site": settings.FENGQIAO_SMS_SIGN,
    }


def _org_index(user_ids: Iterable[int]) -> tuple[dict[int, list[int]], dict[int, tuple[str, str]]]:
    """Each user's orgs (from their role grants), and each org's region path and name."""
    from fengqiao.accounts.models import RoleGrant

    by_user: dict[int, list[int]] = defaultdict(list)
    orgs: dict[int, tuple[str, str]] = {}
    rows = RoleGrant.objects.filter(user_id__in=list(user_ids), org__isnull=False).values_list(
        "user_id", "org_id", "org__region__path", "org__name"
    )
    for user_id, org_id, path, name in rows:
        if org_id not in by_user[user_id]:
            by_user[user_id].append(org_id)
        orgs[org_id] = (path, name)
    return by_user, orgs


def _covers(robot: RobotWebhook, org_id: int, path: str) -> bool:
    if robot.org_id == org_id:
        return True
    return robot.covers_region and path.startswith(robot.org.region.path)


def fan_out(limit: int = FAN_OUT_BATCH) -> int:
    """Write the deliveries of up to ``limit`` notifications not yet fanned out; how many
    notifications were taken."""
    with transaction.atomic():
        batch = list(
            Notification.objects.filter(fanned_out_at__isnull=True)
            .select_related("recipient", "case")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("id")[:limit]
        )
        if not batch:
            return 0
        user_ids = {n.recipient_id for n in batch}
        orgs_of, orgs = _org_index(user_ids)
        prefs = preferences_for(user_ids, orgs)
        templates = {
            (t.kind, t.channel): t.text for t in MessageTemplate.objects.filter(is_active=True)
        }
        robots = list(RobotWebhook.objects.filter(is_active=True).select_related("org__region"))
        deliveries: list[Delivery] = []
        posts: dict[tuple[Any, ...], _RobotPost] = {}
        for n in batch:
            values = _values(n)
            user = n.recipient
            user_orgs = orgs_of.get(user.pk, [])
            addresses = {Channel.SMS: user.phone, Channel.EMAIL: user.email}
            for channel in PERSONAL_CHANNELS:
                address = (addresses[channel] or "").strip()
                if not address or not prefs.wants(user.pk, user_orgs, n.kind, channel):
                    continue
                rendered = texts.render(templates.get((n.kind, channel)), channel, values)
                deliveries.append(
                    Delivery(
                        notification=n,
                        channel=channel,
                        kind=n.kind,
                        address=address,
                        address_masked=mask_phone(address)
                        if channel == Channel.SMS
                        else _mask_email(address),
                        subject=texts.scrub(n.title)[:200],
                        text=rendered.text,
                        template_error=rendered.error,
                        dedupe_key=_key("n", n.pk, channel),
                    )
                )
            event = (n.kind, n.title, n.url, n.case_id, n.created_at)
            for robot in robots:
                if n.kind not in robot.kinds:
                    continue
                covered = [o for o in user_orgs if _covers(robot, o, orgs[o][0])]
                if not covered:
                    continue
                post = posts.setdefault((robot.pk, *event), _RobotPost(robot, n))
                post.recipients.add(user.pk)
                for org_id in covered:
                    if orgs[org_id][1] not in post.orgs:
                        post.orgs.append(orgs[org_id][1])
        for (robot_id, *robot_event), post in posts.items():
            values = {
                **_values(post.first),
                "orgs": "、".join(post.orgs[:5]),
                "count": len(post.recipients),
            }
            rendered = texts.render(
                templates.get((post.first.kind, Channel.ROBOT)), Channel.ROBOT, values
            )
            deliveries.append(
                Delivery(
                    notification=post.first,
                    channel=Channel.ROBOT,
                    kind=post.first.kind,
                    robot=post.robot,
                    address_masked=str(post.robot)[:100],
                    subject=str(values["kind"])[:200],
                    text=rendered.text,
                    template_error=rendered.error,
                    dedupe_key=_key("robot", robot_id, *robot_event),
                )
            )
        # A row another worker wrote first (a repeat of this fan-out) is left as it is.
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(
            fanned_out_at=timezone.now()
        )
    return len(batch)


def _mask_email(address: str) -> str:
    name, _, domain = address.partition("@")
    return f"{name[:1]}***@{domain}"[:100]


# --- Claim, send, mark -----------------------------------------------------------------------


def due(now: Any = None) -> QuerySet[Delivery]:
    """The deliveries a worker may take now (the partial index ``delivery_due``)."""
    return Delivery.objects.filter(
        status__in=UNDELIVERED, next_attempt_at__lte=now or timezone.now()
    )


@dataclass(frozen=True)
class Claim:
    token: str
    lease_until: Any
    rows: list[Delivery]


def claim(limit: int = CLAIM_BATCH, *, lease_seconds: int = LEASE_SECONDS) -> Claim:
    token = uuid.uuid4().hex
    now = timezone.now()
    lease_until = now + timedelta(seconds=lease_seconds)
    with transaction.atomic():
        ids = list(
            due(now)
            .order_by("next_attempt_at", "id")
            .select_for_update(skip_locked=True)
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            # The due condition again: a row taken since it was read is not taken twice.
            due(now).filter(pk__in=ids).update(
                status=DeliveryStatus.SENDING,
                claim_token=token,
                next_attempt_at=lease_until,
                attempts=F("attempts") + 1,
            )
    rows = list(
        Delivery.objects.filter(claim_token=token, status=DeliveryStatus.SENDING)
        .select_related("robot")
        .order_by("id")
    )
    return Claim(token, lease_until, rows)


def send(row: Delivery) -> None:
    """Send one delivery; raises ``DeliveryFailed``."""
    if row.channel == Channel.SMS:
        backends.send_sms(
            phone=row.address,
            text=row.text,
            key=row.dedupe_key,
            secret=row.kind == NotificationKind.VERIFICATION,
        )
    elif row.channel == Channel.EMAIL:
        backends.send_email(
            address=row.address, subject=row.subject, text=row.text, key=row.dedupe_key
        )
    elif row.channel == Channel.ROBOT:
        robot = row.robot
        if robot is None or not robot.is_active:
            raise DeliveryFailed("robot removed or switched off", permanent=True)
        backends.send_robot(
            provider=robot.provider,
            url=robot.url,
            secret=robot.secret,
            text=row.text,
            title=row.subject,
            markdown=robot.markdown,
        )
    else:
        raise DeliveryFailed(f"unknown channel {row.channel}", permanent=True)


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed try: the base, doubled each time, capped."""
    base = settings.FENGQIAO_NOTIFY_BACKOFF_SECONDS
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


# A verification code's text is kept only until it is sent (or given up on): then the code in it
# is blanked, so the outbox never holds a code that was delivered (fengqiao.notify.codes).
SECRET_KINDS = (NotificationKind.VERIFICATION,)


def redact_secrets(ids: list[int]) -> None:
    Delivery.objects.filter(pk__in=ids, kind__in=SECRET_KINDS).exclude(
        status__in=UNDELIVERED
    ).update(text=texts.redacted_code_text())


def mark_delivered(ids: list[int], token: str) -> int:
    if not ids:
        return 0
    done = Delivery.objects.filter(pk__in=ids, claim_token=token).update(
        status=DeliveryStatus.DELIVERED,
        delivered_at=timezone.now(),
        claim_token="",
        last_error="",
    )
    redact_secrets(ids)
    return done


def mark_failed(row: Delivery, token: str, error: DeliveryFailed) -> str:
    """Pending again after a backoff, or dead; the status it got ("" if the lease was lost)."""
    reason = texts.scrub(str(error))[:500]
    dead = error.permanent or row.attempts >= settings.FENGQIAO_NOTIFY_MAX_ATTEMPTS
    status = DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING
    changed = Delivery.objects.filter(pk=row.pk, claim_token=token).update(
        status=status,
        claim_token="",
        last_error=reason,
        next_attempt_at=timezone.now() + backoff(row.attempts),
    )
    if dead:
        redact_secrets([row.pk])
    log = logger.error if dead else logger.warning
    log(
        "delivery %s (%s to %s) failed, try %s: %s",
        row.pk,
        row.channel,
        row.address_masked,
        row.attempts,
        reason,
    )
    return status if changed else ""


def release(ids: list[int], token: str) -> None:
    """Hand rows back unsent (the lease is nearly over): due at once, the try not counted."""
    if not ids:
        return
    Delivery.objects.filter(pk__in=ids, claim_token=token).update(
        status=DeliveryStatus.PENDING,
        claim_token="",
        next_attempt_at=timezone.now(),
        attempts=F("attempts") - 1,
    )


@dataclass
class DrainResult:
    fanned_out: int = 0
    delivered: int = 0
    retrying: int = 0
    dead: int = 0


# Marks are written in groups: a worker killed mid-group has sent up to this many messages, and
# those in flight on its threads, that will be sent again (docs/notifications.md).
MARK_EVERY = 20
_RELEASED = object()


def _send_one(row: Delivery, deadline: float) -> Any:
    """Send ``row`` unless the lease is nearly over; None, the failure, or ``_RELEASED``."""
    if time.monotonic() > deadline:
        return _RELEASED
    try:
        send(row)
    except DeliveryFailed as exc:
        return exc
    except Exception as exc:
        # A configuration error or an undecryptable address fails this row, not the drain;
        # it is retried and then listed with its error like any other.
        return DeliveryFailed(f"{type(exc).__name__}: {str(exc)[:200]}")
    return None


def drain(
    *, seconds: float = 50.0, claim_batch: int = CLAIM_BATCH, lease_seconds: int = LEASE_SECONDS
) -> DrainResult:
    """Fan out and send until nothing is due or ``seconds`` have passed. The sends of a batch
    run on ``FENGQIAO_NOTIFY_SEND_THREADS`` threads (they wait on the network, not the
    database); every write stays on this thread."""
    result = DrainResult()
    stop_at = time.monotonic() + seconds
    margin = settings.FENGQIAO_NOTIFY_TIMEOUT + 5
    with ThreadPoolExecutor(max_workers=max(1, settings.FENGQIAO_NOTIFY_SEND_THREADS)) as pool:
        while time.monotonic() < stop_at:
            fanned = fan_out()
            result.fanned_out += fanned
            batch = claim(claim_batch, lease_seconds=lease_seconds)
            if not batch.rows:
                if fanned:
                    continue
                break
            deadline = time.monotonic() + lease_seconds - margin
            futures = {pool.submit(_send_one, row, deadline): row for row in batch.rows}
            sent: list[int] = []
            released: list[int] = []
            for future in as_completed(futures):
                row, outcome = futures[future], future.result()
                if outcome is _RELEASED:
                    released.append(row.pk)
                elif outcome is None:
                    sent.append(row.pk)
                    if len(sent) >= MARK_EVERY:
                        result.delivered += mark_delivered(sent, batch.token)
                        sent = []
                else:
                    status = mark_failed(row, batch.token, outcome)
                    if status == DeliveryStatus.DEAD:
                        result.dead += 1
                    elif status:
                        result.retrying += 1
            result.delivered += mark_delivered(sent, batch.token)
            release(released, batch.token)
    return result
