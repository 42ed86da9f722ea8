"""How mediation ends and after, as actions of the case page's actions column: 达成协议, 调解不成,
回访 and 更正回访. disputes draws the column and runs every action the same way but does not import
this app: ``MediationConfig.ready`` adds these with ``disputes.views.register_actions``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import User
from fengqiao.disputes.models import Case
from fengqiao.disputes.views import ActionSpec
from fengqiao.mediation import forms
from fengqiao.mediation.outcomes import case_agree, case_fail, follow_up_correct, follow_up_record


def _agree(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_agree(
        actor=actor,
        case_id=case.pk,
        version=d["version"],
        kind=d["kind"],
        terms=d["terms"],
        facts=d["facts"],
        disputed_points=d["disputed_points"],
        responsibilities=d["responsibilities"],
        performance_method=d["performance_method"],
        performance_place=d["performance_place"],
        performance_deadline=d["performance_deadline"],
    )


def _fail(actor: User, case: Case, d: dict[str, Any]) -> object:
    return case_fail(
        actor=actor,
        case_id=case.pk,
        version=d["version"],
        undisputed_facts=d["undisputed_facts"],
        note=d["note"],
    )


def _follow_up(actor: User, case: Case, d: dict[str, Any]) -> object:
    return follow_up_record(
        actor=actor,
        case_id=case.pk,
        satisfaction=d["satisfaction"],
        comment=d["comment"],
        version=d["version"],
    )


def _follow_up_correct(actor: User, case: Case, d: dict[str, Any]) -> object:
    return follow_up_correct(
        actor=actor,
        follow_up_id=d["follow_up"],
        satisfaction=d["satisfaction"],
        comment=d["comment"],
        reason=d["reason"],
        version=d["version"],
    )


ACTIONS: dict[str, ActionSpec] = {
    "agree": ActionSpec(forms.AgreeForm, _agree, _("已记录调解协议，案件调解成功。")),
    "fail": ActionSpec(forms.FailForm, _fail, _("已记录调解不成。")),
    "follow_up": ActionSpec(forms.FollowUpForm, _follow_up, _("回访已记录。")),
    "follow_up_correct": ActionSpec(
        forms.FollowUpCorrectForm, _follow_up_correct, _("回访记录已更正。")
    ),
}
