from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _create_org_kinds(sender: Any, **kwargs: Any) -> None:
    from fengqiao.orgs.kinds import ensure_org_kinds

    ensure_org_kinds()


class OrgsConfig(AppConfig):
    name = "fengqiao.orgs"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Reference data lives in post_migrate rather than a data migration so that it is
        # back after a test-database flush too.
        post_migrate.connect(_create_org_kinds, sender=self)
