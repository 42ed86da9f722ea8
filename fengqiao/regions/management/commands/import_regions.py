from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.regions.services import RegionImportError, parse_region_csv, regions_import


class Command(BaseCommand):
    help = "导入统计用区划代码 CSV（区划代码,名称[,上级代码][,城乡分类代码][,人口]），可重复导入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--encoding", default="utf-8")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding=options["encoding"])
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取文件 {path}: {exc}") from exc
        try:
            rows = parse_region_csv(text)
        except RegionImportError as exc:
            raise CommandError("文件有错误，未导入任何数据：\n" + "\n".join(exc.errors)) from exc
        result = regions_import(actor=None, rows=rows, source=path.name)
        self.stdout.write(
            f"新增 {result.created} 条，更新 {result.updated} 条，未变 {result.unchanged} 条"
        )
