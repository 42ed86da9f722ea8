class MediatorRuleError(Exception):
    """A rule of 调解员管理 refused the change; the message is shown to the user as is."""
