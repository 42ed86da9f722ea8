"""The XLSX imports of the org admin's 批量导入 page, from the server's command line (a county
with thousands of rows, or a script): the same checks, all rows or none, recorded as the system
or as the named user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.accounts.models import User
from fengqiao.orgs import imports, roster_import

IMPORTERS = {"orgs": imports.orgs_import, "roster": roster_import.roster_import}
TEMPLATES = {"orgs": imports.orgs_template, "roster": imports.roster_template}


class Command(BaseCommand):
    help = "导入单位（orgs）或调解员名册（roster）XLSX 文件；有任何错误行则一行都不导入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument(
            "file", type=Path, help="要导入的 .xlsx；与 --template 同用时为输出文件"
        )
        parser.add_argument("--user", default="", help="以该用户名义导入（检查其管理区划）")
        parser.add_argument("--template", action="store_true", help="只写出空白模板")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        kind: str = options["kind"]
        if options["template"]:
            path.write_bytes(TEMPLATES[kind]())
            self.stdout.write(f"模板已写入 {path}")
            return
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"没有在用的用户 {options['user']}")
        try:
            with path.open("rb") as upload:
                result = IMPORTERS[kind](actor=actor, upload=upload)
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}: {exc}") from exc
        except imports.ImportRejected as exc:
            lines = [
                (f"第{number}行：" if number else "") + reason for number, reason in exc.errors
            ]
            raise CommandError(
                f"文件有 {len(exc.errors)} 处错误，未导入任何数据：\n" + "\n".join(lines)
            ) from exc
        self.stdout.write(
            f"共 {result.rows} 行，新增 {result.created}，更新 {result.updated}，"
            f"未变 {result.unchanged}"
        )
