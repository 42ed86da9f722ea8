from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fengqiao.accounts.models import Role, User
from fengqiao.core.formfields import CheckedForm, MobileField


class LoginForm(CheckedForm):
    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    otp = forms.CharField(
        label=_("动态口令"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordChangeForm(CheckedForm):
    old_password = forms.CharField(label=_("原密码"), strip=False, widget=forms.PasswordInput)
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=" ".join(password_validators_help_texts()),
    )
    new_password2 = forms.CharField(label=_("确认新密码"), strip=False, widget=forms.PasswordInput)

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        value: str = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError(_("原密码不正确。"))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        if p1 and data.get("old_password") == p1:
            self.add_error("new_password1", _("新密码不能与原密码相同。"))
        return data


class UserCreateForm(CheckedForm):
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[A-Za-z0-9_.@-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 _ . @ -")},
    )
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = MobileField(label=_("手机号"), required=False)
    password = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput,
        help_text=_("用户首次登录时必须修改。"),
    )

    def clean_username(self) -> str:
        value: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=value).exists():
            raise forms.ValidationError(_("该用户名已被使用。"))
        return value


class UserEditForm(CheckedForm):
    real_name = forms.CharField(label=_("姓名"), max_length=50)
    phone = MobileField(label=_("手机号"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class PasswordResetWithCodeForm(CheckedForm):
    """The user's page: both halves of the reset code and a new password."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    first_half = forms.CharField(
        label=_("重置码第一段"),
        max_length=20,
        help_text=_("由系统管理员告知。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    second_half = forms.CharField(
        label=_("重置码第二段"),
        max_length=20,
        help_text=_("由安全管理员告知。"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    new_password1 = forms.CharField(
        label=_("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
    new_password2 = forms.CharField(
        label=_("确认新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class RoleGrantForm(CheckedForm):
    role = forms.ModelChoiceField(label=_("角色"), queryset=Role.objects.all())

    def __init__(self, *args: Any, orgs: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The orgs come from the page (accounts.hooks.grant_orgs): orgs sits above accounts.
        self.fields["org"] = forms.ModelChoiceField(
            label=_("所在单位"), queryset=orgs, required=False
        )


class TotpConfirmForm(CheckedForm):
    code = forms.RegexField(
        label=_("动态口令"),
        regex=r"^\d{6}$",
        error_messages={"invalid": _("请输入6位数字动态口令")},
    )
