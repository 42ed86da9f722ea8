"""Masking of personal data for every page and export (``110***********1234``, ``138****5678``)."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    value = value.strip()
    if len(value) < 7:
        return "*" * len(value)
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str | None) -> str:
    """张三丰 → 张**: used where a party's name must not be shown in full."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
