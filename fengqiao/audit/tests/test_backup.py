"""备份与恢复 on the small demo county with an uploaded evidence file: the round trip into an
empty database of the same engine (SQLite, or a fresh PostgreSQL database the test creates and
drops), and every way a restore must refuse — a changed byte, a changed count, the wrong
backup key, the wrong data key, a database that is not empty."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.db import connections
from django.db.utils import load_backend
from django.test import override_settings

from fengqiao.accounts.models import User
from fengqiao.audit.backup import database
from fengqiao.audit.backup.archive import BackupError, decrypt_to
from fengqiao.audit.backup.services import backup_create, backup_restore, storage_files
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.audit.services import audit_verify
from fengqiao.disputes.models import Case, Party
from fengqiao.mediation.models import Evidence
from fengqiao.mediation.services import MEDIATION_STATES, evidence_upload, may_mediate
from fengqiao.mediation.tests.factories import png_bytes

TARGET = "restore_target"

# Each test in a transaction rolled back after it, on the county the module seeds once.
pytestmark = pytest.mark.django_db


@dataclass
class Source:
    """The seeded county as it was backed up."""

    archive: Path
    key: bytes
    counts: dict[str, int]
    head: tuple[int, str]
    evidence: str
    evidence_bytes: bytes
    party: int
    phone: str


def _upload_evidence() -> Evidence:
    """A photo uploaded by a mediator on a demo case they are mediating."""
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    for case in Case.objects.filter(status__in=MEDIATION_STATES).order_by("pk"):
        for user in users:
            if may_mediate(user, case):
                data = png_bytes()
                return evidence_upload(
                    actor=user,
                    case_id=case.pk,
                    file=io.BytesIO(data),
                    name="现场照片.png",
                    size=len(data),
                )
    raise AssertionError("the demo county has no case a mediator can add evidence to")


@pytest.fixture(scope="module")
def source(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Source]:
    # Committed, not rolled back: pg_dump reads only what has committed. Flushed at the end.
    with django_db_blocker.unblock():
        try:
            call_command("seed_demo", "--small", stdout=StringIO())
            evidence = _upload_evidence()
            party = Party.objects.exclude(phone_hash="").order_by("pk").first()
            assert party is not None
            key = os.urandom(32)
            result = backup_create(directory=tmp_path_factory.mktemp("backups"), key=key)
            # The backup's own event is written after its snapshot: not in the archive.
            counts = database.table_counts(connections["default"])
            counts[AuditEvent._meta.db_table] -= 1
            head = AuditEvent.objects.get(seq=result.audit_seq)
            with default_storage.open(evidence.storage_name, "rb") as fh:
                stored = fh.read()
            yield Source(
                archive=result.path,
                key=key,
                counts=counts,
                head=(result.audit_seq, head.hash),
                evidence=evidence.storage_name,
                evidence_bytes=stored,
                party=party.pk,
                phone=party.phone,
            )
        finally:
            for name in storage_files(default_storage):
                default_storage.delete(name)
            call_command("flush", interactive=False, verbosity=0)


@contextmanager
def target_database(tmp_path: Path) -> Iterator[str]:
    """An empty database beside the test database, under the alias ``TARGET``: a SQLite file,
    or on PostgreSQL a database ``<name>_restore`` created here and dropped after."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    settings_dict["OPTIONS"].pop("pool", None)
    admin = None
    if connections["default"].vendor == "postgresql":
        import psycopg

        name = f"{str(settings_dict['NAME']).removeprefix('test_')}_restore"
        admin = psycopg.connect(
            dbname="postgres",
            host=settings_dict["HOST"] or None,
            port=settings_dict["PORT"] or None,
            user=settings_dict["USER"] or None,
            password=settings_dict["PASSWORD"] or None,
            autocommit=True,
        )
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        settings_dict["NAME"] = name
    else:
        settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")
    # Set on this thread's handler only, not in ``connections.settings``: the test case of the
    # ``db`` fixture refuses connections to aliases it knows of and did not ask for, and lets
    # one it does not know of through. ``.using(TARGET)`` and ``connections[TARGET]`` find it.
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, TARGET)
    connections[TARGET] = wrapper
    try:
        yield TARGET
    finally:
        wrapper.close()
        del connections[TARGET]
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{settings_dict["NAME"]}" WITH (FORCE)')
            admin.close()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[str]:
    with target_database(tmp_path) as alias:
        yield alias


@pytest.fixture
def files(tmp_path: Path) -> FileSystemStorage:
    """The new machine's empty file storage."""
    return FileSystemStorage(location=tmp_path / "files")


def _round_trip(source: Source, target: str, files: FileSystemStorage) -> None:
    # when the archive is restored into the empty database
    result = backup_restore(archive=source.archive, key=source.key, using=target, storage=files)

    # then every table holds the rows it held, plus the restore's own audit event
    counts = database.table_counts(connections[target])
    events = AuditEvent._meta.db_table
    assert counts[events] == source.counts[events] + 1
    assert {t: n for t, n in counts.items() if t != events} == {
        t: n for t, n in source.counts.items() if t != events
    }
    assert result.rows == sum(source.counts.values())
    # and the uploaded evidence is back, byte for byte, matching its row's checksum
    with files.open(source.evidence, "rb") as fh:
        restored = fh.read()
    assert restored == source.evidence_bytes
    evidence = Evidence.objects.using(target).get(storage_name=source.evidence)
    assert hashlib.sha256(restored).hexdigest() == evidence.sha256
    # and the audit chain verifies through the backed-up head and the restore's event
    chain = audit_verify(using=target)
    assert chain.ok
    assert chain.checked == source.head[0] + 1
    assert AuditEvent.objects.using(target).get(seq=source.head[0]).hash == source.head[1]
    last = AuditEvent.objects.using(target).get(seq=source.head[0] + 1)
    assert last.event_type == EventType.BACKUP_RESTORED
    assert last.after["file"] == source.archive.name
    # and the party's phone decrypts to what it was
    assert Party.objects.using(target).get(pk=source.party).phone == source.phone
    assert result.decrypted > 0


