"""The audit app's permissions, one name each (checked by ``fengqiao.core.checks``)."""

VIEW_AUDITEVENT = "audit.view_auditevent"
