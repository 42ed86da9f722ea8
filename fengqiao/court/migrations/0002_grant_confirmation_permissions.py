"""The built-in judge and clerk roles of an existing installation get the confirmation
permissions (a fresh one creates its roles after migrating, with them: accounts/roles.py)."""

from typing import Any

from django.db import migrations

GRANTS = {
    "judge": ("review_confirmation", "rule_confirmation"),
    "court_clerk": ("review_confirmation",),
}


def grant(apps: Any, schema_editor: Any) -> None:
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("court")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    Role = apps.get_model("accounts", "Role")
    Permission = apps.get_model("auth", "Permission")
    for code, codenames in GRANTS.items():
        perms = Permission.objects.filter(content_type__app_label="court", codename__in=codenames)
        for role in Role.objects.filter(code=code, is_builtin=True):
            role.permissions.add(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("court", "0001_initial"),
        ("accounts", "0005_password_reset"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
