"""The warning and emergency pages' forms: they parse and bound, the services decide."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.formfields import StyledForm
from fengqiao.disputes.services.errors import NOTE_MAX
from fengqiao.risk.choices import Measure

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class OrgMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _note(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class WarningActionForm(StyledForm):
    measure = forms.ChoiceField(label=_("处置措施"), choices=Measure.choices)
    note = _note(_("处置情况"))


class WarningCloseForm(StyledForm):
    note = _note(_("办结说明"))


class DueField(forms.DateTimeField):
    """A task's deadline: from now to 90 days ahead."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DATETIME_WIDGET)
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        now = timezone.now()
        if not now - timedelta(minutes=5) <= value <= now + timedelta(days=90):
            raise forms.ValidationError(_("完成时限须在现在之后的90日以内。"))


class TaskForm(StyledForm):
    title = forms.CharField(label=_("任务"), max_length=200)
    owner_org = OrgChoiceField(label=_("责任单位"), queryset=None)
    owner_user = UserChoiceField(label=_("责任人"), queryset=None, required=False)
    due_at = DueField(label=_("完成时限"))

    def __init__(self, *args: Any, orgs: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner_org"]).queryset = orgs
        cast(forms.ModelChoiceField, self.fields["owner_user"]).queryset = users


class EmergencyForm(StyledForm):
    """启动应急联动 — the team, the lead, and the first tasks (up to three; a blank one is
    skipped)."""

    title = forms.CharField(label=_("事件名称"), max_length=200)
    place = forms.CharField(label=_("现场地点"), max_length=200)
    situation = _note(_("现场情况"))
    orgs = OrgMultipleField(label=_("参与单位"), queryset=None, widget=forms.CheckboxSelectMultiple)
    lead = UserChoiceField(label=_("现场负责人"), queryset=None)

    TASKS = 3

    def __init__(self, *args: Any, orgs: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["orgs"]).queryset = orgs
        cast(forms.ModelChoiceField, self.fields["lead"]).queryset = users
        for i in range(1, self.TASKS + 1):
            self.fields[f"task{i}_title"] = forms.CharField(
                label=_("任务%(i)s") % {"i": i}, max_length=200, required=False
            )
            self.fields[f"task{i}_org"] = OrgChoiceField(
                label=_("责任单位"), queryset=orgs, required=False
            )
            self.fields[f"task{i}_due"] = DueField(label=_("完成时限"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for i in range(1, self.TASKS + 1):
            title = data.get(f"task{i}_title")
            if title and (not data.get(f"task{i}_org") or not data.get(f"task{i}_due")):
                self.add_error(f"task{i}_title", _("请为该任务选择责任单位和完成时限。"))
        return data

    def tasks(self) -> list[tuple[str, Any, Any]]:
        data = self.cleaned_data
        return [
            (data[f"task{i}_title"], data[f"task{i}_org"], data[f"task{i}_due"])
            for i in range(1, self.TASKS + 1)
            if data.get(f"task{i}_title")
        ]


class LogForm(StyledForm):
    text = _note(_("处置情况"))


class TaskDoneForm(StyledForm):
    result = _note(_("完成情况"))


class SummaryForm(StyledForm):
    summary = _note(_("处置总结"))
