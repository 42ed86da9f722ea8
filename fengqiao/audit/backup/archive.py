"""The backup archive: one tar (gzip) holding ``manifest.json``, the database dump and the
uploaded files, optionally encrypted as a whole with AES-256-GCM.

An encrypted archive is ``MAGIC | key check (8) | nonce (12) | ciphertext | tag (16)``. The key
check (an HMAC of a fixed label under the key) tells a wrong key apart from a damaged file; the
tag covers the header and every byte, so a changed byte anywhere is refused. Decryption writes
to a private temporary file and nothing of it is read before the tag has been verified.

The backup key is the operator's, kept apart from ``FENGQIAO_DATA_KEY`` (which encrypts
fields inside the database and must never travel with the backups; docs/operations.md).
"""

from __future__ import annotations

import gzip
import hashlib
import hmac
import io
import os
import shutil
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.utils.translation import gettext as _

MAGIC = b"FQBAK1\x00\x00"
KEY_CHECK_BYTES = 8
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER_BYTES = len(MAGIC) + KEY_CHECK_BYTES + NONCE_BYTES
CHUNK = 1024 * 1024
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Chinese)."""


def key_parse(text: str) -> bytes:
    """A backup key: 64 hex digits (32 bytes, AES-256), as ``openssl rand -hex 32`` writes."""
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) != 32:
        raise BackupError(_("备份密钥必须是 64 位十六进制数字（可用 openssl rand -hex 32 生成）。"))
    return key


def key_load(*, key_file: str | None = None, key_env: str | None = None) -> bytes | None:
    """The backup key named on the command line or in the settings (None: not encrypted).

    The data key is refused as a backup key: whoever holds the backups must not also hold
    the key to the fields inside them.
    """
    if key_file and key_env:
        raise BackupError(_("--key-file 与 --key-env 只能选一个。"))
    if key_env:
        if key_env in {"FENGQIAO_DATA_KEY", "FENGQIAO_DATA_KEYS_OLD"}:
            raise BackupError(
                _("不能用数据密钥 FENGQIAO_DATA_KEY 作为备份密钥：两者必须分开保管。")
            )
        value = os.environ.get(key_env, "")
        if not value:
            raise BackupError(_("环境变量 %(name)s 未设置或为空。") % {"name": key_env})
        return key_parse(value)
    if key_file:
        try:
            return key_parse(Path(key_file).read_text())
        except OSError as exc:
            raise BackupError(
                _("无法读取备份密钥文件 %(path)s：%(error)s") % {"path": key_file, "error": exc}
            ) from exc
    return None


def _key_check(key: bytes) -> bytes:
    return hmac.new(key, b"fengqiao backup key check v1", hashlib.sha256).digest()[:KEY_CHECK_BYTES]


class EncryptingWriter:
    """A write-only file object that encrypts what ``tarfile`` streams into it."""

    def __init__(self, target: IO[bytes], key: bytes) -> None:
        nonce = os.urandom(NONCE_BYTES)
        header = MAGIC + _key_check(key) + nonce
        self._encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
        self._encryptor.authenticate_additional_data(header)
        self._target = target
        self._target.write(header)

    def write(self, data: bytes) -> int:
        self._target.write(self._encryptor.update(data))
        return len(data)

    def close(self) -> None:
        self._target.write(self._encryptor.finalize())
        self._target.write(self._encryptor.tag)


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def decrypt_to(path: Path, target: Path, key: bytes | None) -> None:
    """Decrypt ``path`` into ``target``; raises before anything of it may be used unless the
    key is the archive's and not one byte was changed."""
    size = path.stat().st_size
    if key is None:
        raise BackupError(_("该备份已加密：请用 --key-file 或 --key-env 提供备份密钥。"))
    if size < HEADER_BYTES + TAG_BYTES:
        raise BackupError(_("备份文件不完整（已被截断）。"))
    with path.open("rb") as src, target.open("wb") as out:
        header = src.read(HEADER_BYTES)
        check, nonce = header[len(MAGIC) : -NONCE_BYTES], header[-NONCE_BYTES:]
        if not hmac.compare_digest(check, _key_check(key)):
            raise BackupError(_("备份密钥不正确：该备份不是用这个密钥加密的。"))
        src.seek(size - TAG_BYTES)
        tag = src.read(TAG_BYTES)
        src.seek(HEADER_BYTES)
        decryptor = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(header)
        remaining = size - HEADER_BYTES - TAG_BYTES
        while remaining:
            block = src.read(min(CHUNK, remaining))
            remaining -= len(block)
            out.write(decryptor.update(block))
        try:
            out.write(decryptor.finalize())
        except InvalidTag as exc:
            raise BackupError(_("备份文件已被改动或损坏：加密校验未通过，拒绝恢复。")) from exc


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def sha256_stream(source: IO[bytes], out: IO[bytes] | None = None) -> tuple[str, int]:
    """The SHA-256 and size of what ``source`` yields, copied into ``out`` on the way."""
    digest, size = hashlib.sha256(), 0
    while block := source.read(CHUNK):
        digest.update(block)
        size += len(block)
        if out is not None:
            out.write(block)
    return digest.hexdigest(), size


def tar_open_for_writing(
    target: IO[bytes], key: bytes | None
) -> tuple[tarfile.TarFile, Callable[[], None]]:
    """A streaming tar (gzip) into ``target``, through the encryption when there is a key;
    returns the tar and what finishes the file once the tar is closed."""
    writer: Any = EncryptingWriter(target, key) if key is not None else target
    # Level 1: the dump of PostgreSQL is compressed already and images do not compress; the
    # SQLite file and the manifest shrink well even so.
    packed = gzip.GzipFile(fileobj=writer, mode="wb", compresslevel=1, mtime=0)
    archive = tarfile.open(fileobj=packed, mode="w|")  # noqa: SIM115 — closed by the caller

    def finish() -> None:
        archive.close()
        packed.close()
        if key is not None:
            writer.close()

    return archive, finish


def tar_add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def tar_add_stream(archive: tarfile.TarFile, name: str, source: IO[bytes], size: int) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    archive.addfile(info, source)


def tar_extract(path: Path, into: Path) -> None:
    """Unpack a (decrypted) archive into ``into``: regular files only, no name leaving it."""
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            archive.extractall(into, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(
            _("无法读取备份文件（不是枫桥备份，或文件已损坏）：%(error)s") % {"error": exc}
        ) from exc


def files_under(root: Path) -> Iterator[tuple[str, Path]]:
    """The extracted uploaded files, by their name in the storage."""
    base = root / FILES_PREFIX.rstrip("/")
    if not base.exists():
        return
    for path in sorted(base.rglob("*")):
        if path.is_file():
            yield path.relative_to(base).as_posix(), path


def remove_quietly(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
