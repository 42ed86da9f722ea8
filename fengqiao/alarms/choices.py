from django.db import models
from django.utils.translation import gettext_lazy as _


class AlarmStatus(models.TextChoices):
    """An alarm's state: raised (待出警) until the station acknowledges it (已出警), then closed
    with a summary (已处置). Escalation is not a state: an alarm left unacknowledged is also
    shown to the county (``Alarm.escalated_at``) and stays 待出警 until someone acknowledges."""

    OPEN = "open", _("待出警")
    ACKNOWLEDGED = "acknowledged", _("已出警")
    CLOSED = "closed", _("已处置")


class ActionKind(models.TextChoices):
    """A line of the alarm's response log (出警记录)."""

    ACKNOWLEDGED = "acknowledged", _("确认出警")
    DISPATCHED = "dispatched", _("民警出发")
    ARRIVED = "arrived", _("到达现场")
    HANDLED = "handled", _("现场处置")
    NOTE = "note", _("情况说明")
    ESCALATED = "escalated", _("超时上报")
    CLOSED = "closed", _("处置完毕")


# What a responder may log by hand (the others are written by the services).
LOGGABLE = (ActionKind.DISPATCHED, ActionKind.ARRIVED, ActionKind.HANDLED, ActionKind.NOTE)
