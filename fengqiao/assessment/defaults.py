"""The default 考核方案, from the seeds (docs/assessment.md): the township indicators of seed
000 §四(四) and the quarterly community ranking of seed 002 五(二). Weights sum to 100 per level."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from fengqiao.assessment.choices import Direction, Level, Rule

H, L = Direction.HIGHER, Direction.LOWER
SEED_000 = "《关于完善矛盾纠纷多元化解机制的实施意见》四（四）"
SEED_002 = "调解平台“三进”工作机制 五（二）"


@dataclass(frozen=True)
class DefaultIndicator:
    level: str
    name: str
    basis: str
    measure: str
    weight: Decimal
    direction: str
    rule: str
    floor: Decimal | None = None
    target: Decimal | None = None


def _d(text: str) -> Decimal:
    return Decimal(text)


DEFAULT_INDICATORS = (
    # Seed 000 §四(四) item 1: 矛盾纠纷诉前调处成功数与调处成功率.
    DefaultIndicator(
        Level.TOWNSHIP, "诉前调处成功数", f"{SEED_000}第1项", "resolved_pre", _d("10"), H, Rule.RANK
    ),
    DefaultIndicator(
        Level.TOWNSHIP,
        "诉前调处成功率",
        f"{SEED_000}第1项",
        "success_rate_pre",
        _d("10"),
        H,
        Rule.LINEAR,
        _d("60"),
        _d("95"),
    ),
    # Item 2: 辖区矛盾纠纷下降率 (a rise of 20% or more scores 0, a fall of 10% the full weight).
    DefaultIndicator(
        Level.TOWNSHIP,
        "纠纷下降率",
        f"{SEED_000}第2项",
        "intake_change",
        _d("10"),
        H,
        Rule.LINEAR,
        _d("-20"),
        _d("10"),
    ),
    # Item 3: 人民调解协议司法确认数与司法确认率.
    DefaultIndicator(
        Level.TOWNSHIP, "司法确认数", f"{SEED_000}第3项", "confirmed", _d("5"), H, Rule.RANK
    ),
    DefaultIndicator(
        Level.TOWNSHIP,
        "司法确认率",
        f"{SEED_000}第3项",
        "confirmation_rate",
        _d("10"),
        H,
        Rule.LINEAR,
        _d("0"),
        _d("30"),
    ),
    # Item 4: 辖区民事案件万人起诉率 (imported 民事一审收案数).
    DefaultIndicator(
        Level.TOWNSHIP, "万人起诉率", f"{SEED_000}第4项", "lawsuits_per_10k", _d("15"), L, Rule.RANK
    ),
    # Item 5: 刑事自诉案件诉前调解成功率 (imported).
    DefaultIndicator(
        Level.TOWNSHIP,
        "刑事自诉案件诉前调解成功率",
        f"{SEED_000}第5项",
        "private_prosecution_mediation_rate",
        _d("10"),
        H,
        Rule.LINEAR,
        _d("0"),
        _d("60"),
    ),
    # Item 6: 刑事自诉案件发生数 (imported).
    DefaultIndicator(
        Level.TOWNSHIP,
        "刑事自诉案件发生数",
        f"{SEED_000}第6项",
        "private_prosecutions",
        _d("5"),
        L,
        Rule.RANK,
    ),
    # Item 7: 缓刑人员重新犯罪率 (imported; 5% or more scores 0, none the full weight).
    DefaultIndicator(
        Level.TOWNSHIP,
        "缓刑人员重新犯罪率",
        f"{SEED_000}第7项",
        "probation_reoffending_rate",
        _d("5"),
        L,
        Rule.LINEAR,
        _d("5"),
        _d("0"),
    ),
    # Item 8: 民转刑发生数 (three or more in a quarter score 0).
    DefaultIndicator(
        Level.TOWNSHIP,
        "民转刑发生数",
        f"{SEED_000}第8项",
        "criminal_transfer",
        _d("10"),
        L,
        Rule.LINEAR,
        _d("3"),
        _d("0"),
    ),
    # Item 9: 有无群体性事件、敏感事件等重特大事件 — the 群体性 disputes registered.
    DefaultIndicator(
        Level.TOWNSHIP,
        "群体性纠纷数",
        f"{SEED_000}第9项",
        "group_cases",
        _d("5"),
        L,
        Rule.LINEAR,
        _d("3"),
        _d("0"),
    ),
    # Item 10: 司法建议或调研报告对促进辖区社会管理创新、社会治安综合治理产生积极影响 — judged
    # by the county on the documents themselves (the platform holds no figure for it): 人工评分,
    # 0 to 5 points with the evidence named. Its 5 points come from 诉前调处成功率 (15 → 10).
    DefaultIndicator(
        Level.TOWNSHIP,
        "司法建议、调研报告产生积极影响",
        f"{SEED_000}第10项",
        "",
        _d("5"),
        H,
        Rule.MANUAL,
    ),
    #
    # Seed 002 五(二): 将社区化解矛盾数量与该社区的成讼数相结合 … 每季度进行社区排名.
    DefaultIndicator(
        Level.COMMUNITY, "化解矛盾纠纷数", SEED_002, "resolved", _d("40"), H, Rule.RANK
    ),
    DefaultIndicator(
        Level.COMMUNITY,
        "调处成功率",
        SEED_002,
        "success_rate",
        _d("20"),
        H,
        Rule.LINEAR,
        _d("60"),
        _d("95"),
    ),
    DefaultIndicator(
        Level.COMMUNITY,
        "万人起诉率（成讼数）",
        SEED_002,
        "lawsuits_per_10k",
        _d("40"),
        L,
        Rule.RANK,
    ),
)
