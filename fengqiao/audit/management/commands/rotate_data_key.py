from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.audit.services import data_key_rotate
from fengqiao.core.services import ROTATE_BATCH, FieldRotation


class Command(BaseCommand):
    help = (
        "用当前数据密钥（FENGQIAO_DATA_KEY）重新加密所有加密字段并重算检索码；"
        "可中断后重跑。步骤见 docs/security.md"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=ROTATE_BATCH, help="每批行数")
        parser.add_argument("--actor", default="", help="记入审计日志的操作人用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size 必须为正整数")
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(f"用户 {options['actor']} 不存在")

        def progress(item: FieldRotation) -> None:
            self.stdout.write(
                f"{item.label}：检查 {item.checked} 条，重新加密 {item.reencrypted} 条，"
                f"重算检索码 {item.rehashed} 条，无法解密 {len(item.failed)} 条"
            )

        result = data_key_rotate(actor=actor, batch_size=options["batch_size"], progress=progress)
        self.stdout.write(
            f"合计：重新加密 {result.reencrypted} 条，重算检索码 {result.rehashed} 条"
            f"（当前密钥 {result.key_id}）"
        )
        if result.failed:
            listed = "\n".join(result.failed[:50])
            raise CommandError(
                f"{len(result.failed)} 个值无法用已配置的任何密钥解密，未作修改："
                f"请把写入它们的旧密钥加入 FENGQIAO_DATA_KEYS_OLD 后重跑。\n{listed}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                "所有加密字段均已使用当前密钥；可从 FENGQIAO_DATA_KEYS_OLD 移除旧密钥"
            )
        )
