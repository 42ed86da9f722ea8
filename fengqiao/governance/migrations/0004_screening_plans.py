"""The 排查 cadence of seed 004 item 22 (日常区每月，乡镇（街道）每半月，村（社区）每周，网格每日)
and seed 003 (县每月、乡镇每半月、村每周), one plan per unit level, and the built-in system
admin's right to edit them in the admin (a fresh installation creates its roles after
migrating, with it: accounts/roles.py)."""

from typing import Any

from django.db import migrations

PLANS = [
    (3, "monthly", "区县综治中心每月排查一次"),
    (4, "semi_monthly", "乡镇（街道）平安办每半月排查一次"),
    (5, "weekly", "村（社区）每周排查一次"),
    (6, "daily", "网格员每日摸排"),
]


def create(apps: Any, schema_editor: Any) -> None:
    ScreeningPlan = apps.get_model("governance", "ScreeningPlan")
    for level, cadence, note in PLANS:
        ScreeningPlan.objects.get_or_create(level=level, defaults={"cadence": cadence, "note": note})
    Role = apps.get_model("accounts", "Role")
    role = Role.objects.filter(code="system_admin", is_builtin=True).first()
    if role is None:
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="governance", model="screeningplan"
    )
    for codename, name in (
        ("view_screeningplan", "Can view 排查计划"),
        ("change_screeningplan", "Can change 排查计划"),
    ):
        perm, _new = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        role.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_screening"),
        ("accounts", "0005_password_reset"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
