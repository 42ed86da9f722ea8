"""The administrator's side of notifications: group robots per org, message templates, org
defaults of SMS/email, and the failed deliveries (死信) with a retry action. No page here shows
a message's text (it names cases and parties): a delivery shows its channel, its masked
address, its tries and its error."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fengqiao.accounts.models import User
from fengqiao.audit.admin import AuditedModelAdmin
from fengqiao.core.formfields import CheckedModelForm
from fengqiao.notify import party_texts, texts
from fengqiao.notify.backends import check_webhook_url
from fengqiao.notify.choices import STAFF_KINDS, DeliveryStatus, PartyStep
from fengqiao.notify.models import (
    ChannelPreference,
    Delivery,
    MessageTemplate,
    PartyMessageTemplate,
    RobotWebhook,
)
from fengqiao.notify.services import delivery_retry, robot_save


class RobotWebhookForm(CheckedModelForm):
    """The address and secret are write-only: left empty on a change, they are kept."""

    url = forms.CharField(
        label=_("Webhook 地址"),
        max_length=500,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("机器人设置页中的完整地址（https）；修改时留空表示不变"),
    )
    secret = forms.CharField(
        label=_("签名密钥"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("钉钉“加签”、飞书“签名校验”的密钥；企业微信不需要；修改时留空表示不变"),
    )
    kinds = forms.MultipleChoiceField(
        label=_("发送的消息类型"),
        choices=[(kind.value, kind.label) for kind in STAFF_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = RobotWebhook
        fields = ["org", "name", "provider", "url", "secret", "markdown", "covers_region"]
        fields += ["kinds", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if not url:
            if not self.instance.pk:
                raise forms.ValidationError(_("请填写 Webhook 地址"))
            return str(self.instance.url)
        try:
            check_webhook_url(url)
        except ValueError as exc:
            raise forms.ValidationError(_("地址须以 https:// 开头")) from exc
        return url

    def clean_secret(self) -> str:
        secret = self.cleaned_data["secret"].strip()
        if not secret and self.instance.pk:
            return str(self.instance.secret)
        return secret


@admin.register(RobotWebhook)
class RobotWebhookAdmin(AuditedModelAdmin):
    form = RobotWebhookForm
    list_display = ["name", "org", "provider", "covers_region", "markdown", "is_active"]
    list_filter = ["provider", "is_active"]
    search_fields = ["name", "org__name"]
    raw_id_fields = ["org"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        actor = cast(User, request.user)
        robot_save(actor=actor, robot=obj, adding=not change, changed=form.changed_data)


class MessageTemplateForm(CheckedModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["kind", "channel", "text", "is_active"]
        help_texts = {
            "text": _(
                "Django 模板语法，如 {{ kind }}：{{ title }}。短信、邮件可用：title、body、kind、"
                "case_number、url、site；工作群机器人可用：kind、case_number、orgs、count、url、"
                "site（群消息不含标题和正文，以免泄露当事人信息）。"
            )
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        text, channel = data.get("text"), data.get("channel")
        if text and channel:
            try:
                texts.check(text, channel)
            except texts.TemplateProblem as exc:
                self.add_error("text", str(exc))
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedModelAdmin):
    form = MessageTemplateForm
    list_display = ["kind", "channel", "is_active"]
    list_filter = ["channel", "kind", "is_active"]


class PartyMessageTemplateForm(CheckedModelForm):
    class Meta:
        model = PartyMessageTemplate
        fields = ["step", "text", "is_active"]
        help_texts = {
            "text": _(
                "发给当事人本人的短信，Django 模板语法，如"
                " {{ name }}您好，案件编号{{ case_number }}。"
                "可用：site、name（收信的当事人本人）、case_number、org、mediator、track_url、"
                "when、place、link、court、result、next_steps（本环节没有的值为空）。"
                "留空或停用则使用系统默认文字；模板出错时也改发默认文字，并在发送记录中标明。"
            )
        }

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"])
        try:
            party_texts.check(text)
        except texts.TemplateProblem as exc:
            raise forms.ValidationError(str(exc)) from exc
        return text


@admin.register(PartyMessageTemplate)
class PartyMessageTemplateAdmin(AuditedModelAdmin):
    """告知当事人的短信模板；默认文字见 docs/notifications.md“告知当事人”。"""

    form = PartyMessageTemplateForm
    list_display = ["step", "is_active"]
    list_filter = ["is_active"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A new template starts from the built-in text of the step asked for (or the first).
        initial = super().get_changeform_initial_data(request)
        step = str(initial.get("step") or PartyStep.REGISTERED)
        if step in PartyStep.values:
            initial.setdefault("text", party_texts.builtin(step))
        return initial


@admin.register(ChannelPreference)
class ChannelPreferenceAdmin(AuditedModelAdmin):
    """单位默认（及个人）的短信、邮件设置。"""

    list_display = ["org", "user", "kind", "channel", "enabled"]
    list_filter = ["channel", "kind", "enabled"]
    raw_id_fields = ["org", "user"]


class StatusFilter(admin.SimpleListFilter):
    """Opened from the index, the list is the dead letters: what needs a person."""

    title = _("状态")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(self.ALL, _("全部")), *DeliveryStatus.choices]

    def choices(self, changelist: Any) -> Any:
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or DeliveryStatus.DEAD) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or DeliveryStatus.DEAD
        if value == self.ALL:
            return queryset
        if value not in DeliveryStatus.values:
            return queryset.none()
        return queryset.filter(status=value)


@admin.register(Delivery)
class DeliveryAdmin(AuditedModelAdmin):
    """发送记录 — read only; the dead letters are the default filter's rows."""

    shown = (
        "created_at",
        "channel",
        "kind",
        "address_masked",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "template_error",
        "delivered_at",
    )
    list_display = shown
    list_filter = [StatusFilter, "channel", "kind"]
    fields = shown
    readonly_fields = shown
    actions = ["retry"]
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        return super().get_queryset(request).defer("text", "subject", "address")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("重新发送所选的失败消息"), permissions=["change"])
    def retry(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        ids = list(queryset.filter(status=DeliveryStatus.DEAD).values_list("pk", flat=True))
        done = delivery_retry(actor=cast(User, request.user), delivery_ids=ids)
        if done:
            self.message_user(
                request,
                ngettext("%(n)d 条消息已重新排队发送", "%(n)d 条消息已重新排队发送", done)
                % {"n": done},
                messages.SUCCESS,
            )
        else:
            self.message_user(request, _("所选消息中没有发送失败的"), messages.WARNING)
