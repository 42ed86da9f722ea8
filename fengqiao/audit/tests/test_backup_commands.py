"""The operator's side of 备份与恢复: the commands, the backup key, the scheduled backup and
how many backups it keeps."""

from __future__ import annotations

import os
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from fengqiao.audit.backup import database
from fengqiao.audit.backup.archive import BackupError, is_encrypted, key_load, key_parse
from fengqiao.audit.backup.services import backup_restore
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.tasks import backup_due, scheduled_backup

KEY = "7f" * 32

# A backup reads committed rows outside any transaction: these tests commit theirs.
pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_command_writes_an_encrypted_archive_and_records_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a backup key in an environment variable of the operator's choice
    monkeypatch.setenv("FQ_BACKUP_KEY", KEY)
    out = StringIO()
    # when the operator runs the backup
    call_command("backup", "--output-dir", str(tmp_path), "--key-env", "FQ_BACKUP_KEY", stdout=out)
    # then one encrypted archive is written and the command says so in Chinese
    (archive,) = tmp_path.iterdir()
    assert archive.name.startswith("fengqiao-backup-")
    assert archive.name.endswith(".tar.gz.enc")
    assert is_encrypted(archive)
    assert "已写入备份" in out.getvalue()
    assert "已加密（AES-256-GCM）" in out.getvalue()
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    # and the audit log holds the backup with its checksum
    event = AuditEvent.objects.get(event_type=EventType.BACKUP_CREATED)
    assert event.after["file"] == archive.name
    assert event.after["encrypted"] is True
    assert event.after["sha256"] in out.getvalue()
    # and restoring it over the database it came from is refused
    with pytest.raises(CommandError, match="目标数据库不是空的"):
        call_command("restore", str(archive), "--key-env", "FQ_BACKUP_KEY", stdout=StringIO())


def test_an_unencrypted_backup_warns_the_operator(tmp_path: Path, settings: Any) -> None:
    settings.FENGQIAO_BACKUP_KEY_FILE = ""
    out = StringIO()
    call_command("backup", "--output-dir", str(tmp_path), stdout=out)
    (archive,) = tmp_path.iterdir()
    assert archive.name.endswith(".tar.gz")
    assert not is_encrypted(archive)
    assert "未加密" in out.getvalue()


@pytest.mark.django_db(transaction=False)
def test_the_data_key_is_refused_as_backup_key(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="不能用数据密钥"):
        key_load(key_env="FENGQIAO_DATA_KEY")
    with pytest.raises(BackupError, match="64 位十六进制"):
        key_parse("00112233445566778899aabbccddeeff")
    missing = tmp_path / "missing.key"
    with pytest.raises(BackupError, match="无法读取备份密钥文件"):
        key_load(key_file=str(missing))
    assert key_load() is None


def _old_archive(directory: Path, name: str, age_days: int) -> Path:
    path = directory / name
    path.write_bytes(b"old")
    moment = datetime.now().timestamp() - age_days * 86400  # noqa: DTZ005 — a file's mtime
    os.utime(path, (moment, moment))
    return path


def test_scheduled_backup_writes_encrypted_and_keeps_the_newest(
    tmp_path: Path, settings: Any
) -> None:
    # given a backup directory holding two older backups and a file of the operator's
    backups = tmp_path / "backups"
    backups.mkdir()
    oldest = _old_archive(backups, "fengqiao-backup-20261101-183000.tar.gz", 30)
    older = _old_archive(backups, "fengqiao-backup-20261102-183000.tar.gz.enc", 29)
    notes = backups / "notes.txt"
    notes.write_text("机房登记")
    key_file = tmp_path / "backup.key"
    key_file.write_text(KEY + "\n")
    settings.FENGQIAO_BACKUP_DIR = backups
    settings.FENGQIAO_BACKUP_KEEP = 2
    settings.FENGQIAO_BACKUP_KEY_FILE = str(key_file)
    # when the scheduled task runs
    result = scheduled_backup.call_local()
    # then a new encrypted backup is written, the oldest one deleted, the rest left alone
    assert result["encrypted"] is True
    assert result["deleted"] == 1
    names = sorted(p.name for p in backups.iterdir())
    assert names == sorted([older.name, result["file"], notes.name])
    assert not oldest.exists()
    pruned = AuditEvent.objects.get(event_type=EventType.BACKUP_PRUNED)
    assert pruned.after == {"deleted": [oldest.name], "keep": 2}


@pytest.mark.django_db(transaction=False)
def test_the_schedule_is_read_in_beijing_time(settings: Any) -> None:
    settings.FENGQIAO_BACKUP_SCHEDULE = "30 2 * * *"
    # the queue's clock is UTC: 18:30 UTC is 02:30 in Beijing
    assert backup_due(datetime(2026, 12, 3, 18, 30))  # noqa: DTZ001 — huey's naive UTC
    assert not backup_due(datetime(2026, 12, 4, 2, 30))  # noqa: DTZ001
    settings.FENGQIAO_BACKUP_SCHEDULE = ""
    assert not backup_due(datetime(2026, 12, 3, 18, 30))  # noqa: DTZ001
    settings.FENGQIAO_BACKUP_SCHEDULE = "every night"
    assert not backup_due(datetime(2026, 12, 3, 18, 30))  # noqa: DTZ001


def test_a_database_migrated_before_the_restore_is_refused(tmp_path: Path) -> None:
    # given the database ``bin/run`` migrates at its first start: tables and reference data
    assert database.tables(connections["default"])
    # when a backup is restored into it, then it is refused before the archive is even read
    files = FileSystemStorage(location=tmp_path / "files")
    with pytest.raises(BackupError, match=r"目标数据库不是空的.*请新建一个空数据库"):
        backup_restore(archive=tmp_path / "fengqiao-backup.tar.gz", key=None, storage=files)
