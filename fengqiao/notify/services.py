from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from django.db import connection, models, transaction
from django.utils import timezone

from fengqiao.accounts.models import User
from fengqiao.core.bulk import insert_rows, quoted_column, quoted_table
from fengqiao.notify import channels, live
from fengqiao.notify.models import Notification


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
    """Write one in-app message per recipient; open pages are told live and other channels
    deliver after commit."""
    return notify_many([Message(list(recipients), kind, title, body, url, case, live_extra)])


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """Write many messages in one INSERT (a sweep's reminders and 督办 orders); each recipient
    gets a message once; open pages are told live and other channels deliver after commit."""
    rows: list[Notification] = []
    extras: list[dict[str, Any]] = []
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
                )
            )
            extras.append(message.live or {})
    rows = Notification.objects.bulk_create(rows)
    for row in rows:
        transaction.on_commit(partial(channels.deliver, row))
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
    ``Notification`` instance each; returns how many. Delivery channels are handed each row as
    an object after commit, so while one is registered this is ``notify_many``."""
    if channels.registered():
        return len(notify_many(messages))
    now = timezone.now()
    rows = [
        (u.pk, m.kind, m.title[:200], m.body, m.url, getattr(m.case, "pk", None), now)
        for m in messages
        for u in _recipients(m)
    ]
    _refresh(live.user_group(row[0]) for row in rows)
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
    a read and then a write; returns how many. While a delivery channel is registered it is
    handed each row as an object after commit, so then this is ``notify``."""
    org_ids = sorted({org.pk for org in orgs if org is not None})
    if not org_ids:
        return 0
    if channels.registered():
        by_org = users_by_org(org_ids)
        recipients = [u for pk in org_ids for u in by_org[pk]]
        sent = notify(recipients=recipients, kind=kind, title=title, body=body, url=url, case=case)
        return len(sent)
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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


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
