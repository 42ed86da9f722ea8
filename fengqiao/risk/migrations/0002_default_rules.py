"""The default rule set, lexicon and sensitive periods (docs/risk.md gives each rule's source).
An administrator edits them in the admin afterwards; reversing removes only these codes."""

from datetime import date
from decimal import Decimal

from django.db import migrations

S003 = "seed 003（关于加强新时代调解工作的意见）二(一)二“突出重点矛盾风险预警”"
S004 = "seed 004 第23项“建立矛盾纠纷分级管理制度……易引发个人极端案（事）件、群体性事件的矛盾纠纷”"
S000 = "seed 000 附件（二）“有可能引发群体性事件或信访事件的矛盾纠纷”"

# code, reason, kind, grade, threshold, category, flag, source
RULES = [
    ("people_5", "涉及人数5人以上", "people", "medium", 5, "", "",
     "信访条例第18条：多人提出同一事项推选代表不超过5人——5人以上按群体性纠纷对待；" + S000),
    ("people_30", "涉及人数30人以上", "people", "high", 30, "", "", S004),
    ("people_100", "涉及人数100人以上", "people", "major", 100, "", "",
     S004 + "；重大矛盾纠纷报告制度（seed 003）"),
    ("amount_100k", "涉及金额10万元以上", "amount", "medium", 100000, "", "",
     "与虚假调解筛查的大额标准一致（court/screening.py）"),
    ("amount_1m", "涉及金额100万元以上", "amount", "high", 1000000, "", "",
     "重大复杂疑难纠纷（seed 003 二(一)二）"),
    ("cat_expropriation", "征地拆迁纠纷", "category", "medium", None, "expropriation", "",
     "seed 003 二(一)三“征地拆迁等与群众密切相关的矛盾纠纷”"),
    ("cat_labour", "劳动争议（劳资重点领域）", "category", "medium", None, "labour", "",
     "seed 003 二(二)2“医疗、金融、房地产、劳资、交通、消费等纠纷多发领域”"),
    ("cat_construction", "建筑施工纠纷（劳资重点领域）", "category", "medium", None,
     "construction", "", "seed 003 二(二)2（劳资、房地产）"),
    ("cat_medical", "医疗纠纷（重点领域）", "category", "medium", None, "medical", "",
     "seed 003 二(二)2（医疗）"),
    ("cat_environment", "环境污染纠纷（易涉群体）", "category", "medium", None, "environment", "",
     S000),
    ("repeat_party", "同一当事人一年内另案反映2件以上", "repeat_party", "medium", 2, "", "",
     "seed 003 二(一)二“群众反映强烈”；按身份证号/电话检索码比对"),
    ("repeat_report", "本案重复反映2次以上", "repeat_report", "medium", 2, "", "",
     "seed 003 二(一)二“群众反映强烈”"),
    ("petition", "当事人曾经信访", "petition", "medium", None, "", "",
     S000 + "；seed 003 二(一)二“向公安、信访等部门通报和移送”"),
    ("elderly", "涉及60周岁以上老年人", "elderly", "medium", 60, "", "",
     "老年人权益保障法第2条（60周岁以上）；DESIGN §3 vulnerable parties"),
    ("minor", "涉及未成年人", "minor", "medium", 18, "", "",
     "未成年人保护法第2条（未满18周岁）；DESIGN §3 vulnerable parties"),
    ("flag_group", "研判标识：涉群体", "flag", "medium", None, "", "group", S004),
    ("flag_criminal", "研判标识：民转刑风险", "flag", "high", None, "", "criminal_risk",
     S004 + "（个人极端案事件）；seed 000 考核指标“民转刑发生数”"),
    ("flag_petition", "研判标识：越级上访风险", "flag", "medium", None, "", "petition_risk", S000),
    ("flag_vulnerable", "研判标识：涉弱势群体", "flag", "medium", None, "", "vulnerable",
     "DESIGN §3 vulnerable parties（残疾人、孕妇等当事人模型未记载的情形由研判标识）"),
    ("sensitive", "敏感时期", "sensitive", "medium", None, "", "",
     "seed 004 第22项“特殊敏感时期每日”排查；已有其他风险时升一级"),
    ("text_wage", "拖欠工资", "text", "medium", None, "", "",
     "DESIGN §3 text signals（讨薪）；seed 003 二(二)2 劳资"),
    ("text_gathering", "扬言聚集堵路", "text", "high", None, "", "",
     S004 + "（群体性事件）；DESIGN §3 text signals（gathering, blocking）"),
    ("text_self_harm", "扬言自杀自残", "text", "high", None, "", "",
     S004 + "（个人极端案事件）；DESIGN §3 text signals（self-harm）"),
    ("text_threat", "扬言报复", "text", "high", None, "", "",
     S004 + "；DESIGN §3 text signals（threats）"),
    ("text_extreme", "扬言行凶、同归于尽", "text", "major", None, "", "",
     S004 + "（个人极端案事件）；重大矛盾纠纷报告制度（seed 003）"),
    ("text_violence", "发生肢体冲突", "text", "medium", None, "", "",
     "seed 000 二 联合调处“不足以治安处罚的民间纠纷；部分轻伤害案件”；DESIGN §3（violence）"),
    ("text_petition", "扬言上访、曝光", "text", "medium", None, "", "",
     S000 + "；DESIGN §3 text signals（petition）"),
    ("text_vulnerable", "涉及残疾人、孕妇等弱势群体", "text", "medium", None, "", "",
     "DESIGN §3 vulnerable parties（disabled, pregnant）：当事人模型无此项，从文本识别"),
]  # fmt: skip

