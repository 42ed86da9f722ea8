"""The meeting types the seeds require (000 §三(一) 一办一庭两所联席会议 每季度; 002 诉源治理
联席会议 每季度; the township's half-monthly 矛盾纠纷分析研判会; 临时会议 as needed), and the
built-in system admin's right to edit them in the admin (a fresh installation creates its roles
after migrating, with it: accounts/roles.py)."""

from typing import Any

from django.db import migrations

TYPES = [
    (
        "joint_1c2s",
        "一办一庭两所联席会议",
        "quarterly",
        True,
        False,
        "每季度由乡（镇）平安办牵头，组织人民法庭、派出所、司法所等召开，通报矛盾纠纷预防调处化解情况，分析研判形势，安排部署下一阶段工作。",
    ),
    (
        "source_governance",
        "诉源治理联席会议",
        "quarterly",
        True,
        True,
        "每季度召开，通报诉源治理工作情况，研究诉前调解、社区化解与成讼数等问题。",
    ),
    (
        "township_analysis",
        "乡镇矛盾纠纷分析研判会",
        "half_monthly",
        True,
        False,
        "乡镇每半月召开，分析研判辖区矛盾纠纷排查化解情况。",
    ),
    ("ad_hoc", "临时会议", "ad_hoc", False, False, "根据工作需要临时召开。"),
]


def create(apps: Any, schema_editor: Any) -> None:
    MeetingType = apps.get_model("governance", "MeetingType")
    for order, (code, name, cadence, township, county, note) in enumerate(TYPES, start=1):
        MeetingType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "cadence": cadence,
                "township_required": township,
                "county_required": county,
                "description": note,
                "order": order,
            },
        )
    Role = apps.get_model("accounts", "Role")
    role = Role.objects.filter(code="system_admin", is_builtin=True).first()
    if role is None:
        return
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="governance", model="meetingtype"
    )
    for codename, name in (
        ("view_meetingtype", "Can view 会议类型"),
        ("change_meetingtype", "Can change 会议类型"),
    ):
        perm, _new = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        role.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("accounts", "0005_password_reset"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
