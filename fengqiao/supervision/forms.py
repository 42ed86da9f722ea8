from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.formfields import StyledForm

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class DirectiveForm(StyledForm):
    kind = forms.CharField(widget=forms.HiddenInput, max_length=30)
    object_id = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    due_at = forms.DateTimeField(label=_("反馈时限"), widget=DATETIME_WIDGET)
    comment = forms.CharField(
        label=_("督办意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_due_at(self) -> Any:
        value = self.cleaned_data["due_at"]
        now = timezone.now()
        if not now <= value <= now + timedelta(days=90):
            raise forms.ValidationError(_("反馈时限须在现在之后的90日以内。"))
        return value


class AnswerForm(StyledForm):
    answer = forms.CharField(
        label=_("反馈情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
