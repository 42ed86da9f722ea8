"""The accounts app's permissions, one name each (checked by ``fengqiao.core.checks``)."""

MANAGE_ACCOUNTS = "accounts.manage_accounts"
MANAGE_ROLES = "accounts.manage_roles"
