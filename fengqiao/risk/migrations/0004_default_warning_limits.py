"""The default 预警签收时限 (docs/risk.md, "Early warning"): 高 within 2 hours, 重大 within 1 hour,
with the measures seed 004 item 23 (稳控、疏导) and seed 003 (重大矛盾纠纷报告制度) name. Loaded
once; the admin edits them."""

from django.db import migrations

DEFAULTS = [
    (
        "high",
        120,
        "落实稳控措施，明确包案领导和责任人，掌握当事人动态\n"
        "开展疏导化解，释法说理，防止矛盾激化升级",
    ),
    (
        "major",
        60,
        "落实稳控措施，主要负责人亲自负责、亲临现场\n"
        "开展疏导化解，释法说理，防止矛盾激化升级\n"
        "按重大矛盾纠纷报告制度，及时报告辖区党委政府和相关单位\n"
        "研判是否启动应急联动，通知派出所、司法所、人民法庭协同处置",
    ),
]


def load(apps, schema_editor):
    limit = apps.get_model("risk", "WarningLimit")
    for grade, minutes, measures in DEFAULTS:
        limit.objects.get_or_create(
            grade=grade, defaults={"ack_minutes": minutes, "measures": measures}
        )


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_warnings_emergencies")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
