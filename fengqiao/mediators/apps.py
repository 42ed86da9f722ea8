from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediatorsConfig(AppConfig):
    """调解员管理: 选聘 (written test and interview), complaints about mediators and their
    handling, 等级评定/评星定级 per year from the mediators' figures, and 以案定补 — per-case
    subsidies into monthly statements. Sits above ``stats`` (it reads the per-mediator figures
    there) and reuses the people, posts and files of ``orgs``."""

    name = "fengqiao.mediators"
    verbose_name = _("调解员管理")

    def ready(self) -> None:
        # disputes sits below: it asks who is suspended through its hooks (the 交办 page's
        # choices and the dispatch services' refusal), never by importing this app.
        from fengqiao.disputes.hooks import register_mediator_bar
        from fengqiao.mediators.suspension import suspended_people, suspended_until

        register_mediator_bar(barred=suspended_people, until=suspended_until)
