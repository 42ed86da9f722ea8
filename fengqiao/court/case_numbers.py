"""法院案号 — the court's own case number, as a court writes it: （年份）法院代字 类型代字 序号号,
e.g. （2026）浙0102民初123号 (first instance civil, a county court of 浙江) or
（2026）浙0102民诉前调5号.

One check for every place a clerk types one (``referral_send`` for a 委托, ``referral_number``
when the court adds it to a 委托 the platform dispatched): the service calls it, so the page,
the API and the demo are held to the same rule."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.disputes.services.errors import CaseRuleError

# （year）, the court's designation (a province's one character and the court's digits, or a
# name such as 最高法), the kind of case (民初, 民终, 执, 民诉前调 …) and its sequence number.
_SHAPE = re.compile(
    r"^（(?P<year>\d{4})）[\u4e00-\u9fff]{1,4}\d{0,6}[\u4e00-\u9fff]{1,8}[1-9]\d{0,7}号$"
)
# What people type instead of the full-width brackets.
_BRACKETS = str.maketrans({"(": "（", ")": "）", "〔": "（", "〕": "）", "[": "（", "]": "）"})
FIRST_YEAR = 1990


def clean_court_case_number(value: str) -> str:
    """The 案号 as stored (brackets full-width, no spaces), or ``CaseRuleError`` in Chinese."""
    number = "".join(value.split()).translate(_BRACKETS)
    if not number:
        raise CaseRuleError(_("请填写法院案号。"))
    match = _SHAPE.match(number)
    if match is None:
        raise CaseRuleError(
            _(
                "法院案号格式不正确，应为“（年份）法院代字+类型代字+序号+号”，如（2026）浙0102民初123号。"
            )
        )
    year = int(match["year"])
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise CaseRuleError(_("法院案号中的年份%(y)d不正确。") % {"y": year})
    return number
