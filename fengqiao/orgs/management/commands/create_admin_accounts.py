"""The first accounts of a real install: the three administrators (三员分立) and the county's
first org admin, with the county platform the org admin's region hangs on."""

from __future__ import annotations

import secrets
import string
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from fengqiao.accounts.choices import BuiltinRole
from fengqiao.accounts.models import Role, User
from fengqiao.accounts.roles import ensure_builtin_roles
from fengqiao.accounts.services import role_grant, user_create
from fengqiao.orgs.models import Organization, OrgKind
from fengqiao.orgs.services import org_create
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region

ALPHABET = string.ascii_letters + string.digits


def new_password() -> str:
    """16 characters with upper, lower, digit and a sign (the complexity rule's four classes)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return (
        body
        + secrets.choice(string.ascii_uppercase)
        + secrets.choice(string.ascii_lowercase)
        + secrets.choice(string.digits)
        + secrets.choice("!@#%&*-_")
    )


class Command(BaseCommand):
    help = (
        "建立首批账户：系统管理员、安全管理员、安全审计员（三员分立）和县（区）组织管理员；"
        "县（区）尚无综治中心时一并建立。初始密码只显示一次，首次登录须修改。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="县（区）统计用区划代码（12位）")
        parser.add_argument(
            "--platform-name", default="", help="综治中心名称，缺省为“某某区综治中心”"
        )
        parser.add_argument("--sysadmin", default="sysadmin", help="系统管理员用户名")
        parser.add_argument("--secadmin", default="secadmin", help="安全管理员用户名")
        parser.add_argument("--auditor", default="auditor", help="安全审计员用户名")
        parser.add_argument("--orgadmin", default="orgadmin", help="组织管理员用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(
                f"未找到区划 {options['region']}，请先用 manage.py import_regions 导入行政区划。"
            )
        if region.level != RegionLevel.COUNTY:
            raise CommandError(f"{region.name}（{region.code}）不是县（区）级区划。")
        ensure_builtin_roles()
        roles = {r.code: r for r in Role.objects.all()}
        with transaction.atomic():
            platform = self._platform(region, options["platform_name"])
            plan = [
                (options["sysadmin"], "系统管理员", BuiltinRole.SYSTEM_ADMIN, None),
                (options["secadmin"], "安全管理员", BuiltinRole.SECURITY_ADMIN, None),
                (options["auditor"], "安全审计员", BuiltinRole.AUDITOR, None),
                (options["orgadmin"], "组织管理员", BuiltinRole.ORG_ADMIN, platform),
            ]
            rows = []
            for username, title, role_code, org in plan:
                if User.objects.filter(username=username).exists():
                    rows.append((username, title, "（已存在，未修改）"))
                    continue
                password = new_password()
                user = user_create(
                    actor=None, username=username, real_name=title, password=password
                )
                role_grant(actor=None, user=user, role=roles[role_code], org=org)
                rows.append((username, title, password))
        self.stdout.write(f"县（区）综治中心：{platform.name}（{region.name}）")
        self.stdout.write("用户名\t角色\t初始密码（只显示这一次，首次登录须修改）")
        for username, title, password in rows:
            self.stdout.write(f"{username}\t{title}\t{password}")

    def _platform(self, region: Region, name: str) -> Organization:
        kind = OrgKind.objects.get(code="platform")
        existing = Organization.objects.filter(region=region, kind=kind).first()
        if existing is not None:
            return existing
        return org_create(
            actor=None, name=name or f"{region.name}综治中心", kind=kind, region=region
        )
