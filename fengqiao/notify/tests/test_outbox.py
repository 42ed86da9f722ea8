"""The outbox end to end: a dispatch's notices become SMS, robot and email deliveries; the drain
sends them through the console SMS gateway and to a real HTTP receiver on loopback in the
企业微信/钉钉/飞书 formats; failures back off and end in dead letters; a worker that dies
holding rows loses none; a rolled-back notice sends nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from django.db import transaction
from django.utils import timezone

from fengqiao.audit.models import AuditEvent
from fengqiao.disputes.services.dispatch import case_dispatch
from fengqiao.disputes.tests.factories import assessed_case
from fengqiao.notify import backends
from fengqiao.notify.choices import Channel, DeliveryStatus, NotificationKind, RobotProvider
from fengqiao.notify.models import (
    ChannelPreference,
    Delivery,
    MessageTemplate,
    Notification,
    RobotWebhook,
)
from fengqiao.notify.outbox import claim, drain, fan_out, mark_delivered
from fengqiao.notify.services import notify

PHONE = "13812345678"


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records each request; answers ``status``/``answer``."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    answer: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            parts = urlsplit(self.path)
            state.requests.append(
                {
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "headers": dict(self.headers),
                    "body": json.loads(body),
                }
            )
            out = json.dumps(state.answer).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = Receiver(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _clean_sms_outbox() -> Iterator[None]:
    backends.sms_outbox.clear()
    yield
    backends.sms_outbox.clear()


def _staff_sms() -> list[backends.SentSms]:
    """The SMS sent to the staff member of these tests (a case's parties are told too)."""
    return [s for s in backends.sms_outbox if s.phone == PHONE]


def _robot(world: Any, receiver: Receiver, provider: str, secret: str = "") -> RobotWebhook:
    return RobotWebhook.objects.create(
        org=world.town_a_platform,
        name=f"甲镇{provider}群",
        provider=provider,
        url=f"{receiver.url}/{provider}?key=k-{provider}",
        secret=secret,
    )


def _dispatched(cast: Any, world: Any) -> Any:
    case = assessed_case(cast=cast, world=world)
    return case_dispatch(
        actor=cast.dispatcher, case_id=case.pk, version=None, orgs=[world.committee_east]
    )


def test_a_dispatch_reaches_sms_email_and_three_group_robots(
    cast: Any, world: Any, receiver: Receiver, settings: Any, mailoutbox: list[Any]
) -> None:
    settings.FENGQIAO_PUBLIC_URL = "https://tiaojie.example.cn"
    cast.mediator_east.phone = PHONE
    cast.mediator_east.email = "east@example.cn"
    cast.mediator_east.save()
    ChannelPreference.objects.create(
        org=world.committee_east, kind=NotificationKind.ASSIGNMENT, channel=Channel.EMAIL
    )
    _robot(world, receiver, RobotProvider.WECOM)
    _robot(world, receiver, RobotProvider.DINGTALK, secret="SEC-ding")
    _robot(world, receiver, RobotProvider.FEISHU, secret="feishu-secret")
    case = _dispatched(cast, world)

    # The notices of the dispatch are in the outbox; nothing has been sent in the transaction
    notices = Notification.objects.filter(kind=NotificationKind.ASSIGNMENT)
    assert {n.recipient for n in notices} == {cast.mediator_east, cast.grid_worker}
    assert backends.sms_outbox == []
    assert receiver.requests == []

    result = drain(seconds=10)

    # SMS: to the mediator (the grid worker has no phone), through the console gateway; the
    # case's two parties were told of its registration and nothing else (告知当事人)
    (sms,) = _staff_sms()
    assert sorted(s.phone for s in backends.sms_outbox if s not in _staff_sms()) == [
        "13800001111",
        "13900002222",
    ]
    assert sms.phone == PHONE
    assert sms.text.startswith("【枫桥平台】交办：交办：" + case.number)
    assert f"https://tiaojie.example.cn/cases/{case.pk}/" in sms.text
    # Email: the committee turned it on for 交办
    (mail,) = mailoutbox
    assert mail.to == ["east@example.cn"]
    # One post per group robot for the event, though it reached two people of 东村
    assert sorted(r["path"] for r in receiver.requests) == ["/dingtalk", "/feishu", "/wecom"]
    text = (
        f"【枫桥平台】交办：案件 {case.number}（东村人民调解委员会），请相关人员登录平台及时处理。"
        f"\nhttps://tiaojie.example.cn/cases/{case.pk}/"
    )
    by_path = {r["path"]: r for r in receiver.requests}
    assert by_path["/wecom"]["body"] == {"msgtype": "text", "text": {"content": text}}
    assert by_path["/wecom"]["query"] == {"key": ["k-wecom"]}

    ding = by_path["/dingtalk"]
    assert ding["body"] == {"msgtype": "text", "text": {"content": text}}
    # 钉钉 加签: the receiver checks the signature as 钉钉 does
    timestamp = ding["query"]["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(b"SEC-ding", f"{timestamp}\nSEC-ding".encode(), hashlib.sha256).digest()
    ).decode()
    assert ding["query"]["sign"] == [expected]
    assert ding["query"]["access_token" if "access_token" in ding["query"] else "key"]
    assert abs(int(timestamp) - timezone.now().timestamp() * 1000) < 60_000

    feishu = by_path["/feishu"]["body"]
    assert set(feishu) == {"timestamp", "sign", "msg_type", "content"}
    assert (feishu["msg_type"], feishu["content"]) == ("text", {"text": text})
    key = f"{feishu['timestamp']}\nfeishu-secret".encode()
    assert feishu["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()

    # No party's name reaches a group
    for party in case.parties.all():
        assert party.name not in json.dumps(receiver.requests, ensure_ascii=False)
    assert result.delivered == 7
    assert not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()

    # A second drain sends nothing again
    assert drain(seconds=5).delivered == 0
    assert len(backends.sms_outbox) == 3
    assert len(receiver.requests) == 3


def test_dingtalk_signature_matches_the_documented_example() -> None:
    # 钉钉's documentation computes: string_to_sign = timestamp + "\n" + secret, HmacSHA256 with
    # the secret as key, Base64, then urlEncode.
    sign = backends.dingtalk_sign("SECxyz", 1577262236757)
    raw = hmac.new(b"SECxyz", b"1577262236757\nSECxyz", hashlib.sha256).digest()
    assert unquote_plus(sign) == base64.b64encode(raw).decode()
    assert "+" not in sign
    assert "/" not in sign
    assert "=" not in sign


def test_markdown_robots_use_their_markdown_format(world: Any) -> None:
    wecom = backends.robot_request(
        provider=RobotProvider.WECOM,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K",
        secret="",
        text="**交办**",
        title="交办",
        markdown=True,
    )
    assert wecom.body == {"msgtype": "markdown", "markdown": {"content": "**交办**"}}
    ding = backends.robot_request(
        provider=RobotProvider.DINGTALK,
        url="https://oapi.dingtalk.com/robot/send?access_token=T",
        secret="",
        text="**交办**",
        title="交办",
        markdown=True,
    )
    assert ding.url == "https://oapi.dingtalk.com/robot/send?access_token=T"
    assert ding.body == {"msgtype": "markdown", "markdown": {"title": "交办", "text": "**交办**"}}
    # 企业微信 takes 2048 bytes of text: a long message is cut on a character boundary
    long = backends.robot_request(
        provider=RobotProvider.WECOM,
        url="https://x",
        secret="",
        text="调" * 1000,
        title="",
        markdown=False,
    )
    assert len(long.body["text"]["content"].encode()) <= 2048


def test_a_failing_receiver_backs_off_then_lands_in_dead_letters_and_is_retried(
    cast: Any, world: Any, receiver: Receiver, settings: Any, client_for: Any
) -> None:
    settings.FENGQIAO_NOTIFY_MAX_ATTEMPTS = 3
    settings.FENGQIAO_NOTIFY_BACKOFF_SECONDS = 30
    _robot(world, receiver, RobotProvider.WECOM)
    receiver.status = 503
    _dispatched(cast, world)

    before = timezone.now()
    drain(seconds=5)
    row = Delivery.objects.get(channel=Channel.ROBOT)
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
    assert "HTTP 503" in row.last_error
    assert "k-wecom" not in row.last_error  # the robot's key never reaches an error or log
    assert timedelta(seconds=29) < row.next_attempt_at - before < timedelta(seconds=40)

    # Not due yet: the next drain leaves it
    drain(seconds=5)
    assert len(receiver.requests) == 1

    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    second = timezone.now()
    drain(seconds=5)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 2)
    # The wait doubles
    assert timedelta(seconds=59) < row.next_attempt_at - second < timedelta(seconds=70)

    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    drain(seconds=5)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.DEAD, 3)
    assert len(receiver.requests) == 3
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    drain(seconds=5)
    assert len(receiver.requests) == 3  # dead letters are not tried again by themselves

    # The system admin sees it in the dead letters (no message text) and sends it again
    client = client_for(cast.system_admin)
    page = client.get("/admin/notify/delivery/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "HTTP 503" in content
    assert "东村人民调解委员会），请相关人员" not in content
    receiver.status = 200
    answer = client.post(
        "/admin/notify/delivery/",
        {"action": "retry", "_selected_action": [row.pk]},
    )
    assert answer.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
    assert AuditEvent.objects.filter(event_type="notify.delivery_retried").count() == 1
    drain(seconds=5)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 4
    # Delivered, it leaves the dead letters; "全部" still lists it
    assert client.get("/admin/notify/delivery/").context["cl"].result_count == 0
    every_robot_post = "/admin/notify/delivery/?status=all&channel__exact=robot"
    assert client.get(every_robot_post).context["cl"].result_count == 1


def test_a_robot_that_refuses_its_signature_is_dead_at_once(
    cast: Any, world: Any, receiver: Receiver
) -> None:
    _robot(world, receiver, RobotProvider.DINGTALK, secret="wrong")
    receiver.answer = {"errcode": 310000, "errmsg": "sign not match"}
    _dispatched(cast, world)
    drain(seconds=5)
    row = Delivery.objects.get(channel=Channel.ROBOT)
    assert (row.status, row.attempts) == (DeliveryStatus.DEAD, 1)
    assert "310000" in row.last_error


def test_a_worker_killed_holding_rows_loses_none_and_sends_each_once(cast: Any) -> None:
    cast.dispatcher.phone = PHONE
    cast.dispatcher.save()
    notify(recipients=[cast.dispatcher], kind=NotificationKind.WARNING, title="预警：东村")
    fan_out()
    # Worker A claims the row and dies before sending or marking it
    dead_worker = claim(10, lease_seconds=60)
    assert len(dead_worker.rows) == 1

    # While its lease runs, nobody else takes the row
    assert drain(seconds=5).delivered == 0
    assert backends.sms_outbox == []

    # The lease runs out: the next drain takes it and sends it, once
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert drain(seconds=5).delivered == 1
    assert len(backends.sms_outbox) == 1
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == (DeliveryStatus.DELIVERED, 2)

    # Worker A, come back late, cannot change the row; a delivered row is never sent again
    assert mark_delivered([row.pk], dead_worker.token) == 0
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(days=1))
    assert drain(seconds=5).delivered == 0
    assert len(backends.sms_outbox) == 1


