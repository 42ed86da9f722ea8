"""The public portal's own records: an application's idempotency token, a party's rating of
the mediation, and the knowledge base (常见问题)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.portal.choices import ArticleTopic


class Application(models.Model):
    """网上申请 — the token a portal form carried when it registered a case: the same form sent
    twice (a double tap, a reload) finds its case here instead of registering a second one."""

    token = models.CharField(_("表单令牌"), max_length=64, unique=True)
    case = models.OneToOneField(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="portal_application",
        verbose_name=_("案件"),
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)

    class Meta:
        verbose_name = _("网上申请")
        verbose_name_plural = _("网上申请")

    def __str__(self) -> str:
        return str(self.case_id)


class Evaluation(models.Model):
    """当事人评价 — a party's rating (1–5) of the mediation of their case, once per party."""

    case = models.ForeignKey(
        "disputes.Case",
        on_delete=models.CASCADE,
        related_name="portal_evaluations",
        verbose_name=_("案件"),
    )
    party = models.ForeignKey(
        "disputes.Party", on_delete=models.CASCADE, related_name="+", verbose_name=_("当事人")
    )
    rating = models.PositiveSmallIntegerField(_("评分"))
    comment = models.TextField(_("意见"), blank=True, default="")
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        verbose_name = _("当事人评价")
        verbose_name_plural = _("当事人评价")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "party"], name="evaluation_once_per_party"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="evaluation_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rating}"


class Article(models.Model):
    """常见问题 — a question and its answer in plain Chinese, with the law it rests on; the
    public reads it on the portal, an administrator edits it."""

    topic = models.CharField(_("类别"), max_length=20, choices=ArticleTopic.choices)
    question = models.CharField(_("问题"), max_length=200)
    answer = models.TextField(_("解答"))
    law = models.TextField(_("法律依据"), blank=True, default="")
    slug = models.SlugField(_("代码"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_published = models.BooleanField(_("发布"), default=True)
    helpful = models.PositiveIntegerField(_("有帮助"), default=0, editable=False)
    not_helpful = models.PositiveIntegerField(_("没帮助"), default=0, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")
        ordering = ["topic", "order", "id"]

    def __str__(self) -> str:
        return self.question
