"""The governance pages' forms: they parse, the services decide (``services``)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fengqiao.core.formfields import StyledForm
from fengqiao.governance.choices import PublicityKind
from fengqiao.governance.models import MeetingType
from fengqiao.governance.services import Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".jpg,.jpeg,.png,.pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def uploads_of(files: list[Any]) -> list[Upload]:
    return [Upload(f, f.name, f.size) for f in files]


def _key() -> str:
    return uuid.uuid4().hex


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class OrgMultipleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class MeetingForm(StyledForm):
    meeting_type = forms.ModelChoiceField(
        label=_("会议类型"), queryset=MeetingType.objects.filter(is_active=True)
    )
    convening_org = OrgChoiceField(label=_("召集单位"), queryset=None)
    title = forms.CharField(label=_("会议名称"), max_length=200)
    held_on = forms.DateField(
        label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    participants = OrgMultipleField(
        label=_("参会单位"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    held = forms.BooleanField(label=_("会议已召开（登记会议纪要）"), required=False)
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachments = MultipleFileField(label=_("附件（JPEG、PNG或PDF）"), required=False)
    submit_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, platforms: Any, partners: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"submit_key": _key(), "held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["convening_org"].queryset = platforms  # type: ignore[attr-defined]
        if len(platforms) == 1:  # the user's own platform: nothing to choose
            self.fields["convening_org"].empty_label = None  # type: ignore[attr-defined]
        self.fields["participants"].queryset = partners  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("held") and not (data.get("minutes") or "").strip():
            self.add_error("minutes", _("登记已召开的会议，请填写会议纪要。"))
        return data


class MinutesForm(StyledForm):
    minutes = forms.CharField(label=_("会议纪要"), widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=_("附件（JPEG、PNG或PDF）"), required=False)


class AttendanceForm(StyledForm):
    org = OrgChoiceField(label=_("单位"), queryset=None)
    name = forms.CharField(label=_("姓名"), max_length=50)
    position = forms.CharField(label=_("职务"), max_length=50, required=False)
    present = forms.BooleanField(label=_("出席"), required=False, initial=True)
    absence_reason = forms.CharField(label=_("缺席原因"), max_length=200, required=False)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("present") and not (data.get("absence_reason") or "").strip():
            self.add_error("absence_reason", _("缺席的人员请填写缺席原因。"))
        return data


class ResolutionForm(StyledForm):
    text = forms.CharField(
        label=_("决定事项"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    owner_org = OrgChoiceField(label=_("责任单位"), queryset=None)
    owner_user = UserChoiceField(
        label=_("责任人（可不填）"),
        queryset=None,
        required=False,
        help_text=_("须是责任单位的工作人员。"),
    )
    due_date = forms.DateField(
        label=_("办结期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args: Any, orgs: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].queryset = orgs  # type: ignore[attr-defined]
        self.fields["owner_user"].queryset = users  # type: ignore[attr-defined]


class CompleteForm(StyledForm):
    evidence_text = forms.CharField(
        label=_("办结情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    evidence_files = MultipleFileField(label=_("办结凭证（JPEG、PNG或PDF）"), required=False)


class PublicityForm(StyledForm):
    organizer = OrgChoiceField(label=_("牵头单位"), queryset=None)
    kind = forms.ChoiceField(label=_("活动类型"), choices=PublicityKind.choices)
    title = forms.CharField(label=_("活动名称"), max_length=200)
    held_on = forms.DateField(
        label=_("活动日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    orgs = OrgMultipleField(
        label=_("联合举办单位"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience = forms.IntegerField(label=_("受众人数"), min_value=0, max_value=1_000_000)
    note = forms.CharField(
        label=_("活动情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultipleFileField(label=_("活动照片（JPEG、PNG或PDF）"), required=False)
    submit_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, platforms: Any, partners: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"submit_key": _key(), "held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = platforms  # type: ignore[attr-defined]
        if len(platforms) == 1:
            self.fields["organizer"].empty_label = None  # type: ignore[attr-defined]
        self.fields["orgs"].queryset = partners  # type: ignore[attr-defined]
