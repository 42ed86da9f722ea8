from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourtConfig(AppConfig):
    """诉调对接: the court's referrals (委派/委托) and their return, judicial confirmation, rulings
    and their service. Sits above ``mediation``: it reads cases and agreements, never the
    reverse."""

    name = "fengqiao.court"
    verbose_name = _("诉调对接")
