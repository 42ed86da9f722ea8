from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlarmsConfig(AppConfig):
    """报警直通: staff in a court, 司法所 or mediation room raise a one-tap alarm that reaches
    the police station on duty for the place at once (seed 000 §三(九), 附件（九）). Sits above
    ``mediation``, beside ``court``, ``risk`` and ``governance``."""

    name = "fengqiao.alarms"
    verbose_name = _("报警直通")
