"""Field encryption (SM4-GCM), keyed lookup hashes (HMAC-SM3) and the SM3 digest.

Ciphertext is stored as ``sm4gcm:<key id>:<base64(nonce | ciphertext | tag)>``. The key id is the
first 8 hex digits of SM3(key), so values written under an old key stay readable while the
key is being rotated (``manage.py rotate_data_key``; docs/security.md).
"""

from __future__ import annotations

import base64
import binascii
import hmac as std_hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _parse_key(value: str) -> bytes:
    try:
        key = bytes.fromhex(value)
    except ValueError as exc:
        raise ImproperlyConfigured("FENGQIAO_DATA_KEY must be 32 hex digits (16 bytes)") from exc
    if len(key) != 16:
        raise ImproperlyConfigured("FENGQIAO_DATA_KEY must be 32 hex digits (16 bytes)")
    return key


def key_id(key: bytes) -> str:
    return sm3_hex(key)[:8]


@cache
def _keyring(current: str, old: tuple[str, ...]) -> tuple[bytes, dict[str, bytes]]:
    current_key = _parse_key(current)
    ring = {key_id(current_key): current_key}
    for value in old:
        old_key = _parse_key(value)
        ring.setdefault(key_id(old_key), old_key)
    return current_key, ring


def keyring() -> tuple[bytes, dict[str, bytes]]:
    return _keyring(settings.FENGQIAO_DATA_KEY, tuple(settings.FENGQIAO_DATA_KEYS_OLD))


def encrypt(plaintext: str) -> str:
    key, _ = keyring()
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    blob = base64.b64encode(nonce + body + encryptor.tag).decode()
    return f"{PREFIX}:{key_id(key)}:{blob}"


def decrypt(token: str) -> str:
    try:
        prefix, kid, blob = token.split(":", 2)
    except ValueError as exc:
        raise DecryptionError("not an encrypted value") from exc
    if prefix != PREFIX:
        raise DecryptionError("not an encrypted value")
    _, ring = keyring()
    if kid not in ring:
        raise DecryptionError(f"unknown key id {kid}")
    # A damaged column must raise DecryptionError, not a base64 or length error from below.
    try:
        raw = base64.b64decode(blob, validate=True)
    except binascii.Error as exc:
        raise DecryptionError("ciphertext is not base64") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext is truncated")
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(ring[kid]), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext was altered") from exc


def needs_reencryption(token: str) -> bool:
    key, _ = keyring()
    return not token.startswith(f"{PREFIX}:{key_id(key)}:")


def _lookup_key() -> bytes:
    # The lookup key is derived from the data key so one secret protects both.
    key, _ = keyring()
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(b"fengqiao lookup hash v1")
    return mac.finalize()


def normalize_lookup(value: str) -> str:
    """Full-width digits/letters and spaces must not defeat an exact match."""
    out = []
    for ch in value.strip():
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        if not ch.isspace() and ch != "-":
            out.append(ch.upper())
    return "".join(out)


def lookup_hash(value: str) -> str:
    mac = hmac.HMAC(_lookup_key(), hashes.SM3())
    mac.update(normalize_lookup(value).encode())
    return mac.finalize().hex()


def constant_time_equal(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode(), b.encode())
