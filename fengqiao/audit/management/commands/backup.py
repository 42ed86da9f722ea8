from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fengqiao.audit.backup.archive import BackupError, key_load
from fengqiao.audit.backup.services import backup_create, backups_prune


class Command(BaseCommand):
    help = (
        "把数据库、上传的文件和清单（各表行数、每个文件的 SHA-256、审计链头）写入一个备份文件，"
        "可用备份密钥加密（AES-256-GCM）。步骤见 docs/operations.md"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir",
            default=str(settings.FENGQIAO_BACKUP_DIR),
            help="备份写入的目录（默认 FENGQIAO_BACKUP_DIR）",
        )
        parser.add_argument(
            "--key-file", help="备份密钥文件（64 位十六进制；默认 FENGQIAO_BACKUP_KEY_FILE）"
        )
        parser.add_argument("--key-env", help="保存备份密钥的环境变量名")
        parser.add_argument("--keep", type=int, help="备份后只保留该目录中最新的若干份，删除更早的")
        parser.add_argument("--actor", default="", help="记入审计日志的操作人用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(_("用户 %(name)s 不存在") % {"name": options["actor"]})
        directory = Path(options["output_dir"])
        key_file = options["key_file"]
        if not key_file and not options["key_env"]:
            key_file = settings.FENGQIAO_BACKUP_KEY_FILE or None
        try:
            key = key_load(key_file=key_file, key_env=options["key_env"])
            result = backup_create(directory=directory, key=key, actor=actor)
            deleted = []
            if options["keep"] is not None:
                deleted = backups_prune(directory=directory, keep=options["keep"], actor=actor)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(_("已写入备份：%(path)s") % {"path": result.path}))
        self.stdout.write(
            _(
                "  大小 %(mb).1f MB，用时 %(s).1f 秒，%(enc)s；数据表 %(tables)d 张共 %(rows)d 行，"
                "上传文件 %(files)d 个，审计链头 #%(seq)d\n  SHA-256：%(sha)s"
            )
            % {
                "mb": result.size / 1024 / 1024,
                "s": result.seconds,
                "enc": _("已加密（AES-256-GCM）") if result.encrypted else _("未加密"),
                "tables": result.tables,
                "rows": result.rows,
                "files": result.files,
                "seq": result.audit_seq,
                "sha": result.sha256,
            }
        )
        if deleted:
            self.stdout.write(
                _("已删除较早的备份 %(n)d 份：%(names)s")
                % {"n": len(deleted), "names": "、".join(deleted)}
            )
        if not result.encrypted:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "备份未加密：其中的证据文件等上传材料是原件。请用 --key-file 加密，"
                        "或把备份保存在只有运维人员能读的位置。"
                    )
                )
            )
