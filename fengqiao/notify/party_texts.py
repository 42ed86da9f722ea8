"""The words of the SMS that tell a party a step of their case (告知当事人, seed 004 item 26):
the administrator's template for the step (``PartyMessageTemplate``, admin → 当事人短信模板) or
the built-in text below, in plain Chinese.

Every step's template may use the same values; those a step does not have are empty:

- ``site`` (the SMS signature), ``name`` (the party told — their own name, to their own phone),
  ``applicant`` (non-empty when the party told is the one who applied: the other side is told
  of a dispute that concerns them, not one "they reported"),
  ``case_number``, ``org`` (who handles the case: the platform at registration, the committee
  once accepted), ``mediator``, ``track_url`` (the portal's 查询进度, when
  ``FENGQIAO_PUBLIC_URL`` is set);
- ``when``, ``place``, ``link`` (a session: its time, its place or the online room's link; the
  link of the agreement to confirm);
- ``court``, ``result``, ``next_steps`` (a ruling or the case's outcome and what the party can
  do next).

A template that fails to render (a syntax error slipped into the database, a value it is not
given) is not sent half-filled: the built-in text goes and the error is returned with it, for
the delivery and the log. No other party's name or number is among the values."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.notify.choices import Channel, PartyStep
from fengqiao.notify.texts import (
    MAX_LENGTH,
    MAX_TEMPLATE_LENGTH,
    Rendered,
    TemplateProblem,
    _render,
    scrub,
)

logger = logging.getLogger(__name__)

VARIABLES = (
    "site",
    "name",
    "applicant",
    "case_number",
    "org",
    "mediator",
    "track_url",
    "when",
    "place",
    "link",
    "court",
    "result",
    "next_steps",
)


def builtin(step: str) -> str:
    """The built-in text of ``step``: what goes when no template is set or it fails."""
    texts = {
        PartyStep.REGISTERED: _(
            "【{{ site }}】{{ name }}您好，{% if applicant %}您反映的纠纷已登记{% else %}"
            "涉及您的一起纠纷已登记{% endif %}，案件编号{{ case_number }}，由{{ org }}负责"
            "处理{% if not applicant %}，工作人员将与您联系{% endif %}。{% if track_url %}"
            "可凭案件编号和本手机号在{{ track_url }}查询办理进度。{% else %}可凭案件编号向"
            "{{ org }}查询办理进度。{% endif %}"
        ),
        PartyStep.ACCEPTED: _(
            "【{{ site }}】{{ name }}您好，您的纠纷（案件编号{{ case_number }}）已由{{ org }}"
            "受理{% if mediator %}，承办调解员{{ mediator }}{% endif %}，调解员将与您联系。"
            "{% if track_url %}查询进度：{{ track_url }}{% endif %}"
        ),
        PartyStep.SESSION: _(
            "【{{ site }}】{{ name }}您好，您的纠纷（案件编号{{ case_number }}）定于{{ when }}"
            "{% if link %}在线视频调解，请届时用手机浏览器打开：{{ link }} （仅限本人使用，"
            "请勿转发）{% else %}在{{ place }}调解，请准时参加。{% endif %}"
        ),
        PartyStep.AGREEMENT: _(
            "【{{ site }}】{{ name }}您好，您的纠纷（案件编号{{ case_number }}）经{{ org }}调解"
            "已达成调解协议，调解成功。请按协议约定履行；双方可自协议生效之日起三十日内共同"
            "向人民法院申请司法确认。{% if track_url %}查询：{{ track_url }}{% endif %}"
        ),
        PartyStep.CONFIRM_REQUEST: _(
            "【{{ site }}】{{ name }}您好，请查看并确认调解协议（案件编号{{ case_number }}）："
            "{{ link }} （仅限本人使用，请勿转发）"
        ),
        PartyStep.CONFIRMATION: _(
            "【{{ site }}】{{ name }}您好，您申请司法确认的调解协议（案件编号{{ case_number }}），"
            "{{ court }}{{ result }}。{{ next_steps }}"
        ),
        PartyStep.RESULT: _(
            "【{{ site }}】{{ name }}您好，您的纠纷（案件编号{{ case_number }}）{{ result }}。"
            "{{ next_steps }}{% if track_url %}查询：{{ track_url }}{% endif %}"
        ),
    }
    return texts[PartyStep(step)]


def check(text: str) -> str:
    """Render ``text`` with sample values; raises ``TemplateProblem`` with the reason (the
    admin form shows it) or returns the sample."""
    if len(text) > MAX_TEMPLATE_LENGTH:
        raise TemplateProblem(_("模板过长（最多 %(n)d 字）") % {"n": MAX_TEMPLATE_LENGTH})
    return _render(text, {name: f"<{name}>" for name in VARIABLES})


def render(step: str, template: str | None, values: dict[str, Any]) -> Rendered:
    """The SMS of ``step`` from the administrator's ``template`` (or the built-in one when there
    is none or it fails), phone and ID numbers masked, bounded."""
    full = {name: values.get(name) or "" for name in VARIABLES}
    error = ""
    text = ""
    if template:
        try:
            text = _render(template, full)
        except TemplateProblem as exc:
            error = str(exc)[:300]
            logger.error("party SMS template of %s failed, built-in text sent: %s", step, error)
    if not text.strip():
        text = _render(builtin(step), full)
    return Rendered(scrub(text.strip())[: MAX_LENGTH[Channel.SMS]], error)
