"""Encrypted model fields: the column holds only SM4-GCM ciphertext, never the plaintext."""

from __future__ import annotations

from typing import Any

from django.db import models

from fengqiao.core import crypto


class EncryptedTextField(models.TextField):
    """A text value stored encrypted; ``hash_field`` names a sibling column that receives the
    keyed lookup hash so the value can be found by exact match without decrypting."""

    def __init__(self, *args: Any, hash_field: str | None = None, **kwargs: Any) -> None:
        self.hash_field = hash_field
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

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


def lookup_hash_field(verbose_name: Any) -> models.CharField:
    return models.CharField(
        verbose_name, max_length=64, blank=True, default="", db_index=True, editable=False
    )
