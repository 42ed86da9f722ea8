"""The built-in roles that read lists get 导出工作台帐 on an existing installation (a fresh one
creates its roles after migrating, with it: accounts/roles.py)."""

from typing import Any

from django.db import migrations

ROLES = (
    "leader",
    "dispatcher",
    "mediator",
    "justice_officer",
    "court_clerk",
    "judge",
    "police",
)


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    roles = Role.objects.filter(code__in=ROLES, is_builtin=True)
    if not roles.exists():
        return  # a new installation: its roles are created after migrating, with this one
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="ledgers", model="ledgerexport"
    )
    perm, _created = Permission.objects.get_or_create(
        content_type=content_type, codename="export_ledger", defaults={"name": "导出工作台帐"}
    )
    for role in roles:
        role.permissions.add(perm)


class Migration(migrations.Migration):
    dependencies = [
        ("ledgers", "0001_initial"),
        ("accounts", "0005_password_reset"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
