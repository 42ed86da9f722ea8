"""The clocks that run on an accepted case, in one table, each with the rule that sets it.

Which mediation period a case gets depends on who sent it (a court's 委派/委托 sets the court's
period) and then on its category (a medical dispute has its own); every other case is people's
mediation. A labour dispute also runs a 15-day clock after which a party may go to arbitration.
docs/deadlines.md ("Category clocks") gives the same table for readers.

The sources: the seeds in shared/seeds hold the court's 30 days (seed 002); the article numbers
of the statutes were checked against public copies of the texts where noted, and are otherwise
from memory (marked so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from fengqiao.core.choices import DisputeCategory
from fengqiao.disputes.choices import CourtProcedure, DueKind, IntakeChannel, PeriodUnit
from fengqiao.disputes.deadlines import Period

# What happens when a clock runs out (the sweep, sweep.py).
SUPERVISE = "supervise"  # 督办 to the org that missed it
DEEMED_FAILED = "deemed_failed"  # 视为调解不成: the org is told to close it as 调解不成
TELL_ARBITRATION = "tell_arbitration"  # the mediator is told that the parties may go to arbitration
# 期满退回: the case goes back to the court that sent it (a 委派 period; the court app does it).
RETURN_TO_COURT = "return_to_court"


@dataclass(frozen=True)
class Clock:
    key: str
    label: Any  # lazy Chinese text
    kind: str  # DueKind of the DueItem it runs as
    period: Period
    on_expiry: str
    # A reminder (催办) a few days before: not for a clock that only marks a right arising.
    remind: bool
    source: str
    # Time that does not count; recorded as a 中止 (suspension) and resumed after it.
    excluded: Any = ""


PEOPLES_MEDIATION = Clock(
    key="peoples_mediation",
    label=_("人民调解：一个月"),
    kind=DueKind.MEDIATION,
    period=Period(PeriodUnit.MONTHS, 1),
    on_expiry=SUPERVISE,
    remind=True,
    # As DESIGN §2 cites it; the article number is from memory.
    source="人民调解工作若干规定（司法部令第75号）第三十三条：一般在一个月内调结",
)
COURT_PRE = Clock(
    key="court_pre",
    label=_("法院委派（诉前）：30日"),
    kind=DueKind.MEDIATION,
    period=Period(PeriodUnit.DAYS, 30),
    # Seed 002 §四(六) and DESIGN §2: on expiry the case goes back to the court for filing.
    on_expiry=RETURN_TO_COURT,
    remind=True,
    # The seed is the local court's rule; the article of 法释〔2016〕14号 is from memory.
    source=(
        "法释〔2016〕14号《最高人民法院关于人民法院特邀调解的规定》第二十三条（委派调解 30 日，"
        "双方同意可以延长）；祥法〔2021〕143号 四(六)（seed 002）"
    ),
)
COURT_POST = Clock(
    key="court_post",
    label=_("法院委托（诉中，普通程序）：15日"),
    kind=DueKind.MEDIATION,
    period=Period(PeriodUnit.DAYS, 15),
    on_expiry=SUPERVISE,
    remind=True,
    source="法释〔2016〕14号 第二十三条（委托调解：普通程序 15 日；条号凭记忆）",
)
COURT_POST_SIMPLIFIED = Clock(
    key="court_post_simplified",
    label=_("法院委托（诉中，简易程序）：7日"),
    kind=DueKind.MEDIATION,
    period=Period(PeriodUnit.DAYS, 7),
    on_expiry=SUPERVISE,
    remind=True,
    source="法释〔2016〕14号 第二十三条（委托调解：简易程序 7 日；条号凭记忆）",
)
MEDICAL = Clock(
    key="medical",
    label=_("医疗纠纷：30个工作日"),
    kind=DueKind.MEDIATION,
    period=Period(PeriodUnit.WORKING_DAYS, 30),
    on_expiry=DEEMED_FAILED,
    remind=True,
    # Checked against two public copies of the regulation's text (not in the seeds).
    source=(
        "医疗纠纷预防和处理条例（国务院令第701号）第三十八条：自受理之日起30个工作日内完成调解；"
        "需要鉴定的，鉴定时间不计入调解期限；超过调解期限未达成调解协议的，视为调解不成"
    ),
    excluded=_("医疗损害鉴定期间（以“中止调解”记录，恢复后继续计算）"),
)
LABOUR_ARBITRATION = Clock(
    key="labour_arbitration",
    label=_("劳动争议：15日未达成协议可申请仲裁"),
    kind=DueKind.ARBITRATION,
    period=Period(PeriodUnit.DAYS, 15),
    on_expiry=TELL_ARBITRATION,
    remind=False,
    # From memory: 第十四条第三款.
    source=(
        "劳动争议调解仲裁法 第十四条：自劳动争议调解组织收到调解申请之日起十五日内未达成调解"
        "协议的，当事人可以依法申请仲裁"
    ),
)

CLOCKS: dict[str, Clock] = {
    c.key: c
    for c in (
        PEOPLES_MEDIATION,
        COURT_PRE,
        COURT_POST,
        COURT_POST_SIMPLIFIED,
        MEDICAL,
        LABOUR_ARBITRATION,
    )
}


def mediation_clock(channel: str, procedure: str = "", category: str = "") -> Clock:
    """The mediation period of a case: the referring court's, else its category's, else one
    month of people's mediation."""
    if channel == IntakeChannel.COURT_PRE:
        return COURT_PRE
    if channel == IntakeChannel.COURT_POST:
        if procedure == CourtProcedure.SIMPLIFIED:
            return COURT_POST_SIMPLIFIED
        return COURT_POST
    if category == DisputeCategory.MEDICAL:
        return MEDICAL
    return PEOPLES_MEDIATION


def other_clocks(category: str) -> list[Clock]:
    """The clocks besides the mediation period that start when a case of ``category`` is
    accepted."""
    return [LABOUR_ARBITRATION] if category == DisputeCategory.LABOUR else []


def clock_of(key: str) -> Clock | None:
    return CLOCKS.get(key)
