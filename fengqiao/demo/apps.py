from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The fictional demo county (``manage.py seed_demo``); the top layer, nothing imports it."""

    name = "fengqiao.demo"
    verbose_name = _("演示数据")
