from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.notify.choices import PartyStep


class PartyNotice(models.Model):
    """告知当事人记录 — one step of a case told (or not: no mobile number) to one party by SMS
    (seed 004 item 26: 及时向当事人进行反馈). Written in the transaction of the step itself, with
    its outbox row (``delivery``); the staff's case page reads the SMS's state from it. One row
    per party, step and occasion (``ref``: the 交办单 accepted, the room scheduled, the ruling …),
    so an action retried or submitted twice never tells a party twice."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="party_notices",
        verbose_name=_("案件"),
        db_index=False,  # party_notice_case leads with it
    )
    party = models.ForeignKey(
        "disputes.Party", on_delete=models.CASCADE, related_name="+", verbose_name=_("当事人")
    )
    step = models.CharField(_("环节"), max_length=20, choices=PartyStep.choices)
    ref = models.CharField(_("事项"), max_length=40, blank=True, default="")
    # Empty when the party has no mobile number on file: nothing could be sent (the page says so).
    # By the outbox row's key, known before the row is written (one INSERT for all parties).
    delivery = models.ForeignKey(
        "notify.Delivery",
        to_field="dedupe_key",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发送记录"),
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("告知当事人记录")
        verbose_name_plural = _("告知当事人记录")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "step", "ref"], name="party_notice_once_per_step"
            )
        ]
        indexes = [models.Index(fields=["case", "created_at"], name="party_notice_case")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step} {self.party_id}"
