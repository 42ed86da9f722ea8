"""Dictionaries shared by several apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DisputeCategory(models.TextChoices):
    """纠纷类别 — the 司法行政 people's-mediation statistics list, extended with newer kinds."""

    MARRIAGE_FAMILY = "marriage_family", _("婚姻家庭")
    NEIGHBOUR = "neighbour", _("邻里")
    HOUSING_LAND = "housing_land", _("房屋宅基地")
    CONTRACT = "contract", _("合同")
    BUSINESS = "business", _("生产经营")
    DAMAGES = "damages", _("损害赔偿")
    FOREST_LAND = "forest_land", _("山林土地")
    EXPROPRIATION = "expropriation", _("征地拆迁")
    ENVIRONMENT = "environment", _("环境污染")
    LABOUR = "labour", _("劳动争议")
    CONSUMER = "consumer", _("消费")
    MEDICAL = "medical", _("医疗")
    TRAFFIC = "traffic", _("道路交通事故")
    PROPERTY_MGMT = "property_mgmt", _("物业")
    ADMINISTRATIVE = "administrative", _("行政争议")
    OTHER = "other", _("其他")
    INTERNET = "internet", _("互联网新业态")
    FINANCE = "finance", _("金融借贷")
    IP = "ip", _("知识产权")
    TOURISM = "tourism", _("旅游")
    CONSTRUCTION = "construction", _("建筑施工")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
