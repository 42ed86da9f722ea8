"""The built-in roles of an existing installation get the 调解员管理 permissions (a fresh one
creates its roles after migrating, with them: accounts/roles.py)."""

from typing import Any

from django.db import migrations

PERMISSIONS = {
    "manage_recruitment": "调解员选聘",
    "handle_complaint": "调解员投诉处理",
    "rate_mediators": "调解员评星定级",
    "manage_subsidy": "调解员案件补贴",
    "view_mediator_work": "查看调解员业绩",
    "view_own_work": "查看本人业绩",
}
GRANTS = {
    "justice_officer": (
        "manage_recruitment",
        "handle_complaint",
        "rate_mediators",
        "manage_subsidy",
        "view_mediator_work",
    ),
    "org_admin": ("manage_recruitment", "view_mediator_work"),
    "leader": ("view_mediator_work",),
    "mediator": ("view_own_work",),
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    roles = Role.objects.filter(code__in=list(GRANTS), is_builtin=True)
    if not roles.exists():
        return  # a new installation: its roles are created after migrating, with these
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="mediators", model="recruitmentround"
    )
    perms = {
        codename: Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )[0]
        for codename, name in PERMISSIONS.items()
    }
    for role in roles:
        role.permissions.add(*(perms[c] for c in GRANTS[role.code]))


class Migration(migrations.Migration):
    dependencies = [
        ("mediators", "0001_initial"),
        ("accounts", "0005_password_reset"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
