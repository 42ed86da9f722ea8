from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.disputes.workflow import state_document


class Command(BaseCommand):
    help = "输出案件状态图（Mermaid，由 workflow.TRANSITIONS 生成），即 docs/case-states.md 的内容"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(state_document(), ending="")
