from __future__ import annotations

from django import template

from fengqiao.core.masking import mask_id_number, mask_phone

register = template.Library()
# Staff (roster, accounts) ID numbers and phones are masked on every page for everyone; a
# party's data is never masked here but by ``disputes.disclosure`` (names by role and need).
register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, "")
