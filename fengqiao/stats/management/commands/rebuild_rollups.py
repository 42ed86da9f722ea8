from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.stats.services import rollups_rebuild


class Command(BaseCommand):
    help = "按全部案件重新计算统计口径与汇总表（批量导入数据后，或核对发现差异时）。"

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = rollups_rebuild(progress=self.stdout.write if options["verbosity"] > 1 else None)
        self.stdout.write(
            self.style.SUCCESS(
                f"已重算 {result.cases} 件案件，汇总行 {result.rows} 行，"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
