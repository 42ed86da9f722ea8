"""The words of an outgoing message: the administrator's template for its kind and channel
(``MessageTemplate``, a Django template) or the built-in text. A template that fails to render,
or names a value it is not given, is not sent half-filled: the built-in text goes instead and
the error is kept on the delivery and logged, so nothing fails silently."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.utils.translation import gettext as _

from fengqiao.notify.choices import Channel

logger = logging.getLogger(__name__)

# What a template may use. A group robot's message is read by everyone in the group, so it is
# given no title or body (they name parties): only the kind, the case number, the org and the
# link. Names, phone and ID numbers never reach a robot.
PERSONAL_VARIABLES = ("title", "body", "kind", "case_number", "url", "site")
ROBOT_VARIABLES = ("kind", "case_number", "orgs", "count", "url", "site")
VARIABLES = {
    Channel.SMS: PERSONAL_VARIABLES,
    Channel.EMAIL: PERSONAL_VARIABLES,
    Channel.ROBOT: ROBOT_VARIABLES,
}
# Upper bounds of one message: an SMS of a few segments, a mail, a robot post (企业微信 takes
# 2048 bytes of text; the robot text is cut to that in bytes by the backend).
MAX_LENGTH = {Channel.SMS: 300, Channel.EMAIL: 5000, Channel.ROBOT: 1000}
MAX_TEMPLATE_LENGTH = 2000

_INVALID = "\x00INVALID:%s\x00"
_engine = Engine(autoescape=False, string_if_invalid=_INVALID)
_INVALID_FOUND = re.compile("\x00INVALID:([^\x00]*)\x00")

# A mainland mobile number or an 18-character ID number written into a title or body is
# masked in every message that leaves the platform.
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """``text`` with phone and ID numbers in it masked (138****5678, 110***********1234)."""
    text = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)
    return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), text)


def redacted_code_text() -> str:
    """What remains of a verification message once it is sent: no code."""
    return _("【验证码短信，已发送，内容不保留】")


class TemplateProblem(Exception):
    """A template that cannot be used: its syntax, or a value it names that it is not given."""


def builtin(channel: str) -> str:
    """The built-in text of a channel (every kind): what goes when no template is set."""
    if channel == Channel.ROBOT:
        return _(
            "【{{ site }}】{{ kind }}{% if case_number %}：案件 {{ case_number }}{% endif %}"
            "{% if orgs %}（{{ orgs }}）{% endif %}，请相关人员登录平台及时处理。"
            "{% if url %}\n{{ url }}{% endif %}"
        )
    return _("【{{ site }}】{{ kind }}：{{ title }}{% if url %} {{ url }}{% endif %}")


def check(text: str, channel: str) -> str:
    """Render ``text`` with sample values of ``channel``; raises ``TemplateProblem`` with the
    reason (the admin form shows it) or returns the sample."""
    if len(text) > MAX_TEMPLATE_LENGTH:
        raise TemplateProblem(_("模板过长（最多 %(n)d 字）") % {"n": MAX_TEMPLATE_LENGTH})
    sample = {name: f"<{name}>" for name in VARIABLES[Channel(channel)]}
    return _render(text, sample)


def _render(text: str, values: dict[str, Any]) -> str:
    try:
        out = _engine.from_string(text).render(Context(values))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_("模板语法错误：%(e)s") % {"e": str(exc)[:200]}) from exc
    missing = _INVALID_FOUND.search(out)
    if missing:
        raise TemplateProblem(
            _("模板使用了不可用的变量：%(v)s（可用：%(a)s）")
            % {"v": missing.group(1)[:50], "a": "、".join(values)}
        )
    return out


@dataclass(frozen=True)
class Rendered:
    text: str
    error: str = ""


def render(template: str | None, channel: str, values: dict[str, Any]) -> Rendered:
    """The message of ``channel`` from the administrator's ``template`` (or the built-in one
    when there is none or it fails), personal numbers masked, bounded."""
    allowed = {k: v for k, v in values.items() if k in VARIABLES[Channel(channel)]}
    error = ""
    text = ""
    if template:
        try:
            text = _render(template, allowed)
        except TemplateProblem as exc:
            error = str(exc)[:300]
            logger.error("message template of %s failed, built-in text sent: %s", channel, error)
    if not text.strip():
        text = _render(builtin(channel), allowed)
    return Rendered(scrub(text.strip())[: MAX_LENGTH[Channel(channel)]], error)