def test_round_trip_on_sqlite(source: Source, target: str, files: FileSystemStorage) -> None:
    if connections["default"].vendor != "sqlite":
        pytest.skip("the SQLite round trip runs when the suite runs on SQLite")
    _round_trip(source, target, files)


@pytest.mark.postgres
def test_round_trip_on_postgresql(source: Source, target: str, files: FileSystemStorage) -> None:
    if connections["default"].vendor != "postgresql":
        pytest.skip("needs DATABASE_URL on PostgreSQL")
    _round_trip(source, target, files)


def _plain(source: Source, tmp_path: Path) -> Path:
    plain = tmp_path / "fengqiao-backup-plain.tar.gz"
    decrypt_to(source.archive, plain, source.key)
    return plain


def _rewrite(archive: Path, into: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """A copy of ``archive`` with ``change`` applied to each member's bytes."""
    with tarfile.open(archive, "r:gz") as old, tarfile.open(into, "w:gz") as new:
        for member in old.getmembers():
            extracted = old.extractfile(member)
            assert extracted is not None
            data = change(member.name, extracted.read())
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            new.addfile(info, io.BytesIO(data))
    return into


def _assert_refused(
    archive: Path, key: bytes | None, target: str, files: FileSystemStorage, *words: str
) -> None:
    with pytest.raises(BackupError) as refused:
        backup_restore(archive=archive, key=key, using=target, storage=files)
    for word in words:
        assert word in str(refused.value)
    # and nothing is left behind: the database is empty, no file was stored
    assert database.tables(connections[target]) == []
    assert not Path(files.location).exists() or not any(Path(files.location).rglob("*.*"))


def test_a_changed_byte_in_an_uploaded_file_is_refused(
    source: Source, target: str, files: FileSystemStorage, tmp_path: Path
) -> None:
    def flip(name: str, data: bytes) -> bytes:
        if name == f"files/{source.evidence}":
            return data[:20] + bytes([data[20] ^ 1]) + data[21:]
        return data

    changed = _rewrite(_plain(source, tmp_path), tmp_path / "changed.tar.gz", flip)
    _assert_refused(changed, None, target, files, source.evidence, "SHA-256", "拒绝恢复")


def test_a_changed_count_in_the_manifest_is_refused(
    source: Source, target: str, files: FileSystemStorage, tmp_path: Path
) -> None:
    cases = Case._meta.db_table

    def more_cases(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"][cases] += 1
        return json.dumps(manifest).encode()

    changed = _rewrite(_plain(source, tmp_path), tmp_path / "changed.tar.gz", more_cases)
    _assert_refused(changed, None, target, files, "行数与清单不符", cases, "已撤销恢复")


def test_a_changed_byte_of_an_encrypted_archive_is_refused(
    source: Source, target: str, files: FileSystemStorage, tmp_path: Path
) -> None:
    data = bytearray(source.archive.read_bytes())
    data[len(data) // 2] ^= 1
    changed = tmp_path / source.archive.name
    changed.write_bytes(bytes(data))
    _assert_refused(changed, source.key, target, files, "已被改动或损坏")


def test_the_wrong_backup_key_is_refused(
    source: Source, target: str, files: FileSystemStorage
) -> None:
    _assert_refused(source.archive, os.urandom(32), target, files, "备份密钥不正确")
    _assert_refused(source.archive, None, target, files, "该备份已加密")


def test_a_data_key_that_cannot_decrypt_the_fields_is_refused(
    source: Source, target: str, files: FileSystemStorage
) -> None:
    # given a machine whose FENGQIAO_DATA_KEY is not the one the fields were encrypted with
    with override_settings(FENGQIAO_DATA_KEY="ffeeddccbbaa99887766554433221100"):
        _assert_refused(
            source.archive, source.key, target, files, "无法解密", "FENGQIAO_DATA_KEY", "已撤销恢复"
        )


def test_a_database_that_is_not_empty_is_refused(source: Source, files: FileSystemStorage) -> None:
    # given the database the county lives in
    before = database.table_counts(connections["default"])
    # when the archive is restored into it, then it is refused and nothing changed
    with pytest.raises(BackupError, match="目标数据库不是空的"):
        backup_restore(archive=source.archive, key=source.key, storage=files)
    assert database.table_counts(connections["default"]) == before


class FullDisk(FileSystemStorage):
    def _save(self, name: str, content: Any) -> str:
        raise OSError(28, "No space left on device")


def test_files_that_cannot_be_written_undo_the_restore(
    source: Source, target: str, tmp_path: Path
) -> None:
    # given a file storage that cannot take the files
    full = FullDisk(location=tmp_path / "full")
    # when the archive is restored, then it is refused and the database is empty again
    with pytest.raises(BackupError, match="无法把文件写入文件存储"):
        backup_restore(archive=source.archive, key=source.key, using=target, storage=full)
    assert database.tables(connections[target]) == []
