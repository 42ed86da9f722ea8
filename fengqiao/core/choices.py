"""Dictionaries shared by several apps."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class DisputeCategory(models.TextChoices):
    """纠纷类别 — the 15 categories of the 司法行政 people's-mediation statistics, 行政争议
    (DESIGN §2: a category of its own), and five newer sub-kinds, each of which rolls up to one
    of the 15 (``STATISTICS_PARENT``). A case stores the most specific value it is known by."""

    MARRIAGE_FAMILY = "marriage_family", _("婚姻家庭")
    NEIGHBOUR = "neighbour", _("邻里")
    HOUSING_LAND = "housing_land", _("房屋宅基地")
    CONTRACT = "contract", _("合同")
    BUSINESS = "business", _("生产经营")
    DAMAGES = "damages", _("损害赔偿")
    FOREST_LAND = "forest_land", _("山林土地")
    EXPROPRIATION = "expropriation", _("征地拆迁")
    ENVIRONMENT = "environment", _("环境污染")
    LABOUR = "labour", _("劳动争议")
    CONSUMER = "consumer", _("消费")
    MEDICAL = "medical", _("医疗")
    TRAFFIC = "traffic", _("道路交通事故")
    PROPERTY_MGMT = "property_mgmt", _("物业")
    ADMINISTRATIVE = "administrative", _("行政争议")
    OTHER = "other", _("其他")
    INTERNET = "internet", _("互联网新业态")
    FINANCE = "finance", _("金融借贷")
    IP = "ip", _("知识产权")
    TOURISM = "tourism", _("旅游")
    CONSTRUCTION = "construction", _("建筑施工")


# 细分类别 → 统计类别. The statistics report counts a sub-kind under its parent; pages, filters and
# routing (属事) still see the sub-kind. Why each parent (docs/categories.md has the table):
STATISTICS_PARENT: dict[str, str] = {
    # 借贷 is a loan contract (民法典 合同编 借款合同); 民间借贷 and 金融借款 disputes are
    # contract disputes in the civil causes list (民事案件案由规定).
    DisputeCategory.FINANCE: DisputeCategory.CONTRACT,
    # 工程款, quality and schedule between employer and builder: 建设工程合同 (民法典 合同编).
    # A builder's unpaid wages are 劳动争议 and site noise is 邻里/环境污染, registered as such.
    DisputeCategory.CONSTRUCTION: DisputeCategory.CONTRACT,
    # A tourist buys a service from an operator: 消费者权益保护法 applies, and 12315 and the
    # consumer-dispute committees handle these complaints.
    DisputeCategory.TOURISM: DisputeCategory.CONSUMER,
    # Infringement and licensing fit neither 损害赔偿 (personal and property harm) nor 生产经营;
    # the statistics list has no IP category.
    DisputeCategory.IP: DisputeCategory.OTHER,
    # 互联网新业态 names where a dispute arises (platforms, riders, live-streaming), not its
    # nature: its disputes cut across 消费, 劳动争议 and 合同, so counting them under any one
    # would distort that one.
    DisputeCategory.INTERNET: DisputeCategory.OTHER,
}


def statistics_category(category: str) -> DisputeCategory:
    """The category a case of ``category`` is counted under in the statistics (itself, unless
    it is a sub-kind)."""
    value = str(category)
    return DisputeCategory(STATISTICS_PARENT.get(value, value))


def subkinds(category: str) -> list[DisputeCategory]:
    """The sub-kinds that roll up to ``category``, in list order (none for a sub-kind)."""
    return [
        DisputeCategory(c) for c in DisputeCategory.values if STATISTICS_PARENT.get(c) == category
    ]


def category_with_subkinds(category: str) -> list[str]:
    """``category`` and its sub-kinds: what a filter by a statistics category must match."""
    return [str(category), *(str(c) for c in subkinds(category))]


def grouped_category_choices() -> list[tuple[Any, Any]]:
    """Form choices: a category without sub-kinds is one option; one with sub-kinds is an
    ``<optgroup>`` holding itself and its sub-kinds (an optgroup label cannot be chosen)."""
    out: list[tuple[Any, Any]] = []
    for value, label in DisputeCategory.choices:
        if value in STATISTICS_PARENT:
            continue
        children = subkinds(value)
        if children:
            out.append((label, [(value, label), *((c.value, c.label) for c in children)]))
        else:
            out.append((value, label))
    return out


def statistics_category_expression(field: str = "category") -> models.Case:
    """The statistics category computed in SQL, for grouping and counting without reading rows
    (``Case.objects.values(stat=statistics_category_expression()).annotate(n=Count("pk"))``)."""
    return models.Case(
        *(
            models.When(
                **{f"{field}__in": [str(c) for c in subkinds(parent)]}, then=models.Value(parent)
            )
            for parent in dict.fromkeys(STATISTICS_PARENT.values())
        ),
        default=models.F(field),
        output_field=models.CharField(),
    )


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
