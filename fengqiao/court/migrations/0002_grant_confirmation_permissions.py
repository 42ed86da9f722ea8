"""The built-in judge and clerk roles of an existing installation get the confirmation
permissions (a fresh one creates its roles after migrating, with them: accounts/roles.py)."""

from typing import Any

from django.db import migrations

PERMISSIONS = {
    "review_confirmation": "司法确认：受理、审查",
    "rule_confirmation": "司法确认：裁定",
}
GRANTS = {
    "judge": ("review_confirmation", "rule_confirmation"),
    "court_clerk": ("review_confirmation",),
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    roles = Role.objects.filter(code__in=list(GRANTS), is_builtin=True)
    if not roles.exists():
        return  # a new installation: its roles are created after migrating, with these
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="court", model="confirmation"
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
        ("court", "0001_initial"),
        ("accounts", "0005_password_reset"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
