from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.services import rollups_rebuild


class Command(BaseCommand):
    help = "按全部案件重新计算统计口径与汇总表（批量导入数据后，或核对发现差异时）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--region", default="", help="只重算该区县或乡镇（街道）的数据（填区划代码）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None or region.level > RegionLevel.TOWNSHIP:
                raise CommandError("--region 须为区县或乡镇（街道）的区划代码。")
        result = rollups_rebuild(
            region=region, progress=self.stdout.write if options["verbosity"] > 1 else None
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已重算 {result.cases} 件案件，汇总行 {result.rows} 行，"
                f"用时 {time.monotonic() - started:.1f} 秒。"
            )
        )
