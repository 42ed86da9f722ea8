from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentDecision(models.TextChoices):
    CONSENTED = "consented", _("同意调解")
    REFUSED = "refused", _("拒绝调解")


class ContactMethod(models.TextChoices):
    IN_PERSON = "in_person", _("当面")
    PHONE = "phone", _("电话")
    ONLINE = "online", _("线上")


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("现场调解")
    PHONE = "phone", _("电话调解")
    VIDEO = "video", _("视频调解")


class EvidenceType(models.TextChoices):
    """What the file's bytes say it is; nothing else is accepted."""

    JPEG = "image/jpeg", _("JPEG图片")
    PNG = "image/png", _("PNG图片")
    PDF = "application/pdf", _("PDF文件")


class MediationAction(models.TextChoices):
    """办理记录的动作 this app writes on a case's timeline (registered with disputes.timeline)."""

    CONSENT = "consent", _("调解意愿")
    RIGHTS_NOTICE = "rights_notice", _("送达告知书")
    SESSION = "session", _("调解笔录")
    EVIDENCE = "evidence", _("证据材料")
    EXPERT_OPINION = "expert_opinion", _("专家意见")
    FOLLOW_UP = "follow_up", _("回访")
    FOLLOW_UP_CORRECT = "follow_up_correct", _("更正回访")
    PERFORMANCE_ITEM = "performance_item", _("履行事项")
    PERFORMANCE = "performance", _("履行记录")
    PERFORMANCE_DEFAULT = "performance_default", _("未按期履行")
    PERFORMANCE_CERTIFICATE = "performance_certificate", _("自动履行证明")
    DOCUMENT = "document", _("出具文书")
    GUIDANCE_ASK = "guidance_ask", _("请求业务指导")
    GUIDANCE_ANSWER = "guidance_answer", _("业务指导答复")
    ROOM_SCHEDULE = "room_schedule", _("预约在线调解")
    ROOM_END = "room_end", _("在线调解结束")
    CONFIRM_REQUEST = "confirm_request", _("请当事人确认协议")
    AGREEMENT_CONFIRM = "agreement_confirm", _("当事人确认协议")


class ConfirmMethod(models.TextChoices):
    """How a party confirmed the agreement's text on their phone."""

    SMS_CODE = "sms_code", _("短信验证码")
    SIGNATURE = "signature", _("手写签名")


class AgreementKind(models.TextChoices):
    """调解协议的形式 — 人民调解法 art. 29 (written) or art. 28 (oral)."""

    WRITTEN = "written", _("书面协议")
    ORAL = "oral", _("口头协议")


class PerformanceStatus(models.TextChoices):
    """履行状态 of one obligation of an agreement."""

    PENDING = "pending", _("待履行")
    PARTIAL = "partial", _("部分履行")
    PERFORMED = "performed", _("已履行")
    DEFAULTED = "defaulted", _("未按期履行")


# The obligations still to be performed (reminders, overdue, the open-items index).
PERFORMANCE_OPEN = (PerformanceStatus.PENDING, PerformanceStatus.PARTIAL)


class RoomStatus(models.TextChoices):
    """在线调解室的状态: scheduled (invitations out, the room opens at the start), ended."""

    SCHEDULED = "scheduled", _("已预约")
    ENDED = "ended", _("已结束")


class RoomRole(models.TextChoices):
    HOST = "host", _("主持调解员")
    PARTY = "party", _("当事人")
    GUEST = "guest", _("其他参加人")


class RoomEventKind(models.TextChoices):
    """What the room's record keeps: attendance, the consent shown at entry, the mediator's
    controls, the chat and the shared draft's versions."""

    CONSENT = "consent", _("同意在线调解")
    JOIN = "join", _("进入")
    LEAVE = "leave", _("离开")
    ADMIT = "admit", _("准许进入")
    MUTE = "mute", _("静音")
    REMOVE = "remove", _("移出")
    CHAT = "chat", _("文字消息")
    DRAFT = "draft", _("协议草稿")
    END = "end", _("结束")
