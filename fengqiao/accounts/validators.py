from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import (
    MinimumLengthValidator as BaseMinimumLengthValidator,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ComplexityValidator:
    """密码须同时包含大写字母、小写字母、数字和特殊字符中的至少三类."""

    def validate(self, password: str, user: Any = None) -> None:
        classes = sum(
            [
                any(c.isupper() for c in password),
                any(c.islower() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < 3:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。"),
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类。")


class MinimumLengthValidator(BaseMinimumLengthValidator):
    """Django's length rule with a Chinese message: Django 5.2 changed the English msgid
    (``%d`` instead of ``%(min_length)d``) and its zh_Hans catalog still has the old one, so the
    stock validator answers in English."""

    def get_error_message(self) -> str:
        return _("密码长度不能少于%(n)d个字符。") % {"n": self.min_length}

    def get_help_text(self) -> str:
        return self.get_error_message()
