from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleTopic(models.TextChoices):
    """The kinds of dispute the knowledge base is organised by."""

    MEDIATION = "mediation", _("人民调解")
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    FAMILY = "family", _("婚姻家庭")
    LABOUR = "labour", _("劳动争议与欠薪")
    PROPERTY = "property", _("物业纠纷")
    TRAFFIC = "traffic", _("交通事故")
    CONSUMER = "consumer", _("消费纠纷")
    LAND = "land", _("土地承包与宅基地")
    DEBT = "debt", _("借款与合同")
