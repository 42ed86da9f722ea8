"""The portal's forms: they parse and bound what a citizen types; the services decide."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fengqiao.core.formfields import IdNumberField, MobileField, PhoneField, StyledForm
from fengqiao.disputes.forms import intake_category_choices
from fengqiao.mediators.services import PARTY_SUMMARY_MAX, PARTY_SUMMARY_MIN
from fengqiao.portal.choices import ArticleTopic
from fengqiao.portal.selectors import CASE_NUMBER_MAX, QUERY_MAX, place_choices, place_get
from fengqiao.regions.models import Region

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


class PortalForm(StyledForm):
    large = True


class PhoneForm(PortalForm):
    """Step one of applying: the phone to verify, and the human check."""

    phone = MobileField(label=_("手机号码"), help_text=_("用于接收验证码和办理进度短信"))
    captcha = forms.CharField(
        label=_("请计算图中算式的结果"),
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class TrackForm(PhoneForm):
    """Step one of tracking: the case number, the phone given when the case was registered."""

    case_number = forms.CharField(
        label=_("案件编号"),
        max_length=CASE_NUMBER_MAX,
        help_text=_("申请成功页面和短信中的编号，如 330110-2026-000123"),
    )
    field_order = ["case_number", "phone", "captcha"]


class CodeForm(PortalForm):
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


def _place_options() -> list[Any]:
    return [("", _("请选择村/社区")), *place_choices()]


class ApplicationForm(PortalForm):
    """申请调解 — step two, once the phone is verified."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    applicant_name = forms.CharField(label=_("您的姓名"), max_length=50)
    applicant_id_number = IdNumberField(
        label=_("您的身份证号（选填）"), required=False, help_text=_("调解员核实身份时使用")
    )
    respondent_name = forms.CharField(
        label=_("对方姓名或单位名称"), max_length=100, help_text=_("与您发生纠纷的一方")
    )
    respondent_phone = MobileField(label=_("对方手机号（选填）"), required=False)
    # Checked by one indexed read (``clean_place``); the list of villages is read only when the
    # page is drawn (a callable's choices are read as the select renders), never on a submit.
    place = forms.IntegerField(label=_("纠纷发生地（村/社区）"), min_value=1, widget=forms.Select)
    address = forms.CharField(label=_("详细地址（选填）"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("纠纷类型"), choices=intake_category_choices)
    title = forms.CharField(
        label=_("一句话说明纠纷"),
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("如：邻居装修堵了我家排水沟")}),
    )
    facts = forms.CharField(
        label=_("发生了什么"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明时间、地点、经过，3000字以内"),
    )
    claims = forms.CharField(
        label=_("您希望怎样解决"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consent = forms.BooleanField(
        label=_(
            "我自愿申请人民调解，同意调解委员会依法调解（调解不收费，调解不成可依法另行起诉、仲裁）"
        ),
        error_messages={"required": _("申请调解须同意调解")},
    )
    online = forms.BooleanField(
        label=_("我同意以在线视频方式参加调解（可随时改为现场调解）"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["place"].widget
        widget.choices = _place_options

    def clean_place(self) -> Region:
        region = place_get(self.cleaned_data["place"])
        if region is None:
            raise forms.ValidationError(_("请选择村/社区。"))
        return region

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not TOKEN.fullmatch(token):
            raise forms.ValidationError(_("页面已过期，请刷新后重新填写。"))
        return str(token)


class EvaluationForm(PortalForm):
    rating = forms.TypedChoiceField(
        label=_("您对本次调解的评价"),
        coerce=int,
        choices=[
            (5, _("5分 非常满意")),
            (4, _("4分 满意")),
            (3, _("3分 一般")),
            (2, _("2分 不满意")),
            (1, _("1分 很不满意")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("意见和建议（选填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ComplaintForm(PortalForm):
    """投诉调解员 — a party about the mediator of record of their case."""

    summary = forms.CharField(
        label=_("发生了什么"),
        min_length=PARTY_SUMMARY_MIN,
        max_length=PARTY_SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("请写明投诉的事情经过。"),
            "min_length": _("请写明投诉的事情经过（至少%(limit_value)d个字）。"),
            "max_length": _("投诉内容不能超过%(limit_value)d字（现有%(show_value)d字）。"),
        },
    )
    phone = PhoneField(
        label=_("联系电话（选填）"),
        required=False,
        help_text=_("处理人员可按此电话与您联系；不填则按您登记的手机号联系"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["summary"].help_text = gettext("请写明时间和经过，%(n)s字以内") % {
            "n": PARTY_SUMMARY_MAX
        }


class SearchForm(PortalForm):
    q = forms.CharField(label=_("搜索问题"), max_length=QUERY_MAX, required=False)
    topic = forms.ChoiceField(
        label=_("类别"), choices=[("", _("全部类别")), *ArticleTopic.choices], required=False
    )


class VerifyForm(PortalForm):
    public_id = forms.CharField(
        label=_("文书编号"),
        max_length=32,
        help_text=_("文书二维码下方印有文书编号；用手机扫描二维码可直接打开验证页面"),
    )

    def clean_public_id(self) -> str:
        value = "".join(str(self.cleaned_data["public_id"]).split())
        if not re.fullmatch(r"[A-Za-z0-9_-]{8,32}", value):
            raise forms.ValidationError(_("文书编号格式不正确，请核对后重新输入。"))
        return value
