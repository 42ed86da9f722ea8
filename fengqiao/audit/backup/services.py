"""备份与恢复 — one archive holds the database, the uploaded files and a manifest; a restore
fills an empty database from it and proves what it restored (docs/operations.md).

The manifest holds the row count of every table and the audit chain head as they are in the
dump, and the SHA-256 and size of the dump and of every file. A restore checks the files
before it writes anything, then loads the dump into the empty database and checks the counts,
the audit chain (``audit_verify``, ending at the manifest's head) and that the data key of this
machine decrypts a sample of every encrypted column. A database that fails a check after the
load is emptied again: a restore either passes every check or leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.audit.backup import database
from fengqiao.audit.backup.archive import (
    FILES_PREFIX,
    MANIFEST,
    BackupError,
    decrypt_to,
    files_under,
    is_encrypted,
    key_load,
    sha256_file,
    sha256_stream,
    tar_add_bytes,
    tar_add_stream,
    tar_extract,
    tar_open_for_writing,
)
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditChainHead
from fengqiao.audit.services import audit_event, audit_record, audit_seal, audit_verify
from fengqiao.core import crypto
from fengqiao.core.services import encrypted_fields

FORMAT = 1
NAME_PREFIX = "fengqiao-backup-"
SUFFIXES = (".tar.gz", ".tar.gz.enc")
# Rows per encrypted column whose decryption a restore tries: the oldest and the newest.
SAMPLE_EACH_END = 20


@dataclass
class BackupResult:
    path: Path
    size: int
    sha256: str
    encrypted: bool
    tables: int
    rows: int
    files: int
    audit_seq: int
    seconds: float


@dataclass
class RestoreResult:
    created_at: str
    tables: int
    rows: int
    files: int
    audit_checked: int
    decrypted: int
    seconds: float
    key_ids: list[str] = field(default_factory=list)


class _HashingWriter:
    """Counts and hashes the archive's bytes on their way to the disk."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.digest, self.size = target, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.target.write(data)


class _HashingReader:
    def __init__(self, source: IO[bytes]) -> None:
        self.source, self.digest, self.size = source, hashlib.sha256(), 0

    def read(self, n: int = -1) -> bytes:
        data = self.source.read(n)
        self.digest.update(data)
        self.size += len(data)
        return data


def storage_files(storage: Storage, path: str = "") -> list[str]:
    """Every file name in ``storage``, depth first."""
    try:
        dirs, names = storage.listdir(path)
    except FileNotFoundError:
        return []
    found = [f"{path}{name}" for name in sorted(names)]
    for sub in sorted(dirs):
        found += storage_files(storage, f"{path}{sub}/")
    return found


def _archive_path(directory: Path, encrypted: bool) -> Path:
    stamp = timezone.now().astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    suffix = SUFFIXES[1] if encrypted else SUFFIXES[0]
    path, n = directory / f"{NAME_PREFIX}{stamp}{suffix}", 1
    while path.exists() or path.with_name(path.name + ".partial").exists():
        n += 1
        path = directory / f"{NAME_PREFIX}{stamp}-{n}{suffix}"
    return path


def _head_query() -> str:
    table = AuditChainHead._meta.db_table
    return f"SELECT last_seq, last_hash FROM {table} WHERE id = 1"  # noqa: S608 — a model's table


