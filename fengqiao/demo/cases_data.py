"""The demo cases' distributions: categories, channels, grades, states by age, titles."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from fengqiao.core.choices import DisputeCategory as Cat
from fengqiao.disputes.choices import (
    CaseAction,
    CaseStatus,
    IntakeChannel,
    RiskGrade,
)

T = TypeVar("T")
S = CaseStatus
A = CaseAction

FULL_CASES = 3000
SMALL_CASES = 150
# Only the forced cases of ``cases._specs`` (every state and channel, the demo accounts' work).
FORCED_CASES_ONLY = 0
SPAN_DAYS = 548  # 18 months at the least


def span_days(today: date) -> int:
    """How far back the history goes: to 1 January of last year (and 18 months at the least),
    so a leader's year, quarter or month is compared with a whole period before it (纠纷下降率
    of this year against a last year the demo had only half of read −124.6 %)."""
    return max(SPAN_DAYS, (today - date(today.year - 1, 1, 1)).days)


BATCH = 500

CATEGORY_WEIGHTS: list[tuple[str, int]] = [
    (Cat.NEIGHBOUR, 22),
    (Cat.MARRIAGE_FAMILY, 16),
    (Cat.HOUSING_LAND, 11),
    (Cat.CONTRACT, 10),
    (Cat.DAMAGES, 9),
    (Cat.PROPERTY_MGMT, 7),
    (Cat.LABOUR, 7),
    (Cat.TRAFFIC, 3),
    (Cat.CONSUMER, 2),
    (Cat.FOREST_LAND, 2),
    (Cat.BUSINESS, 2),
    (Cat.FINANCE, 2),
    (Cat.MEDICAL, 1),
    (Cat.EXPROPRIATION, 1),
    (Cat.ENVIRONMENT, 1),
    (Cat.CONSTRUCTION, 1),
    (Cat.ADMINISTRATIVE, 1),
    (Cat.INTERNET, 1),
    (Cat.IP, 1),
    (Cat.TOURISM, 1),
    (Cat.OTHER, 2),
]
CHANNEL_WEIGHTS: list[tuple[str, int]] = [
    (IntakeChannel.GRID, 28),
    (IntakeChannel.WALK_IN, 22),
    (IntakeChannel.PHONE, 14),
    (IntakeChannel.COURT_PRE, 9),
    (IntakeChannel.POLICE, 9),
    (IntakeChannel.PETITION, 5),
    (IntakeChannel.PORTAL, 5),
    (IntakeChannel.DEPARTMENT, 3),
    (IntakeChannel.COURT_POST, 2),
    (IntakeChannel.PROCURATORATE, 1),
    (IntakeChannel.ADMIN_REVIEW, 2),
]
GRADE_WEIGHTS: list[tuple[str, int]] = [
    (RiskGrade.LOW, 62),
    (RiskGrade.MEDIUM, 27),
    (RiskGrade.HIGH, 9),
    (RiskGrade.MAJOR, 2),
]
# Final state by the case's age in days: older cases are mostly archived, recent ones open.
STATUS_BY_AGE: list[tuple[float, list[tuple[str, int]]]] = [
    (
        3,
        [
            (S.REGISTERED, 35),
            (S.ASSESSED, 25),
            (S.DISPATCHED, 25),
            (S.ACCEPTED, 10),
            (S.WITHDRAWN, 2),
            (S.REFERRED_OUT, 3),
        ],
    ),
    (
        14,
        [
            (S.REGISTERED, 4),
            (S.ASSESSED, 7),
            (S.DISPATCHED, 10),
            (S.ACCEPTED, 14),
            (S.MEDIATING, 36),
            (S.SUSPENDED, 3),
            (S.RESOLVED, 16),
            (S.FAILED, 2),
            (S.REFERRED_OUT, 4),
            (S.WITHDRAWN, 4),
        ],
    ),
    (
        45,
        [
            (S.DISPATCHED, 2),
            (S.ACCEPTED, 3),
            (S.MEDIATING, 14),
            (S.SUSPENDED, 4),
            (S.RESOLVED, 32),
            (S.FAILED, 6),
            (S.REFERRED_OUT, 6),
            (S.WITHDRAWN, 4),
            (S.ARCHIVED, 29),
        ],
    ),
    (
        120,
        [
            (S.MEDIATING, 3),
            (S.SUSPENDED, 2),
            (S.RESOLVED, 10),
            (S.FAILED, 3),
            (S.REFERRED_OUT, 3),
            (S.WITHDRAWN, 1),
            (S.ARCHIVED, 78),
        ],
    ),
    (
        10_000,
        [
            (S.MEDIATING, 1),
            (S.RESOLVED, 3),
            (S.FAILED, 1),
            (S.REFERRED_OUT, 1),
            (S.ARCHIVED, 94),
        ],
    ),
]
ARCHIVED_OUTCOMES: list[tuple[str, int]] = [
    (S.RESOLVED, 80),
    (S.FAILED, 7),
    (S.REFERRED_OUT, 8),
    (S.WITHDRAWN, 5),
]
# Ages (days) at which a case of a forced final state is placed (coverage in small runs).
FORCED_AGES: dict[str, tuple[float, float]] = {
    S.REGISTERED: (0.1, 2),
    S.ASSESSED: (0.2, 2),
    S.DISPATCHED: (0.3, 2),
    S.ACCEPTED: (1, 5),
    S.MEDIATING: (3, 40),
    S.SUSPENDED: (10, 40),
    S.RESOLVED: (10, 60),
    S.FAILED: (10, 60),
    S.REFERRED_OUT: (5, 60),
    S.WITHDRAWN: (5, 60),
    S.ARCHIVED: (60, 500),
}
# Categories an industry committee takes when one exists, and how often.
INDUSTRY_SHARE: dict[str, float] = {
    Cat.MEDICAL: 0.9,
    Cat.TRAFFIC: 0.6,
    Cat.LABOUR: 0.5,
    Cat.PROPERTY_MGMT: 0.25,
    Cat.MARRIAGE_FAMILY: 0.08,
}
ORG_RESPONDENT: dict[str, tuple[str, ...]] = {
    Cat.CONTRACT: ("建材", "贸易", "装饰工程"),
    Cat.LABOUR: ("服装", "机械制造", "物流"),
    Cat.PROPERTY_MGMT: ("物业服务",),
    Cat.CONSUMER: ("商贸", "电器"),
    Cat.MEDICAL: ("",),
    Cat.CONSTRUCTION: ("建筑工程", "建设"),
    Cat.FINANCE: ("小额贷款",),
    Cat.INTERNET: ("网络科技",),
    Cat.TOURISM: ("旅行社",),
}
TITLES: dict[str, tuple[str, ...]] = {
    Cat.NEIGHBOUR: (
        "{a}与{b}因排水沟堵塞引发邻里纠纷",
        "{a}与{b}因噪音扰民发生争执",
        "{a}与{b}因通行道路堆放杂物发生纠纷",
        "{a}与{b}因树木遮挡采光发生纠纷",
    ),
    Cat.MARRIAGE_FAMILY: (
        "{a}与{b}赡养老人费用分担纠纷",
        "{a}与{b}离婚后子女抚养纠纷",
        "{a}与{b}家庭财产分割纠纷",
        "{a}与{b}婚姻家庭矛盾",
    ),
    Cat.HOUSING_LAND: (
        "{a}与{b}宅基地界址纠纷",
        "{a}与{b}翻建房屋越界纠纷",
        "{a}与{b}房屋漏水损失纠纷",
    ),
    Cat.CONTRACT: (
        "{a}与{b}买卖合同货款纠纷",
        "{a}与{b}装修合同质量纠纷",
        "{a}与{b}租赁合同押金纠纷",
    ),
    Cat.BUSINESS: ("{a}与{b}合伙经营分红纠纷", "{a}与{b}养殖场经营纠纷"),
    Cat.DAMAGES: (
        "{a}与{b}人身损害赔偿纠纷",
        "{a}被{b}家犬咬伤赔偿纠纷",
        "{a}与{b}财产损害赔偿纠纷",
    ),
    Cat.FOREST_LAND: ("{a}与{b}山林界址纠纷", "{a}与{b}承包地经营权纠纷"),
    Cat.EXPROPRIATION: ("{a}与{b}征地补偿款分配纠纷", "{a}与{b}拆迁安置纠纷"),
    Cat.ENVIRONMENT: ("{a}反映{b}粉尘污染纠纷", "{a}与{b}养殖异味污染纠纷"),
    Cat.LABOUR: ("{a}与{b}拖欠工资纠纷", "{a}与{b}工伤待遇纠纷", "{a}与{b}解除劳动合同补偿纠纷"),
    Cat.CONSUMER: ("{a}与{b}商品质量消费纠纷", "{a}与{b}预付卡退费纠纷"),
    Cat.MEDICAL: ("{a}与{b}诊疗损害纠纷",),
    Cat.TRAFFIC: ("{a}与{b}道路交通事故赔偿纠纷", "{a}与{b}电动车碰撞赔偿纠纷"),
    Cat.PROPERTY_MGMT: ("{a}与{b}物业费纠纷", "{a}与{b}车位管理纠纷"),
    Cat.ADMINISTRATIVE: ("{a}对{b}行政处罚有异议", "{a}与{b}行政补偿争议"),
    Cat.OTHER: ("{a}与{b}其他民间纠纷",),
    Cat.INTERNET: ("{a}与{b}网约车服务纠纷", "{a}与{b}外卖平台配送纠纷"),
    Cat.FINANCE: ("{a}与{b}民间借贷纠纷", "{a}与{b}借款合同纠纷"),
    Cat.IP: ("{a}与{b}商标使用纠纷",),
    Cat.TOURISM: ("{a}与{b}旅游服务合同纠纷",),
    Cat.CONSTRUCTION: ("{a}与{b}建设工程款纠纷", "{a}与{b}施工损害赔偿纠纷"),
}
REFER_TARGETS = [
    ("litigation", "人民法院"),
    ("arbitration", "劳动人事争议仲裁委员会"),
    ("administrative", "行政主管部门"),
    ("police", "公安机关"),
    ("petition", "信访部门"),
]
ESCALATE_SHARE: dict[str, float] = {RiskGrade.HIGH: 0.3, RiskGrade.MAJOR: 0.5}
SATISFACTION = [(5, 52), (4, 30), (3, 11), (2, 4), (1, 3)]
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check(body: str) -> str:
    """The 18th character of a 统一社会信用代码 (GB 32100-2015)."""
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]
