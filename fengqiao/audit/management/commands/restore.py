from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fengqiao.audit.backup.archive import BackupError, key_load
from fengqiao.audit.backup.services import backup_restore


class Command(BaseCommand):
    help = (
        "把备份文件恢复到一个空数据库，并校验：文件校验值、各表行数、审计哈希链、"
        "本机数据密钥能否解密加密字段。任何一项不通过即撤销恢复。步骤见 docs/operations.md"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "archive", help="备份文件（manage.py backup 写出的 .tar.gz 或 .tar.gz.enc）"
        )
        parser.add_argument("--key-file", help="备份密钥文件（加密的备份需要）")
        parser.add_argument("--key-env", help="保存备份密钥的环境变量名")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        try:
            key = key_load(key_file=options["key_file"], key_env=options["key_env"])
            result = backup_restore(archive=archive, key=key)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("已从备份 %(name)s（备份于 %(at)s）恢复，用时 %(s).1f 秒：")
                % {"name": archive.name, "at": result.created_at, "s": result.seconds}
            )
        )
        self.stdout.write(
            _(
                "  数据表 %(tables)d 张共 %(rows)d 行，与清单一致；上传文件 %(files)d 个，"
                "SHA-256 与清单一致\n  审计链完好（%(checked)d 条已校验）；"
                "本机数据密钥解密抽样的加密字段 %(decrypted)d 个，全部成功"
            )
            % {
                "tables": result.tables,
                "rows": result.rows,
                "files": result.files,
                "checked": result.audit_checked,
                "decrypted": result.decrypted,
            }
        )
        self.stdout.write(
            _("如本机代码比备份新，请接着运行 manage.py migrate；然后启动平台（bin/run）。")
        )
