from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone

from fengqiao.core import crypto
from fengqiao.core.fields import EncryptedTextField
from fengqiao.core.models import Heartbeat

ROTATE_BATCH = 500


def heartbeat_beat(*, name: str) -> Heartbeat:
    beat, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_run": timezone.now()}
    )
    return beat


@dataclass
class FieldRotation:
    """What the key rotation did to one encrypted column."""

    label: str
    checked: int = 0
    reencrypted: int = 0
    rehashed: int = 0
    failed: list[str] = field(default_factory=list)


@dataclass
class KeyRotationResult:
    key_id: str
    fields: list[FieldRotation]

    @property
    def reencrypted(self) -> int:
        return sum(f.reencrypted for f in self.fields)

    @property
    def rehashed(self) -> int:
        return sum(f.rehashed for f in self.fields)

    @property
    def failed(self) -> list[str]:
        return [pk for f in self.fields for pk in f.failed]


def encrypted_fields() -> dict[type[models.Model], list[EncryptedTextField]]:
    """Every encrypted column of every installed model, each table once: proxies share their
    concrete model's table, and a multi-table child lists only its own columns."""
    found: dict[type[models.Model], list[EncryptedTextField]] = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if columns:
            found[model] = columns
    return found


def encrypted_fields_rotate(
    *,
    batch_size: int = ROTATE_BATCH,
    progress: Callable[[FieldRotation], None] | None = None,
) -> KeyRotationResult:
    """Re-encrypt every value not under the current data key and refresh every lookup hash.

    Restartable: each batch commits on its own and a value already under the current key with
    a current hash is left alone, so an interrupted run is simply run again. The lookup-hash
    key is derived from the data key, so hashes are recomputed for every row, including rows a
    previous run already re-encrypted.
    """
    current, _ring = crypto.keyring()
    result = KeyRotationResult(key_id=crypto.key_id(current), fields=[])
    for model, columns in encrypted_fields().items():
        stats = [FieldRotation(label=f"{model._meta.label}.{f.name}") for f in columns]
        _rotate_model(model, columns, stats, batch_size)
        result.fields.extend(stats)
        if progress is not None:
            for item in stats:
                progress(item)
    return result


def _rotate_model(
    model: type[models.Model],
    columns: list[EncryptedTextField],
    stats: list[FieldRotation],
    batch_size: int,
) -> None:
    opts = model._meta
    # The raw ciphertext, read through a plain text cast so from_db_value does not decrypt it
    # (and a value under a missing key is reported instead of aborting the whole run).
    raw = {f.attname: f"_raw_{f.attname}" for f in columns}
    hashes = {f.attname: _attname(opts, f.hash_field) for f in columns if f.hash_field}
    selected = [*raw.values(), *hashes.values()]
    last_pk: Any = None
    while True:
        # One transaction per batch, the batch's rows locked so that a concurrent edit is
        # neither overwritten with the old value nor left under the old key.
        with transaction.atomic():
            qs = model._base_manager.order_by("pk")
            if last_pk is not None:
                qs = qs.filter(pk__gt=last_pk)
            rows = list(
                qs.select_for_update()
                .annotate(**{alias: Cast(name, models.TextField()) for name, alias in raw.items()})
                .values_list("pk", *selected)[:batch_size]
            )
            if not rows:
                return
            for column, stat in zip(columns, stats, strict=True):
                _rotate_column(model, column, stat, rows, selected, raw, hashes)
        last_pk = rows[-1][0]


def _attname(opts: Any, name: str) -> str:
    # A concrete column of the same table: EncryptedTextField.check() guarantees it.
    return str(opts.get_field(name).attname)


def _rotate_column(
    model: type[models.Model],
    column: EncryptedTextField,
    stat: FieldRotation,
    rows: list[tuple[Any, ...]],
    selected: list[str],
    raw: dict[str, str],
    hashes: dict[str, str],
) -> None:
    token_at = 1 + selected.index(raw[column.attname])
    hash_attname = hashes.get(column.attname)
    reencrypt: list[models.Model] = []
    rehash: list[models.Model] = []
    for row in rows:
        stat.checked += 1
        token = row[token_at] or ""
        plaintext = ""
        if token:
            try:
                plaintext = crypto.decrypt(token)
            except crypto.DecryptionError:
                stat.failed.append(f"{stat.label} pk={row[0]}")
                continue
        obj = model(pk=row[0])
        setattr(obj, column.attname, plaintext)
        stale_hash = False
        if hash_attname is not None:
            fresh = crypto.lookup_hash(plaintext) if plaintext else ""
            setattr(obj, hash_attname, fresh)
            stale_hash = fresh != row[1 + selected.index(hash_attname)]
        if token and crypto.needs_reencryption(token):
            reencrypt.append(obj)
        elif stale_hash:
            rehash.append(obj)
        stat.rehashed += stale_hash
    # bulk_update passes the plaintext through the field, which encrypts it under the
    # current key; it does not call pre_save, so the hash is written explicitly.
    if reencrypt:
        names = [column.name] + ([column.hash_field] if column.hash_field else [])
        model._base_manager.bulk_update(reencrypt, names)
        stat.reencrypted += len(reencrypt)
    if rehash and column.hash_field:
        model._base_manager.bulk_update(rehash, [column.hash_field])
