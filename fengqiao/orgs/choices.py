from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgFamily(models.TextChoices):
    """The broad family of an org kind; rules (staffing, composition) key on it."""

    PLATFORM = "platform", _("综治中心/平安办")
    COURT = "court", _("人民法院/人民法庭")
    POLICE = "police", _("公安派出所")
    JUSTICE = "justice", _("司法所/司法局")
    PETITION = "petition", _("信访")
    COMMITTEE = "committee", _("人民调解委员会")
    ADMIN_MEDIATION = "admin_mediation", _("行政调解组织")
    DISPATCHED_ROOM = "dispatched_room", _("派驻调解室")
    LAWYER_STUDIO = "lawyer_studio", _("律师调解工作室")
    COMMERCIAL = "commercial", _("商事调解组织")
    INVITED = "invited", _("特邀调解组织")
    MASS_ORG = "mass_org", _("群团组织（工会/妇联/工商联）")
    PROCURATORATE = "procuratorate", _("人民检察院")
    DEPARTMENT = "department", _("行政部门")


class PersonRole(models.TextChoices):
    """人员角色 within an organization."""

    GRID_WORKER = "grid_worker", _("网格员")
    INFORMANT = "informant", _("信息员")
    MEDIATOR = "mediator", _("人民调解员")
    INVITED_MEDIATOR = "invited_mediator", _("特邀调解员")
    EXPERT = "expert", _("调解专家")
    JUDGE = "judge", _("法官")
    JUDGE_ASSISTANT = "judge_assistant", _("法官助理/书记员")
    POLICE = "police", _("民警")
    JUSTICE_OFFICER = "justice_officer", _("司法所干部")
    DISPATCHER = "dispatcher", _("平安办调度员")
    LEADER = "leader", _("领导")
    STAFF = "staff", _("工作人员")


# The kinds of the rooms a court (驻庭) and a police station (驻所) host (orgs/kinds.py).
COURT_ROOM_KIND = "room_court"
POLICE_ROOM_KIND = "room_police"

# Who may be a case's mediator: assigned to mediate a case, suggested at dispatch, picked by
# routing (人民调解员 and 特邀调解员; an expert gives opinions, not mediation).
CASE_MEDIATOR_ROLES = (PersonRole.MEDIATOR, PersonRole.INVITED_MEDIATOR)
# Who the mediator roster (调解员名册) lists: every role that mediates or advises on mediation.
ROSTER_ROLES = (PersonRole.MEDIATOR, PersonRole.INVITED_MEDIATOR, PersonRole.EXPERT)
# Who counts as a people's mediator (人民调解员) in the staffing reports (人民调解法 art. 13).
PEOPLES_MEDIATOR_ROLES = (PersonRole.MEDIATOR,)


class Position(models.TextChoices):
    """职务 in a mediation committee or other org."""

    DIRECTOR = "director", _("主任")
    DEPUTY = "deputy", _("副主任")
    MEMBER = "member", _("委员")
    MEDIATOR = "mediator", _("调解员")
    LIAISON = "liaison", _("联络员")
    HEAD = "head", _("负责人")
    STAFF = "staff", _("工作人员")


class MediatorGrade(models.TextChoices):
    """人民调解员等级评定."""

    CHIEF = "chief", _("首席人民调解员")
    SENIOR = "senior", _("高级人民调解员")
    INTERMEDIATE = "intermediate", _("中级人民调解员")
    JUNIOR = "junior", _("初级人民调解员")
    UNGRADED = "ungraded", _("未评定")


class Background(models.TextChoices):
    RETIRED_OFFICER = "retired_officer", _("退休政法干警")
    LAWYER = "lawyer", _("律师")
    LEGAL_WORKER = "legal_worker", _("基层法律服务工作者")
    PROFESSIONAL = "professional", _("专业人士")
    VILLAGE_CADRE = "village_cadre", _("村（社区）干部")
    TEACHER = "teacher", _("教师")
    OTHER = "other", _("其他")


class VolunteerKind(models.TextChoices):
    NONE = "", _("无")
    DEPUTIES = "deputies", _("两代表一委员")
    FIVE_ELDERS = "five_elders", _("五老人员")
    VOLUNTEER = "volunteer", _("志愿者")


class ExpertField(models.TextChoices):
    LAW = "law", _("法律")
    MEDICINE = "medicine", _("医学")
    PSYCHOLOGY = "psychology", _("心理")
    FINANCE = "finance", _("金融")
    SOCIAL_WORK = "social_work", _("社会工作")
    ENGINEERING = "engineering", _("工程建筑")
    INSURANCE = "insurance", _("保险")
    LABOUR = "labour", _("劳动保障")


class TrainingKind(models.TextChoices):
    PRACTICAL = "practical", _("实训")
    CENTRALIZED = "centralized", _("集中培训")
    ONLINE = "online", _("线上学习")
    CASE_GUIDANCE = "case_guidance", _("个案指导")
