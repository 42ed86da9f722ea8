from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    """Levels of the 统计用区划代码 tree, with grids (网格) below villages."""

    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("区县")
    TOWNSHIP = 4, _("乡镇/街道")
    VILLAGE = 5, _("村/社区")
    GRID = 6, _("网格")
