from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    """审计事件类型. The codes are stable: they are hashed into the chain and never renamed."""

    LOGIN = "auth.login", _("登录")
    LOGIN_FAILED = "auth.login_failed", _("登录失败")
    LOGIN_REFUSED_LOCKED = "auth.login_refused_locked", _("锁定期间尝试登录")
    LOGOUT = "auth.logout", _("退出")
    ACCOUNT_LOCKED = "auth.account_locked", _("账户锁定")
    ACCOUNT_UNLOCKED = "auth.account_unlocked", _("账户解锁")
    PASSWORD_CHANGED = "auth.password_changed", _("修改密码")
    PASSWORD_RESET = "auth.password_reset", _("重置密码")
    TOTP_ENABLED = "auth.totp_enabled", _("启用动态口令")
    TOTP_DISABLED = "auth.totp_disabled", _("停用动态口令")
    USER_CREATED = "account.user_created", _("新建用户")
    USER_UPDATED = "account.user_updated", _("修改用户")
    USER_DEACTIVATED = "account.user_deactivated", _("停用用户")
    ROLE_GRANTED = "account.role_granted", _("授予角色")
    ROLE_REVOKED = "account.role_revoked", _("撤销角色")
    ROLE_CHANGED = "account.role_changed", _("修改角色权限")
    REGIONS_IMPORTED = "region.imported", _("导入行政区划")
    ORG_CREATED = "org.created", _("新建单位")
    ORG_UPDATED = "org.updated", _("修改单位")
    PERSON_CREATED = "person.created", _("新建人员")
    PERSON_UPDATED = "person.updated", _("修改人员")
    MEMBERSHIP_ADDED = "person.membership_added", _("加入单位")
    MEMBERSHIP_ENDED = "person.membership_ended", _("离开单位")
    TRAINING_RECORDED = "person.training_recorded", _("登记培训")
    RECUSAL_DECLARED = "person.recusal_declared", _("回避声明")
    PERSONAL_DATA_VIEWED = "data.personal_viewed", _("查看完整个人信息")
    DATA_EXPORTED = "data.exported", _("导出数据")
    DATA_KEY_ROTATED = "data.key_rotated", _("数据密钥轮换")
