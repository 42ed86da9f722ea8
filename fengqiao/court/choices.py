"""The court app's timeline entries (registered with disputes from ``CourtConfig.ready``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CourtAction(models.TextChoices):
    REFER = "court_refer", _("法院委派/委托调解")
    RETURN = "court_return", _("退回法院")
    FILE = "court_file", _("法院立案")
    NUMBER = "court_number", _("法院补录案号")
