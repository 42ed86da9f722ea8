from __future__ import annotations

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