LEXICON = {
    "text_wage": [
        "拖欠…工资", "拖欠…工钱", "欠薪", "讨薪", "讨要工资", "工资…不发", "不发工资",
        "克扣工资", "农民工工资", "结不到工钱", "要工钱",
    ],
    "text_gathering": [
        "堵路", "堵门", "堵…政府", "堵…大门", "堵…公路", "堵…马路", "围堵", "聚集", "聚众",
        "拉横幅", "打横幅", "静坐", "游行", "集体上访", "冲击…政府", "堵…工地",
    ],
    "text_self_harm": [
        "自杀", "跳楼", "喝农药", "寻死", "轻生", "自残", "割腕", "上吊", "服毒", "不想活",
    ],
    "text_threat": ["报复", "要他好看", "走着瞧", "不会放过", "讨个说法…拼了"],
    "text_extreme": ["同归于尽", "报复社会", "杀了他", "杀人", "砍死", "弄死", "放火", "炸掉"],
    "text_violence": ["打架", "斗殴", "殴打", "打伤", "持刀", "拿刀", "推搡", "打人", "动手打"],
    "text_petition": [
        "上访", "进京", "去北京", "越级", "找…市长", "找…书记", "找媒体", "曝光", "网上…发帖",
    ],
    "text_vulnerable": [
        "残疾", "孕妇", "怀孕", "身怀六甲", "瘫痪", "低保户", "五保户", "孤寡老人", "留守儿童",
    ],
}  # fmt: skip

# Dates as announced each year; the administrator adds next year's (docs/risk.md).
PERIODS = [
    ("全国两会（2027年）", date(2027, 3, 1), date(2027, 3, 15)),
    ("国庆节（2027年）", date(2027, 9, 28), date(2027, 10, 8)),
]


def add(apps, schema_editor):
    RiskRule = apps.get_model("risk", "RiskRule")
    LexiconTerm = apps.get_model("risk", "LexiconTerm")
    SensitivePeriod = apps.get_model("risk", "SensitivePeriod")
    # Fills only what is empty: the test suite runs it again after each flush.
    if RiskRule.objects.exists():
        return
    for position, (code, reason, kind, grade, threshold, category, flag, source) in enumerate(
        RULES
    ):
        rule = RiskRule.objects.create(
            code=code,
            reason=reason,
            kind=kind,
            grade=grade,
            threshold=None if threshold is None else Decimal(threshold),
            category=category,
            flag=flag,
            source=source,
            position=(position + 1) * 10,
        )
        LexiconTerm.objects.bulk_create(
            LexiconTerm(rule=rule, phrase=phrase) for phrase in LEXICON.get(code, [])
        )
    for name, starts_on, ends_on in PERIODS:
        SensitivePeriod.objects.create(name=name, starts_on=starts_on, ends_on=ends_on)


def remove(apps, schema_editor):
    apps.get_model("risk", "RiskRule").objects.filter(code__in=[r[0] for r in RULES]).delete()
    apps.get_model("risk", "SensitivePeriod").objects.filter(
        name__in=[p[0] for p in PERIODS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [migrations.RunPython(add, remove)]
