"""站内消息 pages: the inbox, unread first; marking read; the badge on every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fengqiao.disputes.services.dispatch import case_escalate
from fengqiao.disputes.tests.factories import assessed_case
from fengqiao.notify.choices import NotificationKind
from fengqiao.notify.models import Notification
from fengqiao.notify.services import notify
from fengqiao.web.tests.html import page_text, table_text


def _message(user: Any, title: str, *, minutes_ago: int = 0, read: bool = False) -> Notification:
    (row,) = notify(recipients=[user], kind=NotificationKind.INFO, title=title, url="/cases/")
    at = timezone.now() - timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=row.pk).update(created_at=at, read_at=at if read else None)
    return Notification.objects.get(pk=row.pk)


def test_inbox_lists_unread_first_then_newest(cast: Any, client_for: Any) -> None:
    _message(cast.mediator_east, "旧的已读", minutes_ago=1, read=True)
    _message(cast.mediator_east, "较早未读", minutes_ago=30)
    _message(cast.mediator_east, "最新未读", minutes_ago=5)
    _message(cast.mediator_west, "别人的消息")
    response = client_for(cast.mediator_east).get("/notifications/")
    assert response.status_code == 200
    titles = [n.title for n in response.context["page_obj"]]
    assert titles == ["最新未读", "较早未读", "旧的已读"]
    assert "别人的消息" not in table_text(response, "notifications")


def test_anonymous_is_sent_to_login(world: Any, client_for: Any) -> None:
    assert client_for(None).get("/notifications/").status_code == 302


def test_mark_one_and_all_read(cast: Any, client_for: Any) -> None:
    first = _message(cast.dispatcher, "一")
    second = _message(cast.dispatcher, "二")
    theirs = _message(cast.leader, "领导的")
    client = client_for(cast.dispatcher)
    assert client.post("/notifications/read/", {"id": first.pk})["Location"] == "/notifications/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    client.post("/notifications/read/")
    second.refresh_from_db()
    theirs.refresh_from_db()
    assert second.read_at is not None
    assert theirs.read_at is None  # marking all touches only one's own


def test_mark_read_needs_post(cast: Any, client_for: Any) -> None:
    assert client_for(cast.dispatcher).get("/notifications/read/").status_code == 405


def test_open_marks_read_and_follows_the_link(cast: Any, client_for: Any) -> None:
    message = _message(cast.dispatcher, "去看看")
    response = client_for(cast.dispatcher).post(f"/notifications/{message.pk}/open/")
    assert response["Location"] == "/cases/"
    message.refresh_from_db()
    assert message.read_at is not None


def test_open_never_leaves_the_site(cast: Any, client_for: Any) -> None:
    message = _message(cast.dispatcher, "外链")
    Notification.objects.filter(pk=message.pk).update(url="https://evil.example/")
    response = client_for(cast.dispatcher).post(f"/notifications/{message.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_someone_elses_message_is_not_found(cast: Any, client_for: Any) -> None:
    message = _message(cast.leader, "领导的")
    assert client_for(cast.dispatcher).post(f"/notifications/{message.pk}/open/").status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


@pytest.mark.parametrize("url", ["/", "/notifications/", "/accounts/me/"])
def test_badge_counts_unread_on_every_page(url: str, cast: Any, client_for: Any) -> None:
    for i in range(3):
        _message(cast.mediator_east, f"消息{i}")
    _message(cast.mediator_east, "已读", read=True)
    response = client_for(cast.mediator_east).get(url)
    html = response.content.decode()
    assert 'id="unread-badge">3</span>' in html


def test_no_badge_without_unread(cast: Any, client_for: Any) -> None:
    _message(cast.mediator_east, "已读", read=True)
    html = client_for(cast.mediator_east).get("/").content.decode()
    assert 'id="nav-notifications"' in html
    assert 'id="unread-badge"' not in html


def test_badge_costs_one_count_query(cast: Any, client_for: Any) -> None:
    for i in range(5):
        _message(cast.mediator_east, f"消息{i}")
    client = client_for(cast.mediator_east)
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    counts = [q["sql"] for q in captured.captured_queries if "notify_notification" in q["sql"]]
    assert len(counts) == 1
    assert counts[0].startswith("SELECT COUNT(*)")


def test_case_registration_reaches_the_dispatcher_inbox(
    cast: Any, world: Any, client_for: Any
) -> None:
    from fengqiao.disputes.tests.factories import register_case

    case = register_case(
        actor=cast.mediator_east, platform=world.town_a_platform, region=world.village_east
    )
    response = client_for(cast.dispatcher).get("/notifications/")
    assert case.number in page_text(response)
    assert 'id="unread-badge">1</span>' in response.content.decode()


def test_message_kinds_are_labelled_by_what_happened(
    cast: Any, world: Any, client_for: Any
) -> None:
    # given a case registered at 甲镇平安办 and escalated by it to the county
    case = assessed_case(cast=cast, world=world)
    county = cast.county_dispatcher
    case_escalate(actor=cast.dispatcher, case_id=case.pk, version=None, reason="涉及两镇")

    # when the township dispatcher and the county dispatcher read their messages
    township = table_text(client_for(cast.dispatcher).get("/notifications/"), "notifications")
    upper = table_text(client_for(county).get("/notifications/"), "notifications")

    # then the registration reads 新登记 (not 交办) and the escalation 上报
    assert "新登记 新登记纠纷" in " ".join(township.split())
    assert "交办 新登记" not in " ".join(township.split())
    assert "上报 下级上报" in " ".join(upper.split())
