"""The organization kinds of DESIGN §1, loaded by a data migration (editable in the admin).

Staffing minimums (专职人民调解员): village/enterprise committee ≥1, township committee ≥2,
dispatched room ≥2, industry/professional/regional committee ≥3 (seed 003 item 5, seed 004
item 8).
"""

from __future__ import annotations

# code, name, family, is_mediation_committee, min_full_time_mediators
ORG_KINDS: list[tuple[str, str, str, bool, int]] = [
    ("platform", "综治中心/平安办", "platform", False, 0),
    ("court", "人民法院", "court", False, 0),
    ("tribunal", "人民法庭", "court", False, 0),
    ("procuratorate", "人民检察院", "procuratorate", False, 0),
    ("police_station", "公安派出所", "police", False, 0),
    ("justice_bureau", "司法局", "justice", False, 0),
    ("justice_office", "司法所", "justice", False, 0),
    ("petition_office", "信访办", "petition", False, 0),
    ("committee_village", "村（社区）人民调解委员会", "committee", True, 1),
    ("committee_township", "乡镇（街道）人民调解委员会", "committee", True, 2),
    ("committee_enterprise", "企事业单位人民调解委员会", "committee", True, 1),
    ("committee_regional", "区域性人民调解委员会", "committee", True, 3),
    ("committee_industry", "行业性专业性人民调解委员会", "committee", True, 3),
    ("admin_mediation", "行政调解组织", "admin_mediation", False, 0),
    ("room_court", "驻法庭人民调解工作室", "dispatched_room", False, 2),
    ("room_police", "驻派出所人民调解工作室", "dispatched_room", False, 2),
    ("room_petition", "信访事项人民调解工作室", "dispatched_room", False, 2),
    ("lawyer_studio", "律师调解工作室", "lawyer_studio", False, 0),
    ("commercial", "商事调解组织", "commercial", False, 0),
    ("invited_org", "特邀调解组织", "invited", False, 0),
    ("mass_org", "群团组织（工会/妇联/工商联）", "mass_org", False, 0),
    ("department", "行政部门", "department", False, 0),
]


def ensure_org_kinds() -> None:
    """Create missing kinds (after every migrate and test flush); never overwrite admin edits."""
    from fengqiao.orgs.models import OrgKind

    for order, (code, name, family, committee, minimum) in enumerate(ORG_KINDS):
        OrgKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "family": family,
                "is_mediation_committee": committee,
                "min_full_time_mediators": minimum,
                "sort_order": order * 10,
            },
        )
