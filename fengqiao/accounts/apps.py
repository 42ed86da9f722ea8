from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "fengqiao.accounts"
    verbose_name = _("账户与权限")

    def ready(self) -> None:
        from django.core.checks import register
        from django.db.models.signals import post_migrate

        from fengqiao.accounts import receivers
        from fengqiao.accounts.checks import check_builtin_role_permissions

        register(check_builtin_role_permissions)

        post_migrate.connect(receivers.create_builtin_roles)
