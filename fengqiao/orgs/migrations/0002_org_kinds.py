# The organization kinds of DESIGN §1, frozen as literal data (before this migration they were
# created after every migrate from fengqiao.orgs.kinds, which re-created a kind an administrator
# had deleted). Editable in the admin afterwards.
#
# Staffing minimums (专职人民调解员): village/enterprise committee ≥1, township committee ≥2,
# dispatched room ≥2, industry/professional/regional committee ≥3 (seed 003 item 5, seed 004
# item 8).

from django.db import migrations

# code, name, family, is_mediation_committee, min_full_time_mediators, sort_order
KINDS = [
    ("platform", "综治中心/平安办", "platform", False, 0, 0),
    ("court", "人民法院", "court", False, 0, 10),
    ("tribunal", "人民法庭", "court", False, 0, 20),
    ("procuratorate", "人民检察院", "procuratorate", False, 0, 30),
    ("police_station", "公安派出所", "police", False, 0, 40),
    ("justice_bureau", "司法局", "justice", False, 0, 50),
    ("justice_office", "司法所", "justice", False, 0, 60),
    ("petition_office", "信访办", "petition", False, 0, 70),
    ("committee_village", "村（社区）人民调解委员会", "committee", True, 1, 80),
    ("committee_township", "乡镇（街道）人民调解委员会", "committee", True, 2, 90),
    ("committee_enterprise", "企事业单位人民调解委员会", "committee", True, 1, 100),
    ("committee_regional", "区域性人民调解委员会", "committee", True, 3, 110),
    ("committee_industry", "行业性专业性人民调解委员会", "committee", True, 3, 120),
    ("admin_mediation", "行政调解组织", "admin_mediation", False, 0, 130),
    ("room_court", "驻法庭人民调解工作室", "dispatched_room", False, 2, 140),
    ("room_police", "驻派出所人民调解工作室", "dispatched_room", False, 2, 150),
    ("room_petition", "信访事项人民调解工作室", "dispatched_room", False, 2, 160),
    ("lawyer_studio", "律师调解工作室", "lawyer_studio", False, 0, 170),
    ("commercial", "商事调解组织", "commercial", False, 0, 180),
    ("invited_org", "特邀调解组织", "invited", False, 0, 190),
    ("mass_org", "群团组织（工会/妇联/工商联）", "mass_org", False, 0, 200),
    ("department", "行政部门", "department", False, 0, 210),
]


def load_kinds(apps, schema_editor):
    """Create the kinds that are missing; never overwrite one that exists."""
    kind_model = apps.get_model("orgs", "OrgKind")
    for code, name, family, committee, minimum, order in KINDS:
        kind_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "family": family,
                "is_mediation_committee": committee,
                "min_full_time_mediators": minimum,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_kinds, migrations.RunPython.noop),
    ]
