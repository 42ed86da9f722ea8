"""Form fields over ``core.validators``: every page that asks for an ID number, a credit code, a
phone number or free text checks it the same way as the API and the XLSX imports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms

from fengqiao.core import validators as v


class CodeField(forms.CharField):
    """A code typed or pasted from anywhere: full-width characters and spaces normalised."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return v.normalize_code(super().to_python(value))


class IdNumberField(CodeField):
    """居民身份证号."""

    default_validators = [v.validate_id_number]


class CreditCodeField(CodeField):
    """统一社会信用代码."""

    default_validators = [v.validate_credit_code]


class IdOrCreditCodeField(CodeField):
    """A party's 身份证号 (person) or 统一社会信用代码 (organisation)."""

    default_validators = [v.validate_id_or_credit_code]


class MobileField(forms.CharField):
    """11-digit mainland mobile number."""

    validator = staticmethod(v.validate_mobile)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def to_python(self, value: Any) -> str:
        return v.normalize_phone(super().to_python(value))

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            self.validator(value)


class PhoneField(MobileField):
    """A mobile or a landline with its area code."""

    validator = staticmethod(v.validate_phone)


class TextField(forms.CharField):
    """One line of text without control characters."""

    default_validators = [v.validate_single_line]


class LongTextField(forms.CharField):
    """Multi-line text without control characters (line breaks and tabs allowed)."""

    default_validators = [v.validate_multiline]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(**kwargs)


class PastDateField(forms.DateField):
    """A date between 1900 and today (birthdays, training days, an appointment)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        v.validate_date_range(value)


class PastDateTimeField(forms.DateTimeField):
    """A time that happened (发生时间, 调解时间, 出具时间): from 1949-10-01 to now, a UTC
    offset PostgreSQL can store (a crafted ISO value may carry one)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        v.validate_datetime(value, what=str(self.label or ""))


class TermDateField(forms.DateField):
    """A day agreed for the future (履行期限): from 1949-10-01 to 20 years ahead."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        v.validate_date_range(value, earliest=v.DISPUTE_EARLIEST, latest=v.latest_term_day())


class TextCheck:
    """No control characters in any text a user typed: one check (``core.validators``) for
    every form of the platform, whatever its fields. Passwords are never stored as text and
    are left to the password rules."""

    if TYPE_CHECKING:  # what the form it is mixed into provides
        fields: dict[str, forms.Field]

        def add_error(self, field: str | None, error: Any) -> None: ...

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}  # type: ignore[misc]
        for name, value in list(cleaned.items()):
            if not isinstance(value, str) or name not in self.fields:
                continue
            widget = self.fields[name].widget
            if isinstance(widget, forms.PasswordInput):
                continue
            try:
                v.validate_no_control_characters(
                    value, multiline=isinstance(widget, forms.Textarea)
                )
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return cleaned


class CheckedForm(TextCheck, forms.Form):
    """A form whose text is checked (``TextCheck``): the base of every form of the platform."""


class CheckedModelForm(TextCheck, forms.ModelForm):
    """The same check for the admin site's forms (``AuditedModelAdmin.form``)."""


class StyledForm(CheckedForm):
    """Bootstrap classes on every widget (``large`` for the mobile report), and the control
    character check of ``CheckedForm``."""

    large = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            widget = f.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select) and not isinstance(
                widget, forms.CheckboxSelectMultiple
            ):
                css = "form-select" + (" form-select-lg" if self.large else "")
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                css = "form-check-input"
            else:
                css = "form-control" + (" form-control-lg" if self.large else "")
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
