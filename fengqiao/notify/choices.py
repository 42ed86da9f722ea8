from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """What a message is about, shown as its badge on 消息."""

    NEW_CASE = "new_case", _("新登记")
    ASSIGNMENT = "assignment", _("交办")
    ESCALATION = "escalation", _("上报")
    RETURN = "return", _("退回")
    REMINDER = "reminder", _("催办")
    SUPERVISION = "supervision", _("督办")
    EXTENSION = "extension", _("延期")
    OVERDUE = "overdue", _("逾期未办结")
    RESULT = "result", _("办理结果")
    PERFORMANCE = "performance", _("履行")
    WARNING = "warning", _("预警")
    EMERGENCY = "emergency", _("应急联动")
    SCREENING = "screening", _("排查")
    GUIDANCE = "guidance", _("业务指导")
    ALARM = "alarm", _("报警")
    TASK = "task", _("任务")
    INFO = "info", _("通知")
    # A one-time code sent to a bare phone number (``fengqiao.notify.codes``).
    VERIFICATION = "verification", _("验证码")
    # An SMS to a party of a case (告知当事人, ``PartyStep``): no account, no preference, never
    # a robot's; only its delivery row carries this kind.
    PARTY = "party", _("告知当事人")


# The kinds a staff member's 通知设置 and a group robot may choose from (a code or a party's SMS
# goes to a bare phone number, never to an account or a group).
STAFF_KINDS = [
    kind
    for kind in NotificationKind
    if kind not in (NotificationKind.VERIFICATION, NotificationKind.PARTY)
]


class Channel(models.TextChoices):
    """Where a message goes besides the in-app inbox (which is the ``Notification`` row)."""

    SMS = "sms", _("短信")
    EMAIL = "email", _("邮件")
    ROBOT = "robot", _("工作群机器人")


class DeliveryStatus(models.TextChoices):
    """An outbox row's state: waiting (or waiting again after a failure), held by a worker,
    delivered, or given up on (死信)."""

    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("发送失败")


class RobotProvider(models.TextChoices):
    """The group-robot webhook formats spoken (each its own JSON body and signature)."""

    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")
    FEISHU = "feishu", _("飞书")


class PartyStep(models.TextChoices):
    """告知当事人 — the steps of a case a party is told of by SMS (seed 004 item 26: 及时向当事人
    进行反馈), each with its own message template (``PartyMessageTemplate``)."""

    REGISTERED = "registered", _("登记")
    ACCEPTED = "accepted", _("受理")
    SESSION = "session", _("调解安排")
    AGREEMENT = "agreement", _("达成协议")
    CONFIRM_REQUEST = "confirm_request", _("请确认调解协议")
    CONFIRMATION = "confirmation", _("司法确认结果")
    RESULT = "result", _("办理结果")
