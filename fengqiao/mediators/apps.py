from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediatorsConfig(AppConfig):
    """调解员管理: 选聘 (written test and interview), complaints about mediators and their
    handling, 等级评定/评星定级 per year from the mediators' figures, and 以案定补 — per-case
    subsidies into monthly statements. Sits above ``stats`` (it reads the per-mediator figures
    there) and reuses the people, posts and files of ``orgs``."""

    name = "fengqiao.mediators"
    verbose_name = _("调解员管理")
