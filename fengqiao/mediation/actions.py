"""This app's actions on a case page, declared in the one table of case actions
(``disputes.actions``): how mediation ends and after (达成协议, 调解不成, 回访, 更正回访, in the
actions column) and the mediation record (in the panel of the case page this app renders).
Registered from ``MediationConfig.ready``: disputes does not import this app."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from fengqiao.disputes.actions import (
    ActionSpec,
    Panel,
    WorkPanel,
    register,
    register_panel,
    register_work_panel,
)
from fengqiao.disputes.choices import CaseAction
from fengqiao.disputes.models import Case
from fengqiao.disputes.policy import FOLLOW_UP, FOLLOW_UP_CORRECT, FULFIL, MEDIATE
from fengqiao.mediation import documents, forms, fulfilment, selectors, services
from fengqiao.mediation.outcomes import case_agree, case_fail, follow_up_correct, follow_up_record

PANEL = "mediation"
FULFILMENT_PANEL = "fulfilment"


def _action(name: str, form: Any, service: Any, done: Any) -> ActionSpec:
    # The panel's forms share one section of the page: their fields carry the action's name.
    return ActionSpec(name, form, service, MEDIATE, done, panel=PANEL, prefix=name)


ACTIONS = (
    ActionSpec(
        "agree",
        forms.AgreeForm,
        case_agree,
        CaseAction.AGREE,
        _("已记录调解协议，案件调解成功。"),
    ),
    ActionSpec("fail", forms.FailForm, case_fail, CaseAction.FAIL, _("已记录调解不成。")),
    ActionSpec("follow_up", forms.FollowUpForm, follow_up_record, FOLLOW_UP, _("回访已记录。")),
    ActionSpec(
        "follow_up_correct",
        forms.FollowUpCorrectForm,
        follow_up_correct,
        FOLLOW_UP_CORRECT,
        _("回访记录已更正。"),
    ),
    _action(
        "consent",
        forms.ConsentForm,
        services.consent_record,
        _("已记录调解意愿。"),
    ),
    _action(
        "notice",
        forms.RightsNoticeForm,
        services.rights_notice_deliver,
        _("已记录告知书送达。"),
    ),
    _action(
        "session",
        forms.SessionForm,
        services.session_record,
        _("已记录调解笔录。"),
    ),
    _action(
        "evidence",
        forms.EvidenceForm,
        services.evidence_upload,
        _("证据材料已上传。"),
    ),
    _action(
        "opinion",
        forms.ExpertOpinionForm,
        services.expert_opinion_record,
        _("已记录专家意见。"),
    ),
)


def _fulfil(name: str, form: Any, service: Any, done: Any) -> ActionSpec:
    return ActionSpec(name, form, service, FULFIL, done, panel=FULFILMENT_PANEL, prefix=name)


FULFILMENT_ACTIONS = (
    _fulfil(
        "performance_item",
        forms.PerformanceItemForm,
        fulfilment.performance_item_add,
        _("履行事项已登记。"),
    ),
    _fulfil(
        "performance",
        forms.PerformanceRecordForm,
        fulfilment.performance_record,
        _("履行情况已登记。"),
    ),
    _fulfil(
        "performance_default",
        forms.PerformanceDefaultForm,
        fulfilment.performance_default,
        _("已登记未按期履行，并已告知当事人救济途径。"),
    ),
    _fulfil(
        "performance_certificate",
        forms.PerformanceCertificateForm,
        fulfilment.performance_certificate_issue,
        _("自动履行证明书已出具。"),
    ),
)


def panel_context(user: Any, case: Case) -> dict[str, Any]:
    """What ``mediation/_case_panel.html`` needs besides its forms (``case_forms``)."""
    return {"mediation": selectors.case_panel(user, case)}


def fulfilment_context(user: Any, case: Case) -> dict[str, Any]:
    """What ``mediation/_fulfilment_panel.html`` needs besides its forms."""
    return {"fulfilment": selectors.fulfilment_panel(user, case)}


def documents_panel_context(user: Any, case: Case) -> dict[str, Any]:
    """What ``mediation/_documents_panel.html`` (the case page's 文书 section) needs."""
    return {"case_documents": selectors.case_documents(user, case)}


def register_all() -> None:
    register(*ACTIONS, *FULFILMENT_ACTIONS)
    register_panel(Panel("mediation/_case_panel.html", panel_context))
    register_panel(Panel("mediation/_fulfilment_panel.html", fulfilment_context))
    register_work_panel(WorkPanel("mediation/_fulfilment_work.html", selectors.fulfilment_work))
    # The 文书 section lists every registered kind of document (mediation/documents.py), the
    # court's too: an app above mediation adds its kinds with ``documents.register_kind``.
    register_panel(Panel("mediation/_documents_panel.html", documents_panel_context))
    documents.register_all()
