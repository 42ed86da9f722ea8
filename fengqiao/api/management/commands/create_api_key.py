from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fengqiao.accounts.models import User
from fengqiao.api.choices import ApiScope
from fengqiao.api.services import ApiKeyError, api_key_create
from fengqiao.orgs.models import Organization


class Command(BaseCommand):
    help = "新建 API 密钥：代表指定用户、属于指定单位；密钥只显示这一次"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="密钥名称，如“12345热线对接”")
        parser.add_argument("--org", required=True, type=int, help="所属单位 id")
        parser.add_argument(
            "--user", required=True, help="代理用户的用户名（沿用其角色与数据范围）"
        )
        parser.add_argument(
            "--scope",
            action="append",
            choices=ApiScope.values,
            required=True,
            help="权限范围，可重复：cases:read、cases:write",
        )
        parser.add_argument(
            "--rate", type=int, default=None, help="每分钟请求上限（默认 120，超过返回 429）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(pk=options["org"]).first()
        if org is None:
            raise CommandError(f"单位 id={options['org']} 不存在")
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"用户 {options['user']} 不存在")
        try:
            key, token = api_key_create(
                actor=None,
                name=options["name"],
                org=org,
                user=user,
                scopes=options["scope"],
                rate_per_minute=options["rate"],
            )
        except ApiKeyError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"已新建 API 密钥「{key.name}」（前缀 {key.prefix}，每分钟最多 "
                f"{key.rate_per_minute} 次请求）"
            )
        )
        self.stdout.write("密钥只显示这一次，请妥善保存：")
        self.stdout.write(token)
