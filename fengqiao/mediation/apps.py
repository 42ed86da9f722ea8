from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "fengqiao.mediation"
    verbose_name = _("调解")

    def ready(self) -> None:
        from fengqiao.core.bodylimit import register_upload
        from fengqiao.disputes.hooks import register_mediation_hooks
        from fengqiao.disputes.timeline import register_actions
        from fengqiao.mediation.actions import register_all
        from fengqiao.mediation.choices import MediationAction
        from fengqiao.mediation.consent import mediation_blocker, sessions_held
        from fengqiao.mediation.services import evidence_max_bytes

        # disputes may not import this app: it is told here our timeline entries, what stops a
        # case from being mediated, how many sessions a case has had, and our actions on the
        # case page (达成协议, 调解不成, 回访, the mediation record) with the panel they fill.
        register_actions(MediationAction)
        register_mediation_hooks(blocker=mediation_blocker, sessions_held=sessions_held)
        register_all()
        # The evidence upload accepts a body of its file's size (fengqiao.core.bodylimit).
        register_upload("mediation:evidence_upload", evidence_max_bytes)
        _register_guidance()
        _register_ledgers()


def _register_ledgers() -> None:
    from fengqiao.ledgers.registry import register
    from fengqiao.mediation.exports import AGREEMENT_LEDGER, SESSION_LEDGER

    # 调解记录 and 调解协议 ledgers, exported from the case list (mediation/exports.py).
    register(SESSION_LEDGER)
    register(AGREEMENT_LEDGER)


def _register_guidance() -> None:
    from fengqiao.core.bodylimit import register_upload
    from fengqiao.disputes.actions import Panel, WorkPanel, register_panel, register_work_panel
    from fengqiao.disputes.hooks import register_due_owner
    from fengqiao.mediation import guidance
    from fengqiao.mediation.guidance_views import case_panel_context
    from fengqiao.mediation.services import evidence_max_bytes

    # 业务指导: its panel on the case page, the requests to answer in 我的工作, its answer
    # limit on the deadline sweep (the asked org's people are told, the link is the request),
    # and the answer's file within the evidence limit.
    register_panel(Panel("mediation/_guidance_panel.html", case_panel_context))
    register_work_panel(WorkPanel("mediation/_guidance_work.html", guidance.guidance_work))
    register_due_owner(
        guidance.GUIDANCE_KINDS, addressees=guidance.addressees, moved=guidance.moved
    )
    register_upload("mediation:guidance_detail", evidence_max_bytes)
    _register_rooms()


def _register_rooms() -> None:
    from fengqiao.disputes.actions import Panel, register_panel
    from fengqiao.mediation.room_views import case_panel_context

    # 在线调解: the case's rooms and the way to schedule one, on the case page.
    register_panel(Panel("mediation/_room_panel.html", case_panel_context))
    _register_confirmations()


def _register_confirmations() -> None:
    from fengqiao.disputes.actions import Panel, register_panel
    from fengqiao.mediation.confirmation_views import case_panel_context

    # 当事人确认调解协议: each party's confirmation and 请当事人确认, on the case page.
    register_panel(Panel("mediation/_confirmation_panel.html", case_panel_context))
