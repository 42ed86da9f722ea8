"""Encrypted model fields: the column holds only SM4-GCM ciphertext, never the plaintext."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import models

from fengqiao.core import crypto


class EncryptedTextField(models.TextField):
    """A text value stored encrypted; ``hash_field`` names a sibling column that receives the
    keyed lookup hash so the value can be found by exact match without decrypting.

    The hash is refreshed in ``pre_save``, i.e. by ``save()`` and ``bulk_create``; code that
    writes the value with ``save(update_fields=...)`` must list the hash field too, and
    ``bulk_update``/``QuerySet.update`` must set it explicitly.
    """

    def __init__(self, *args: Any, hash_field: str | None = None, **kwargs: Any) -> None:
        self.hash_field = hash_field
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_hash_field()]

    def _check_hash_field(self) -> list[checks.CheckMessage]:
        if not self.hash_field:
            return []
        # Local fields: with multi-table inheritance a parent's row is saved in its own step.
        fields = list(self.model._meta.local_concrete_fields)
        target = next((f for f in fields if f.name == self.hash_field), None)
        if target is None:
            return [
                checks.Error(
                    f"hash_field '{self.hash_field}' is not a field of this model's table.",
                    obj=self,
                    id="fengqiao.E001",
                )
            ]
        # save() calls pre_save() in field order: a hash column declared before this field
        # would be written before pre_save() refreshed it, i.e. with the previous value's hash.
        if fields.index(target) < fields.index(self):
            return [
                checks.Error(
                    f"hash_field '{self.hash_field}' must be declared after '{self.name}'.",
                    obj=self,
                    id="fengqiao.E002",
                )
            ]
        return []

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        if not value:
            return ""
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return ""
        return crypto.encrypt(str(value))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if self.hash_field:
            setattr(model_instance, self.hash_field, crypto.lookup_hash(value) if value else "")
        return value


def lookup_hash_field(verbose_name: Any, *, db_index: bool = True) -> models.CharField:
    """The keyed hash column of an encrypted field. A large table indexes it in its Meta
    instead (``db_index=False``), which on PostgreSQL spares the LIKE twin index Django adds
    to an indexed CharField: a hash is only ever matched exactly."""
    return models.CharField(
        verbose_name, max_length=64, blank=True, default="", db_index=db_index, editable=False
    )
