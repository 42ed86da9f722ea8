from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.disputes.holidays import (
    HolidayScheduleError,
    holiday_schedule_import,
    parse_schedule,
)


class Command(BaseCommand):
    help = (
        "导入一年的节假日安排（国务院办公厅通知的放假日期与调休上班日，JSON 格式，"
        "见 docs/examples/holidays-2027.json）；再次导入同一年份会替换原有安排"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="记入审计日志的操作人用户名（不填则记为系统）")
        parser.add_argument(
            "--example",
            action="store_true",
            help="允许导入通知文号含“示例”的示例文件（仅用于演示和测试）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"用户 {options['user']} 不存在")
        try:
            payload = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}: {exc.strerror}") from exc
        try:
            data = parse_schedule(payload)
            result = holiday_schedule_import(
                actor=actor, data=data, source=path.name, allow_example=options["example"]
            )
        except HolidayScheduleError as exc:
            raise CommandError("文件有错误，未导入：\n" + "\n".join(exc.errors)) from exc
        verb = "已导入" if result.created else "已更新"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {data.year} 年节假日安排（{data.notice}）：放假 {len(data.holidays)} 段、"
                f"调休上班 {len(data.workdays)} 天；工作日状态变化 {len(result.changed_days)} 天"
            )
        )
