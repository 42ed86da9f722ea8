from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """会议与任务: the platforms' meetings (联席会议, 分析研判会), their resolutions as tracked
    tasks, the meetings each period requires, and 法治宣传 activities against their yearly
    target. Sits above ``mediation``, beside ``court``."""

    name = "fengqiao.governance"
    verbose_name = _("会议与任务")

    def ready(self) -> None:
        from fengqiao.core.bodylimit import register_upload
        from fengqiao.disputes.actions import WorkPanel, register_work_panel
        from fengqiao.governance.selectors import work_tasks
        from fengqiao.mediation.services import evidence_max_bytes

        # 我的工作 shows the open meeting tasks of the user's orgs until they are done.
        register_work_panel(WorkPanel("governance/_work_tasks.html", work_tasks))

        # Up to ten files per form (services.MAX_FILES), each within the evidence limit.
        def limit() -> int:
            return 10 * evidence_max_bytes()

        for name in (
            "governance:meeting_new",
            "governance:meeting_act",
            "governance:task_detail",
            "governance:publicity_new",
        ):
            register_upload(name, limit)
        _register_ledgers()


def _register_ledgers() -> None:
    from fengqiao.governance.exports import MEETING_LEDGER, SCREENING_LEDGER
    from fengqiao.ledgers.registry import register

    # 会议台账 and 排查报告台账, exported from their pages (governance/exports.py).
    register(MEETING_LEDGER)
    register(SCREENING_LEDGER)
