from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.audit.services import audit_seal, audit_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链（SM3）；发现篡改、删除或重排时以非零状态退出并指出第一条问题记录"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seal", action="store_true", help="校验前先封存尚未入链的记录")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["seal"]:
            audit_seal()
        result = audit_verify()
        if not result.ok:
            raise CommandError(
                f"审计链校验失败：第一条问题记录 id={result.bad_id}，链序号 {result.bad_seq}："
                f"{result.reason}（此前 {result.checked} 条完好）"
            )
        self.stdout.write(
            self.style.SUCCESS(f"审计链完好：{result.checked} 条已校验，{result.unsealed} 条待封存")
        )
        if result.unsealed:
            # Unsealed rows are not yet protected; they are normally sealed within a minute.
            self.stdout.write(
                self.style.WARNING(
                    f"有 {result.unsealed} 条记录尚未入链，不受哈希链保护；"
                    "若长时间不减少，请检查任务队列（/healthz）或运行 audit_verify --seal"
                )
            )
