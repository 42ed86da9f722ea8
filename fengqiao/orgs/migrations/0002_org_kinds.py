from django.db import migrations

from fengqiao.orgs.kinds import ORG_KINDS


def load_kinds(apps, schema_editor):
    OrgKind = apps.get_model("orgs", "OrgKind")
    for order, (code, name, family, committee, minimum) in enumerate(ORG_KINDS):
        OrgKind.objects.get_or_create(
            code=code,
            defaults={"name": name, "family": family, "is_mediation_committee": committee,
                      "min_full_time_mediators": minimum, "sort_order": order * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(load_kinds, migrations.RunPython.noop)]
