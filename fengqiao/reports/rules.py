"""The recommendations section (对策建议): explicit rules over the report's figures, each
turning one condition of the data into one sentence that names what triggered it. The rules,
their thresholds and their order are listed in docs/reports.md; nothing else writes a sentence.

1. 类别上升: a category with at least ``MIN_CASES`` cases this period and more than
   ``RISE_PERCENT`` % above the previous period.
2. 区域上升: the same for a township (or village) of the region.
3. 成功率偏低: 调处成功率 below ``SUCCESS_RATE_FLOOR`` %.
4. 超期: 超期率 above ``OVERDUE_CEILING`` %.
5. 村级化解: the share resolved in the village below ``VILLAGE_SHARE_FLOOR`` % ("小事不出村").
6. 民转刑: any 民转刑 case.
7. 群体性/重大: any 群体性 or 重大 case.
8. 满意率偏低: 满意率 below ``SATISFACTION_FLOOR`` %.
9. 司法确认: 司法确认率 below ``CONFIRMATION_FLOOR`` % with agreements to confirm.
When none applies, one sentence says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from fengqiao.reports.content import Figure, MixRow

RISE_PERCENT = Decimal(20)
MIN_CASES = 5
SUCCESS_RATE_FLOOR = Decimal(80)
OVERDUE_CEILING = Decimal(10)
VILLAGE_SHARE_FLOOR = Decimal(50)
SATISFACTION_FLOOR = Decimal(90)
CONFIRMATION_FLOOR = Decimal(10)


def _rising(rows: Sequence[MixRow]) -> list[MixRow]:
    return [
        row
        for row in rows
        if row.count >= MIN_CASES and row.change is not None and row.change > RISE_PERCENT
    ]


def _value(figures: Mapping[str, Figure], key: str) -> Decimal | None:
    found = figures.get(key)
    if found is None or found.value is None:
        return None
    return Decimal(found.value)


def recommendations(
    *, figures: Mapping[str, Figure], categories: Sequence[MixRow], regions: Sequence[MixRow]
) -> list[str]:
    """The sentences the rules above produce, in rule order."""
    found: list[str] = []
    for row in _rising(categories):
        found.append(
            _(
                "“%(name)s”纠纷本期 %(now)d 件，较上期 %(before)d 件上升 %(change)s%%，"
                "建议组织开展该类纠纷专项排查化解，会同行业主管部门从源头治理。"
            )
            % {"name": row.label, "now": row.count, "before": row.previous, "change": row.change}
        )
    for row in _rising(regions):
        found.append(
            _(
                "%(name)s本期受理纠纷 %(now)d 件，较上期 %(before)d 件上升 %(change)s%%，"
                "建议该地加密排查频次，综治中心（平安办）跟踪研判。"
            )
            % {"name": row.label, "now": row.count, "before": row.previous, "change": row.change}
        )
    success = _value(figures, "success_rate")
    if success is not None and success < SUCCESS_RATE_FLOOR:
        found.append(
            _(
                "调处成功率 %(rate)s%%，低于 %(floor)s%%，建议对调处未成的纠纷启动"
                "“一办一庭两所”联动调处，疑难纠纷提级化解。"
            )
            % {"rate": success.quantize(Decimal("0.1")), "floor": SUCCESS_RATE_FLOOR}
        )
    overdue = _value(figures, "overdue_rate")
    if overdue is not None and overdue > OVERDUE_CEILING:
        found.append(
            _("超期率 %(rate)s%%，高于 %(ceiling)s%%，建议对超期事项逐件督办，明确办结时限。")
            % {"rate": overdue.quantize(Decimal("0.1")), "ceiling": OVERDUE_CEILING}
        )
    village = _value(figures, "share_village")
    if village is not None and village < VILLAGE_SHARE_FLOOR:
        found.append(
            _(
                "在村（社区）一级化解的纠纷仅占 %(share)s%%，低于 %(floor)s%%，建议加强村（社区）"
                "调解组织和网格排查力量，推动“小事不出村”。"
            )
            % {"share": village.quantize(Decimal("0.1")), "floor": VILLAGE_SHARE_FLOOR}
        )
    transfer = _value(figures, "criminal_transfer")
    if transfer is not None and transfer > 0:
        found.append(
            _("本期发生民转刑案件 %(n)s 件，建议逐案复盘研判预警和处置环节，堵塞漏洞。")
            % {"n": int(transfer)}
        )
    group = (_value(figures, "group_cases") or 0) + (_value(figures, "major_cases") or 0)
    if group > 0:
        found.append(
            _("本期有群体性或重大纠纷 %(n)s 件，建议落实领导包案和稳控措施，防止矛盾升级。")
            % {"n": int(group)}
        )
    satisfaction = _value(figures, "satisfaction_rate")
    if satisfaction is not None and satisfaction < SATISFACTION_FLOOR:
        found.append(
            _("当事人满意率 %(rate)s%%，低于 %(floor)s%%，建议加强回访并改进调解工作方式。")
            % {"rate": satisfaction.quantize(Decimal("0.1")), "floor": SATISFACTION_FLOOR}
        )
    confirmation = figures.get("confirmation_rate")
    if (
        confirmation is not None
        and confirmation.value is not None
        and confirmation.denominator
        and Decimal(confirmation.value) < CONFIRMATION_FLOOR
    ):
        found.append(
            _(
                "司法确认率 %(rate)s%%，建议引导达成协议的当事人申请司法确认，"
                "提升人民调解协议的权威性。"
            )
            % {"rate": Decimal(confirmation.value).quantize(Decimal("0.1"))}
        )
    if not found:
        found.append(_("本期各项指标均未触发预警规则，建议保持现有工作机制，继续做好排查化解。"))
    return found
