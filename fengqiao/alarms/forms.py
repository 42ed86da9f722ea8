"""The alarm pages' forms: they parse and bound every value, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.alarms.choices import LOGGABLE, ActionKind
from fengqiao.core.formfields import LongTextField, StyledForm, TextField


class RaiseForm(StyledForm):
    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
    case = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    org = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    location = TextField(label=_("具体位置（可不填）"), required=False, max_length=100, strip=True)
    note = TextField(label=_("情况（可不填）"), required=False, max_length=200, strip=True)


class LogForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("记录类型"),
        choices=[(k.value, k.label) for k in ActionKind if k in LOGGABLE],
    )
    text = TextField(label=_("内容"), required=False, max_length=500, strip=True)


class CloseForm(StyledForm):
    summary = LongTextField(label=_("处置结果"), max_length=2000, strip=True)
