from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourtConfig(AppConfig):
    """诉调对接: the court's referrals (委派/委托) and their return, judicial confirmation, rulings
    and their service. Sits above ``mediation``: it reads cases and agreements, never the
    reverse."""

    name = "fengqiao.court"
    verbose_name = _("诉调对接")

    def ready(self) -> None:
        from fengqiao.core.bodylimit import register_upload
        from fengqiao.court.choices import CourtAction
        from fengqiao.court.documents import register_all as register_documents
        from fengqiao.court.models.confirmation import ConfirmationAction
        from fengqiao.court.selectors.confirmation import agreement_confirmed
        from fengqiao.court.services import confirmation_due
        from fengqiao.court.services.confirmation import scan_max_bytes
        from fengqiao.court.services.confirmation_due import CONFIRMATION_KINDS
        from fengqiao.court.services.referral import follow_case, return_expired
        from fengqiao.court.views.confirmation import register_case_panel
        from fengqiao.disputes.hooks import (
            register_court_return,
            register_due_owner,
            register_transition_listener,
        )
        from fengqiao.disputes.timeline import register_actions
        from fengqiao.mediation.fulfilment import register_confirmation_lookup

        # 司法确认: its timeline entries, its part of the case page, and the uploads (the
        # signed agreement scan, the 送达回证) that may be larger than a form.
        register_actions(ConfirmationAction)
        # 履行: a party in default is pointed to enforcement once the agreement was confirmed.
        register_confirmation_lookup(agreement_confirmed)
        register_case_panel()
        # The court's documents in the case's 文书 section and 案卷 (court/documents.py).
        register_documents()
        register_upload("court:confirmation_file", scan_max_bytes)
        register_upload("court:confirmation_serve", scan_max_bytes)
        # 委派/委托: disputes may not import this app: it is told our timeline entries, and
        # tells us of every workflow action (a referral follows its case) and of each 委派
        # period that ran out (the case goes back to the court).
        register_actions(CourtAction)
        register_transition_listener(follow_case)
        register_court_return(return_expired)
        # 司法确认's 受理期限 and 审查期限 run on the deadline sweep: the judges of the court are
        # told, and a recount on a new holiday calendar moves the application's dates.
        register_due_owner(
            CONFIRMATION_KINDS, addressees=confirmation_due.addressees, moved=confirmation_due.moved
        )
        _register_referral_pages()
        _register_ledger()


def _register_ledger() -> None:
    from fengqiao.court.exports import CONFIRMATION_LEDGER
    from fengqiao.ledgers.registry import register

    # 司法确认台账, exported from the queue (court/exports.py).
    register(CONFIRMATION_LEDGER)


def _register_referral_pages() -> None:
    from fengqiao.court.selectors.referral import QUEUE_TABS
    from fengqiao.court.tabs import register_tab
    from fengqiao.court.views.referral import case_panel_context
    from fengqiao.disputes.actions import Panel, register_panel

    # The queue page's referral tabs (another part appends its own after these) and the
    # referral panel of the case page (both sides see the period there).
    for tab in QUEUE_TABS:
        register_tab(tab)
    register_panel(Panel("court/referral/_case_panel.html", case_panel_context))