def backup_create(
    *,
    directory: Path,
    key: bytes | None,
    actor: Any = None,
    storage: Storage | None = None,
) -> BackupResult:
    """Write one archive of the database and the uploaded files into ``directory``, encrypted
    with ``key`` when given; the backup is recorded in the audit log."""
    started = timezone.now()
    storage = storage or default_storage
    connection = connections[DEFAULT_DB_ALIAS]
    # Sealed first, so the head in the manifest covers every event written before the backup.
    audit_seal()
    directory.mkdir(parents=True, exist_ok=True)
    final = _archive_path(directory, key is not None)
    partial = final.with_name(final.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="fengqiao-backup-") as tmp:
        dump_path = Path(tmp) / database.DUMP_NAMES[database.engine(connection)]
        # The database first, the files after: a file is stored before its row is written, so
        # every row of the dump finds its file in the archive.
        dumped = database.dump(connection, dump_path, [_head_query()])
        head = dumped.results[0][0] if dumped.results[0] else (0, "0" * 64)
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "platform": "fengqiao",
            "created_at": started.isoformat(),
            "database": {
                **dumped.info,
                "dump": dump_path.name,
                "sha256": sha256_file(dump_path),
                "size": dump_path.stat().st_size,
            },
            "tables": dumped.counts,
            "audit": {"last_seq": int(head[0]), "last_hash": str(head[1])},
            "data_key_id": crypto.key_id(crypto.keyring()[0]),
            "files": {},
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                hashing = _HashingWriter(out)
                archive, finish = tar_open_for_writing(hashing, key)  # type: ignore[arg-type]
                with dump_path.open("rb") as fh:
                    tar_add_stream(archive, dump_path.name, fh, manifest["database"]["size"])
                for name in storage_files(storage):
                    with storage.open(name, "rb") as fh:
                        reader = _HashingReader(fh)
                        tar_add_stream(archive, FILES_PREFIX + name, reader, storage.size(name))  # type: ignore[arg-type]
                    manifest["files"][name] = {
                        "sha256": reader.digest.hexdigest(),
                        "size": reader.size,
                    }
                body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
                tar_add_bytes(archive, MANIFEST, body.encode())
                finish()
            os.replace(partial, final)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    result = BackupResult(
        path=final,
        size=hashing.size,
        sha256=hashing.digest.hexdigest(),
        encrypted=key is not None,
        tables=len(dumped.counts),
        rows=sum(dumped.counts.values()),
        files=len(manifest["files"]),
        audit_seq=int(head[0]),
        seconds=(timezone.now() - started).total_seconds(),
    )
    with transaction.atomic():
        audit_record(
            actor=actor,
            event_type=EventType.BACKUP_CREATED,
            object_type="ops.backup",
            object_id=final.name[:64],
            object_repr=_("备份 %(name)s") % {"name": final.name},
            after={
                "file": final.name,
                "size": result.size,
                "sha256": result.sha256,
                "encrypted": result.encrypted,
                "tables": result.tables,
                "rows": result.rows,
                "files": result.files,
                "audit_seq": result.audit_seq,
            },
        )
    return result


