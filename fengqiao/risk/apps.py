from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """风险分级 — grading a case 低/中/高/重大 by rules an administrator edits, with the rules that
    fired as its reasons. Sits above ``mediation``: disputes asks it through a hook, never
    imports it."""

    name = "fengqiao.risk"
    verbose_name = _("风险研判")

    def ready(self) -> None:
        from fengqiao.disputes.actions import Panel, register_panel
        from fengqiao.disputes.hooks import register_risk_grader
        from fengqiao.disputes.timeline import register_actions
        from fengqiao.risk.choices import RiskAction
        from fengqiao.risk.services import case_panel_context, risk_grade

        # Intake, 研判 and 重复反映 ask us for the grade (disputes.hooks); our entries on the
        # timeline and our part of the case page (the reasons).
        register_risk_grader(risk_grade)
        register_actions(RiskAction)
        register_panel(Panel("risk/_case_panel.html", case_panel_context))
        _register_ledger()


def _register_ledger() -> None:
    from fengqiao.ledgers.registry import register
    from fengqiao.risk.exports import WARNING_LEDGER

    # 风险预警台账, exported from the warning list (risk/exports.py).
    register(WARNING_LEDGER)
