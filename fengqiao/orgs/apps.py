from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    """The organization kinds are reference data loaded by migration 0002 (editable in the
    admin; a kind deleted there stays deleted)."""

    name = "fengqiao.orgs"
    verbose_name = _("组织与人员")

    def ready(self) -> None:
        from fengqiao.accounts.hooks import register_org_hooks
        from fengqiao.core.bodylimit import register_upload
        from fengqiao.orgs.imports import IMPORT_MAX_BYTES
        from fengqiao.orgs.selectors import org_choices_for_grants, own_memberships

        # accounts' pages may not import this app: they are given what they show of it here.
        register_org_hooks(grant_orgs=org_choices_for_grants, own_posts=own_memberships)
        # The workbook import accepts a body of its file's size (fengqiao.core.bodylimit).
        register_upload("orgs:import", lambda: IMPORT_MAX_BYTES)
