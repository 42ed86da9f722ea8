from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fengqiao.stats.services import rollups_check


class Command(BaseCommand):
    help = "按全部案件重新计数，与统计口径和汇总表逐行核对，列出差异（有差异时退出码为 1）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--limit", type=int, default=50, help="每类差异最多列出的条数")

    def handle(self, *args: Any, **options: Any) -> None:
        result = rollups_check(limit=max(1, min(options["limit"], 10000)))
        if result.ok:
            self.stdout.write(
                self.style.SUCCESS(f"已核对 {result.cases} 件案件：汇总表与重新计数一致。")
            )
            return
        for pk in result.fact_differences:
            self.stdout.write(f"案件 {pk} 的统计口径与重新计算不一致")
        for line in result.row_differences:
            self.stdout.write(line)
        raise CommandError(
            f"已核对 {result.cases} 件案件：发现差异，请运行 manage.py rebuild_rollups 重算。"
        )