def _read_manifest(root: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((root / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(_("备份中没有可读的清单（manifest.json）：不是完整的枫桥备份。")) from exc
    if manifest.get("platform") != "fengqiao" or manifest.get("format") != FORMAT:
        raise BackupError(
            _("备份清单的格式不受支持（format %(f)s）。") % {"f": manifest.get("format")}
        )
    return manifest


def _check_files(root: Path, manifest: dict[str, Any]) -> Path:
    """The dump and every file match the manifest's checksums; returns the dump's path."""
    info = manifest["database"]
    dump_path = root / str(info["dump"])
    if dump_path.name not in database.DUMP_NAMES.values() or not dump_path.is_file():
        raise BackupError(_("备份中缺少数据库文件。"))
    if sha256_file(dump_path) != info["sha256"]:
        raise BackupError(_("数据库文件的 SHA-256 与清单不符：备份已被改动或损坏，拒绝恢复。"))
    listed: dict[str, dict[str, Any]] = manifest["files"]
    found = dict(files_under(root))
    if set(found) != set(listed):
        missing = sorted(set(listed) - set(found))[:5]
        extra = sorted(set(found) - set(listed))[:5]
        raise BackupError(
            _("备份中的文件与清单不符（缺少：%(missing)s；多出：%(extra)s），拒绝恢复。")
            % {"missing": "、".join(missing) or "无", "extra": "、".join(extra) or "无"}
        )
    for name, path in found.items():
        if sha256_file(path) != listed[name]["sha256"]:
            raise BackupError(
                _("文件 %(name)s 的 SHA-256 与清单不符：备份已被改动或损坏，拒绝恢复。")
                % {"name": name}
            )
    return dump_path


def _check_storage(storage: Storage, manifest: dict[str, Any]) -> None:
    """No file of the archive would overwrite a different file already in the storage."""
    for name, item in manifest["files"].items():
        if not storage.exists(name):
            continue
        with storage.open(name, "rb") as fh:
            digest, _size = sha256_stream(fh)
        if digest != item["sha256"]:
            raise BackupError(
                _("文件存储中已有同名但内容不同的文件 %(name)s：请使用空的文件目录后再恢复。")
                % {"name": name}
            )


def _check_counts(using: str, manifest: dict[str, Any]) -> dict[str, int]:
    counts = database.table_counts(connections[using])
    expected: dict[str, int] = manifest["tables"]
    if counts != expected:
        differ = sorted(
            set(counts) ^ set(expected) | {t for t in counts if counts[t] != expected.get(t)}
        )
        shown = "；".join(
            f"{t}：清单 {expected.get(t, '无')}，实际 {counts.get(t, '无')}" for t in differ[:5]
        )
        raise BackupError(_("恢复后的行数与清单不符（%(shown)s），已撤销恢复。") % {"shown": shown})
    return counts


def _check_audit(using: str, manifest: dict[str, Any]) -> int:
    result = audit_verify(using=using)
    if not result.ok:
        raise BackupError(
            _("恢复后的审计链校验失败：记录 id=%(id)s，链序号 %(seq)s：%(reason)s。已撤销恢复。")
            % {"id": result.bad_id, "seq": result.bad_seq, "reason": result.reason}
        )
    head = AuditChainHead.objects.using(using).filter(pk=1).first()
    seq, digest = (head.last_seq, head.last_hash) if head else (0, "0" * 64)
    expected = manifest["audit"]
    if seq != expected["last_seq"] or digest != expected["last_hash"]:
        raise BackupError(
            _("恢复后的审计链头（#%(seq)s）与清单（#%(expected)s）不符，已撤销恢复。")
            % {"seq": seq, "expected": expected["last_seq"]}
        )
    return result.checked


def _check_data_key(using: str) -> tuple[int, list[str]]:
    """Decrypt the oldest and newest values of every encrypted column with this machine's
    data key(s); returns how many were decrypted and the key ids the data is under."""
    decrypted, failed, key_ids = 0, [], set()
    for model, columns in encrypted_fields().items():
        for column in columns:
            raw = (
                model._base_manager.using(using)
                .annotate(_raw=Cast(column.attname, models.TextField()))
                .exclude(_raw="")
                .values_list("pk", "_raw")
            )
            rows = {**dict(raw.order_by("pk")[:SAMPLE_EACH_END])}
            rows.update(dict(raw.order_by("-pk")[:SAMPLE_EACH_END]))
            for pk, token in rows.items():
                key_ids.add(str(token).split(":")[1] if str(token).count(":") >= 2 else "?")
                try:
                    crypto.decrypt(str(token))
                except crypto.DecryptionError:
                    failed.append(f"{model._meta.label}.{column.name} pk={pk}")
                else:
                    decrypted += 1
    if failed:
        _current, ring = crypto.keyring()
        raise BackupError(
            _(
                "本机的数据密钥（编号 %(have)s）无法解密备份中的加密字段"
                "（%(fields)s 等 %(n)d 个）：这些数据用编号为 %(need)s 的数据密钥加密。"
                "请把当时的数据密钥设为 FENGQIAO_DATA_KEY"
                "（或加入 FENGQIAO_DATA_KEYS_OLD）后，再恢复到一个空数据库。已撤销恢复。"
            )
            % {
                "have": "、".join(sorted(ring)),
                "fields": "、".join(failed[:3]),
                "n": len(failed),
                "need": "、".join(sorted(key_ids - set(ring))) or "?",
            }
        )
    return decrypted, sorted(key_ids)


def _restore_files(storage: Storage, root: Path, manifest: dict[str, Any]) -> int:
    for name, path in files_under(root):
        if storage.exists(name):
            continue  # the same bytes: _check_storage compared them
        with path.open("rb") as fh:
            saved = storage.save(name, File(fh, name=name))
        if saved != name:
            raise BackupError(_("文件 %(name)s 未能按原名恢复。") % {"name": name})
    # Every file of the manifest is now in the storage: restored, or already there unchanged.
    return len(manifest["files"])


def backup_restore(
    *,
    archive: Path,
    key: bytes | None,
    using: str = DEFAULT_DB_ALIAS,
    storage: Storage | None = None,
) -> RestoreResult:
    """Restore ``archive`` into the empty database ``using`` and the file storage, and prove
    it: checksums, row counts, the audit chain and the data key. Raises ``BackupError`` with
    the reason when any of it fails; the database is then left empty."""
    started = timezone.now()
    storage = storage or default_storage
    connection = connections[using]
    present = database.tables(connection)
    if present:
        raise BackupError(
            _(
                "目标数据库不是空的（已有 %(n)d 张表，如 %(first)s）：恢复只写入空数据库，"
                "不会覆盖现有数据。请新建一个空数据库后再恢复。"
            )
            % {"n": len(present), "first": present[0]}
        )
    if not archive.is_file():
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": archive})
    with tempfile.TemporaryDirectory(prefix="fengqiao-restore-") as tmp:
        plain = archive
        if is_encrypted(archive):
            plain = Path(tmp) / "archive.tar.gz"
            decrypt_to(archive, plain, key)
        elif key is not None:
            # An unencrypted file where an encrypted one was expected may be a substitute.
            raise BackupError(_("给出了备份密钥，但该备份文件没有加密：请确认文件来源。"))
        root = Path(tmp) / "archive"
        tar_extract(plain, root)
        manifest = _read_manifest(root)
        dump_path = _check_files(root, manifest)
        _check_storage(storage, manifest)
        database.load(connection, dump_path, manifest["database"])
        try:
            counts = _check_counts(using, manifest)
            checked = _check_audit(using, manifest)
            decrypted, key_ids = _check_data_key(using)
            files = _restore_files(storage, root, manifest)
        except OSError as exc:
            # Files already copied stay: a second restore finds them unchanged and goes on.
            database.wipe(connection)
            raise BackupError(
                _("无法把文件写入文件存储：%(error)s。已撤销恢复。") % {"error": exc}
            ) from exc
        except BaseException:
            database.wipe(connection)
            raise
    result = RestoreResult(
        created_at=str(manifest["created_at"]),
        tables=len(counts),
        rows=sum(counts.values()),
        files=files,
        audit_checked=checked,
        decrypted=decrypted,
        seconds=(timezone.now() - started).total_seconds(),
        key_ids=key_ids,
    )
    _record_restore(using, archive, result)
    return result


def _record_restore(using: str, archive: Path, result: RestoreResult) -> None:
    """The restore's own event, in the restored database's chain."""
    event = audit_event(
        actor=None,
        event_type=EventType.BACKUP_RESTORED,
        object_type="ops.backup",
        object_id=archive.name[:64],
        object_repr=_("备份 %(name)s") % {"name": archive.name},
        after={
            "file": archive.name,
            "backup_created_at": result.created_at,
            "tables": result.tables,
            "rows": result.rows,
            "files": result.files,
            "audit_checked": result.audit_checked,
            "decrypted_sample": result.decrypted,
        },
    )
    with transaction.atomic(using=using):
        event.save(using=using)
    audit_seal(using=using)


def backups_in(directory: Path) -> list[Path]:
    """The archives this platform wrote into ``directory``, oldest first."""
    if not directory.is_dir():
        return []
    found = [
        p
        for p in directory.iterdir()
        if p.is_file() and p.name.startswith(NAME_PREFIX) and p.name.endswith(SUFFIXES)
    ]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def backups_prune(*, directory: Path, keep: int, actor: Any = None) -> list[str]:
    """Delete all but the newest ``keep`` archives of ``directory``; recorded in the audit log."""
    if keep < 1:
        raise BackupError(_("保留份数必须至少为 1。"))
    old = backups_in(directory)[:-keep]
    for path in old:
        path.unlink(missing_ok=True)
    if old:
        with transaction.atomic():
            audit_record(
                actor=actor,
                event_type=EventType.BACKUP_PRUNED,
                object_type="ops.backup",
                object_id=str(len(old)),
                object_repr=_("删除过期备份 %(n)d 份") % {"n": len(old)},
                after={"deleted": [p.name for p in old], "keep": keep},
            )
    return [p.name for p in old]


def backup_scheduled_run() -> dict[str, Any]:
    """The scheduled backup (``audit.tasks.scheduled_backup``): one archive into
    FENGQIAO_BACKUP_DIR, encrypted with FENGQIAO_BACKUP_KEY_FILE's key when set, then the
    directory pruned to the newest FENGQIAO_BACKUP_KEEP."""
    directory = Path(settings.FENGQIAO_BACKUP_DIR)
    key = key_load(key_file=settings.FENGQIAO_BACKUP_KEY_FILE or None)
    result = backup_create(directory=directory, key=key)
    deleted = backups_prune(directory=directory, keep=settings.FENGQIAO_BACKUP_KEEP)
    return {
        "file": result.path.name,
        "size": result.size,
        "encrypted": result.encrypted,
        "deleted": len(deleted),
    }
