from __future__ import annotations

import unicodedata
from typing import Any

from django.core.management.base import BaseCommand

from fengqiao.demo.accounts import demo_account_rows
from fengqiao.demo.data import COUNTY_NAME

HEADERS = ("角色", "用户名", "密码", "所在单位", "可见范围")


def display_width(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


class Command(BaseCommand):
    help = "列出演示区县的演示账户（角色、用户名、密码、所在单位、可见范围）；没有演示数据时不输出"

    def handle(self, *args: Any, **options: Any) -> None:
        rows = [(r.role, r.username, r.password, r.org, r.scope) for r in demo_account_rows()]
        if not rows:
            return
        # The last column is left unpadded: it is the long one.
        widths = [max(display_width(row[i]) for row in [HEADERS, *rows]) for i in range(4)]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join([*(pad(c, w) for c, w in zip(cells, widths, strict=False)), cells[4]])

        self.stdout.write(f"演示账户（虚构的{COUNTY_NAME}，仅供试用；正式使用前请删除演示数据）：")
        self.stdout.write(line(HEADERS))
        self.stdout.write("  ".join("-" * w for w in widths) + "  " + "-" * 10)
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write(
            "群众办事（申请调解、查询进度、确认协议）无需账户：打开 /portal/；"
            "演示环境没有短信通道，发给群众的短信和验证码打印在本窗口"
            "（“SMS to 1xx****xxxx”一行）。"
        )
