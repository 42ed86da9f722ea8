from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """心跳 — the last run of a periodic task, shown on /healthz to prove the worker is alive."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    last_run = models.DateTimeField(_("最近运行"))

    class Meta:
        verbose_name = _("任务心跳")
        verbose_name_plural = _("任务心跳")

    def __str__(self) -> str:
        return self.name


def range_constraint(
    field: str, *, earliest: Any, latest: Any, name: str, nullable: bool = False
) -> models.CheckConstraint:
    """A CHECK that ``field`` lies in [earliest, latest) — the storable range of
    ``core.validators`` — so no path (a form, the API, an import, a shell) can store a date
    that breaks reading the row back."""
    condition = models.Q(**{f"{field}__gte": earliest, f"{field}__lt": latest})
    if nullable:
        condition |= models.Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(
        condition=condition,
        name=name,
        violation_error_message=_("日期或时间超出允许的范围。"),
    )
