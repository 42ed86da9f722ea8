"""演示数据的常量：虚构区县的代码和名称、音节表、各类单位的受理类别、人员背景的分布。"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from fengqiao.core.choices import DisputeCategory as Cat
from fengqiao.orgs.choices import (
    Background,
    ExpertField,
    MediatorGrade,
)
from fengqiao.regions.models import Region

T = TypeVar("T")

DEFAULT_SEED = 2026
# One password for every demo account, shown by ``manage.py demo_accounts``. It passes the
# validators of settings.AUTH_PASSWORD_VALIDATORS (length ≥10, three character classes).
DEMO_PASSWORD = "Fengqiao@2026"  # noqa: S105 — published demo credential, by design

PROVINCE_CODE, PROVINCE_NAME = "990000000000", "示范省"
CITY_CODE, CITY_NAME = "990100000000", "示范市"
COUNTY_CODE, COUNTY_NAME = "990102000000", "枫溪区"
ID_PREFIX = COUNTY_CODE[:6]


@dataclass(frozen=True)
class DemoSize:
    """How big a county to build; the default is the full demo, tests use a smaller one."""

    townships: int = 8
    villages_per_township: int = 10
    grids_per_village: int = 5

    def __post_init__(self) -> None:
        # Three townships and three villages each leave room for the planted shortfalls and
        # the two demo mediators' untouched villages; grids are named 第一…第十网格.
        if not 3 <= self.townships <= 30:
            raise ValueError("townships must be 3–30")
        if not 3 <= self.villages_per_township <= 90:
            raise ValueError("villages_per_township must be 3–90")
        if not 1 <= self.grids_per_village <= 10:
            raise ValueError("grids_per_village must be 1–10")
        if self.townships * (1 + self.villages_per_township) > 1000:
            raise ValueError("too many places for the syllable lists (at most 1000 names)")


FULL_COUNTY = DemoSize()


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ---------------------------------------------------------------------------------------------
# Syllables. Ordered strings and lists only: iteration order never depends on hashing.

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤"
)
# Given names: common two-character names, and single characters for one-character names.
MALE_GIVEN = _words(
    "建国 建华 建平 国强 国平 志强 志明 志刚 海涛 海波 永刚 永明 文斌 文杰 俊杰 明辉 德华 德明 "
    "立新 立军 卫东 卫国 振华 振国 春生 金生 水根 福生 长青 树林 家明 宏伟 宏斌 鹏飞 晓峰 晓东 "
    "新民 庆丰 荣华 忠良 正平 小军 子豪 宇航 浩然 俊豪 天宇 志远"
)
FEMALE_GIVEN = _words(
    "秀英 秀兰 秀珍 桂英 桂兰 玉兰 玉梅 美华 丽华 丽娟 丽萍 红梅 红霞 春燕 春梅 海燕 晓燕 晓红 "
    "晓丽 雪梅 雪芳 慧敏 慧芳 彩霞 金凤 素芳 月琴 爱萍 淑珍 凤英 建英 小红 婷婷 佳怡 欣怡 思雨 "
    "雨婷 梦瑶 静怡 晓雯"
)
MALE_SINGLE = "伟强军平刚勇杰涛明超辉斌磊波浩峰鑫健亮"
FEMALE_SINGLE = "静敏燕芳玲婷倩琳颖娟萍霞洁丽红梅兰"
PLACE_FIRST = (
    "青石云桃柳梅竹松兰杏荷桂鹤龙凤安宁和丰泰清明秀文新永长平福寿康乐金玉碧翠白东西南北上前后大小"
)
PLACE_SECOND = "山溪塘桥湾岭坞浦洋岙埠港源口坪坑田岗洲墩庄河湖泉林峰谷滩堰"
ROAD_SUFFIXES = ("路", "街", "大道")
NUMERALS = "一二三四五六七八九十"

VILLAGE_CATEGORIES = [
    Cat.NEIGHBOUR,
    Cat.MARRIAGE_FAMILY,
    Cat.HOUSING_LAND,
    Cat.FOREST_LAND,
    Cat.DAMAGES,
    Cat.CONTRACT,
    Cat.OTHER,
]
COMMUNITY_CATEGORIES = [
    Cat.NEIGHBOUR,
    Cat.MARRIAGE_FAMILY,
    Cat.PROPERTY_MGMT,
    Cat.DAMAGES,
    Cat.CONSUMER,
    Cat.OTHER,
]
TOWNSHIP_CATEGORIES = [
    Cat.NEIGHBOUR,
    Cat.MARRIAGE_FAMILY,
    Cat.HOUSING_LAND,
    Cat.FOREST_LAND,
    Cat.DAMAGES,
    Cat.CONTRACT,
    Cat.LABOUR,
    Cat.EXPROPRIATION,
    Cat.ENVIRONMENT,
    Cat.BUSINESS,
    Cat.CONSTRUCTION,
    Cat.OTHER,
]
COURT_CATEGORIES = [
    Cat.MARRIAGE_FAMILY,
    Cat.NEIGHBOUR,
    Cat.HOUSING_LAND,
    Cat.CONTRACT,
    Cat.DAMAGES,
    Cat.LABOUR,
    Cat.TRAFFIC,
    Cat.FINANCE,
    Cat.BUSINESS,
]
POLICE_CATEGORIES = [Cat.NEIGHBOUR, Cat.DAMAGES, Cat.TRAFFIC, Cat.MARRIAGE_FAMILY, Cat.CONSUMER]
PETITION_CATEGORIES = [
    Cat.ADMINISTRATIVE,
    Cat.EXPROPRIATION,
    Cat.LABOUR,
    Cat.HOUSING_LAND,
    Cat.ENVIRONMENT,
]

# key, name (after the county name), categories, full-time mediators planned (≥3 is the rule:
# 物业 and 婚姻家庭 are planted short).
INDUSTRY_COMMITTEES: list[tuple[str, str, list[str], int]] = [
    ("medical", "医疗纠纷人民调解委员会", [Cat.MEDICAL], 3),
    ("traffic", "道路交通事故纠纷人民调解委员会", [Cat.TRAFFIC, Cat.DAMAGES], 3),
    ("labour", "劳动争议人民调解委员会", [Cat.LABOUR], 4),
    ("property", "物业纠纷人民调解委员会", [Cat.PROPERTY_MGMT], 2),
    ("family", "婚姻家庭纠纷人民调解委员会", [Cat.MARRIAGE_FAMILY], 1),
]
# key, department name, its 行政调解 organization, categories
ADMIN_DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    ("hrss", "人力资源和社会保障局", "人力社保局劳动人事争议行政调解室", [Cat.LABOUR]),
    (
        "housing",
        "住房和城乡建设局",
        "住建局行政调解室",
        [Cat.PROPERTY_MGMT, Cat.CONSTRUCTION, Cat.HOUSING_LAND],
    ),
    (
        "market",
        "市场监督管理局",
        "市场监管局消费纠纷行政调解室",
        [Cat.CONSUMER, Cat.BUSINESS, Cat.IP],
    ),
]
MASS_ORGS: list[tuple[str, str, list[str]]] = [
    ("women", "妇女联合会", [Cat.MARRIAGE_FAMILY]),
    ("union", "总工会", [Cat.LABOUR]),
    ("commerce", "工商业联合会", [Cat.BUSINESS, Cat.CONTRACT]),
]

BACKGROUNDS: dict[str, list[tuple[str, int]]] = {
    "village": [
        (Background.VILLAGE_CADRE, 45),
        (Background.TEACHER, 10),
        (Background.RETIRED_OFFICER, 8),
        (Background.LEGAL_WORKER, 5),
        (Background.OTHER, 32),
    ],
    "township": [
        (Background.VILLAGE_CADRE, 15),
        (Background.RETIRED_OFFICER, 25),
        (Background.LEGAL_WORKER, 25),
        (Background.TEACHER, 10),
        (Background.PROFESSIONAL, 10),
        (Background.OTHER, 15),
    ],
    "room": [
        (Background.RETIRED_OFFICER, 50),
        (Background.LEGAL_WORKER, 30),
        (Background.LAWYER, 20),
    ],
    "industry": [
        (Background.PROFESSIONAL, 45),
        (Background.RETIRED_OFFICER, 20),
        (Background.LEGAL_WORKER, 15),
        (Background.LAWYER, 20),
    ],
    "invited": [
        (Background.LAWYER, 35),
        (Background.RETIRED_OFFICER, 40),
        (Background.LEGAL_WORKER, 15),
        (Background.PROFESSIONAL, 10),
    ],
    "expert": [(Background.PROFESSIONAL, 80), (Background.LAWYER, 20)],
    "lawyer": [(Background.LAWYER, 100)],
    "grid": [(Background.VILLAGE_CADRE, 30), (Background.OTHER, 70)],
    "official": [(Background.OTHER, 100)],
}
GRADES: dict[str, list[tuple[str, int]]] = {
    "village": [
        (MediatorGrade.UNGRADED, 40),
        (MediatorGrade.JUNIOR, 35),
        (MediatorGrade.INTERMEDIATE, 20),
        (MediatorGrade.SENIOR, 5),
    ],
    "senior": [
        (MediatorGrade.JUNIOR, 20),
        (MediatorGrade.INTERMEDIATE, 45),
        (MediatorGrade.SENIOR, 30),
        (MediatorGrade.CHIEF, 5),
    ],
}
STARS: dict[str, list[tuple[int, int]]] = {
    "village": [(0, 25), (1, 20), (2, 25), (3, 20), (4, 8), (5, 2)],
    "senior": [(0, 5), (1, 10), (2, 20), (3, 35), (4, 20), (5, 10)],
}
# Expert fields with the dispute categories an expert in them usually helps with.
EXPERT_FIELDS: list[tuple[str, list[str]]] = [
    (ExpertField.LAW, [Cat.CONTRACT, Cat.FINANCE, Cat.ADMINISTRATIVE]),
    (ExpertField.MEDICINE, [Cat.MEDICAL, Cat.DAMAGES]),
    (ExpertField.PSYCHOLOGY, [Cat.MARRIAGE_FAMILY, Cat.NEIGHBOUR]),
    (ExpertField.FINANCE, [Cat.FINANCE, Cat.BUSINESS]),
    (ExpertField.SOCIAL_WORK, [Cat.MARRIAGE_FAMILY, Cat.NEIGHBOUR]),
    (ExpertField.ENGINEERING, [Cat.CONSTRUCTION, Cat.HOUSING_LAND]),
    (ExpertField.INSURANCE, [Cat.TRAFFIC, Cat.DAMAGES]),
    (ExpertField.LABOUR, [Cat.LABOUR]),
]
RECUSAL_RELATIONS = [
    "近亲属（表兄弟）",
    "曾担任其常年法律顾问",
    "同一村民小组，存在借贷往来",
    "配偶在该单位任职",
    "曾代理其诉讼案件",
    "本人持有该公司股份",
]
PHONE_PREFIXES = ("139", "138", "137", "136", "135", "158", "159", "188", "150", "151", "182")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit(body: str) -> str:
    """The 18th character of a 公民身份号码 (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def demo_county_exists() -> bool:
    return Region.objects.filter(code=COUNTY_CODE).exists()
