from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    """The organization kinds are reference data loaded by migration 0002 (editable in the
    admin; a kind deleted there stays deleted)."""

    name = "fengqiao.orgs"
    verbose_name = _("组织与人员")