def test_a_notice_rolled_back_sends_nothing(
    cast: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.FENGQIAO_NOTIFY_KICK = True
    cast.dispatcher.phone = PHONE
    cast.dispatcher.save()

    def failing_service() -> None:
        with transaction.atomic():
            notify(recipients=[cast.dispatcher], kind=NotificationKind.WARNING, title="预警")
            raise RuntimeError("the service failed after writing its notice")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        failing_service()
    assert callbacks == []
    assert drain(seconds=5).fanned_out == 0
    assert not Delivery.objects.exists()
    assert backends.sms_outbox == []


def test_a_users_own_choice_wins_and_the_page_shows_the_sms(
    cast: Any, world: Any, client_for: Any
) -> None:
    cast.mediator_east.phone = PHONE
    cast.mediator_east.save()
    client = client_for(cast.mediator_east)
    page = client.get("/notifications/settings/")
    assert page.status_code == 200
    assert page.context["rows"][1] == ("assignment", "交办", {"sms": True, "email": False})
    # The mediator keeps SMS for 预警 only
    client.post("/notifications/settings/", {"warning:sms": "1"})
    assert (
        ChannelPreference.objects.get(
            user=cast.mediator_east, kind=NotificationKind.ASSIGNMENT, channel=Channel.SMS
        ).enabled
        is False
    )
    _dispatched(cast, world)
    notify(recipients=[cast.mediator_east], kind=NotificationKind.WARNING, title="预警：东村")
    drain(seconds=5)
    assert [s.text for s in _staff_sms()] == ["【枫桥平台】预警：预警：东村"]

    inbox = client.get("/notifications/").content.decode()
    assert inbox.count("短信已发送") == 1


def test_a_broken_template_falls_back_and_says_so(cast: Any, client_for: Any) -> None:
    cast.dispatcher.phone = PHONE
    cast.dispatcher.save()
    MessageTemplate.objects.create(
        kind=NotificationKind.WARNING, channel=Channel.SMS, text="{{ title|nosuchfilter }}"
    )
    MessageTemplate.objects.create(
        kind=NotificationKind.SUPERVISION, channel=Channel.SMS, text="督办提醒：{{ title }}，请即办"
    )
    notify(recipients=[cast.dispatcher], kind=NotificationKind.WARNING, title="预警一")
    notify(recipients=[cast.dispatcher], kind=NotificationKind.SUPERVISION, title="督办一")
    drain(seconds=5)
    assert sorted(s.text for s in backends.sms_outbox) == [
        "【枫桥平台】预警：预警一",
        "督办提醒：督办一，请即办",
    ]
    broken = Delivery.objects.get(kind=NotificationKind.WARNING)
    assert "nosuchfilter" in broken.template_error

    # The admin refuses a robot template that names the title (it would reach the group)
    client = client_for(cast.system_admin)
    answer = client.post(
        "/admin/notify/messagetemplate/add/",
        {"kind": "warning", "channel": "robot", "text": "{{ title }}", "is_active": "on"},
    )
    assert answer.status_code == 200
    assert "不可用的变量" in answer.content.decode()
    assert not MessageTemplate.objects.filter(channel=Channel.ROBOT).exists()


def test_phone_and_id_numbers_are_masked_in_every_outgoing_message(cast: Any) -> None:
    cast.dispatcher.phone = PHONE
    cast.dispatcher.save()
    title = "预警：13900001111 与 110101199003071234 的纠纷"
    notify(recipients=[cast.dispatcher], kind=NotificationKind.WARNING, title=title)
    drain(seconds=5)
    (sms,) = backends.sms_outbox
    assert "13900001111" not in sms.text
    assert "110101199003071234" not in sms.text
    assert "139****1111" in sms.text
    assert "110***********1234" in sms.text


def test_a_robots_secrets_stay_out_of_the_admin_and_the_audit_log(
    cast: Any, world: Any, client_for: Any
) -> None:
    client = client_for(cast.system_admin)
    answer = client.post(
        "/admin/notify/robotwebhook/add/",
        {
            "org": world.town_a_platform.pk,
            "name": "甲镇工作群",
            "provider": "dingtalk",
            "url": "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123",
            "secret": "SECRET456",
            "covers_region": "on",
            "kinds": ["assignment", "warning"],
            "is_active": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    robot = RobotWebhook.objects.get()
    assert (robot.url, robot.secret) == (
        "https://oapi.dingtalk.com/robot/send?access_token=TOKEN123",
        "SECRET456",
    )
    page = client.get(f"/admin/notify/robotwebhook/{robot.pk}/change/").content.decode()
    assert "TOKEN123" not in page
    assert "SECRET456" not in page
    event = AuditEvent.objects.get(object_type="notify.robotwebhook")
    logged = json.dumps(event.after)
    assert "TOKEN123" not in logged
    assert "SECRET456" not in logged
    # Plain http is refused except to this machine
    answer = client.post(
        f"/admin/notify/robotwebhook/{robot.pk}/change/",
        {
            "org": world.town_a_platform.pk,
            "name": "甲镇工作群",
            "provider": "dingtalk",
            "url": "http://example.cn/hook",
            "kinds": ["assignment"],
        },
    )
    assert answer.status_code == 200
    # A change that leaves the secret empty keeps it
    client.post(
        f"/admin/notify/robotwebhook/{robot.pk}/change/",
        {
            "org": world.town_a_platform.pk,
            "name": "甲镇工作群二",
            "provider": "dingtalk",
            "url": "",
            "secret": "",
            "kinds": ["assignment"],
            "is_active": "on",
        },
    )
    robot.refresh_from_db()
    assert (robot.name, robot.secret) == ("甲镇工作群二", "SECRET456")
    assert robot.url.endswith("TOKEN123")


@pytest.mark.django_db(transaction=True)
def test_two_workers_claim_different_rows(cast: Any) -> None:
    """PostgreSQL: rows another worker's claim holds locked are skipped, not waited for or
    taken twice (SQLite runs one writer at a time: its claims cannot overlap)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SKIP LOCKED is PostgreSQL's")
    cast.dispatcher.phone = PHONE
    cast.dispatcher.save()
    for i in range(6):
        notify(recipients=[cast.dispatcher], kind=NotificationKind.WARNING, title=f"预警{i}")
    fan_out()
    locked, release_lock = threading.Event(), threading.Event()
    held: list[int] = []

    def other_worker() -> None:
        # A worker inside its claim transaction, holding the three oldest rows
        from django.db import connections

        try:
            with transaction.atomic():
                rows = Delivery.objects.order_by("id").select_for_update(skip_locked=True)[:3]
                held.extend(r.pk for r in rows)
                locked.set()
                release_lock.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    assert locked.wait(10)
    try:
        mine = claim(10)
    finally:
        release_lock.set()
        thread.join()
    assert len(mine.rows) == 3
    assert not {r.pk for r in mine.rows} & set(held)
