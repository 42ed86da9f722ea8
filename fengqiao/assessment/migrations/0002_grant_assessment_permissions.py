"""The built-in leader and dispatcher roles of an existing installation get the assessment
permissions (a fresh one creates its roles after migrating, with them: accounts/roles.py)."""

from typing import Any

from django.db import migrations

PERMISSIONS = {
    "view_ranking": "查看考核排名",
    "manage_scheme": "维护考核方案",
    "publish_ranking": "发布考核排名",
}
GRANTS = {
    "leader": ("view_ranking",),
    "dispatcher": ("view_ranking", "manage_scheme", "publish_ranking"),
}


def grant(apps: Any, schema_editor: Any) -> None:
    Role = apps.get_model("accounts", "Role")
    roles = Role.objects.filter(code__in=list(GRANTS), is_builtin=True)
    if not roles.exists():
        return  # a new installation: its roles are created after migrating, with these
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="assessment", model="scheme"
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
        ("assessment", "0001_initial"),
        ("accounts", "0005_password_reset"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
