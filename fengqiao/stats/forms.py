"""统计期间的选择: the dashboard's period picker."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.core.formfields import StyledForm
from fengqiao.stats.periods import MAX_DAY, MIN_DAY, Period

KINDS = [
    ("week", gettext_lazy("周")),
    ("month", gettext_lazy("月")),
    ("quarter", gettext_lazy("季度")),
    ("year", gettext_lazy("年")),
    ("custom", gettext_lazy("自定义")),
]
# A custom range longer than this is a mistake, not a question (and would read years of daily
# rows for its ends).
MAX_CUSTOM_DAYS = 3 * 366


def _in_range(value: date | None) -> None:
    if value is not None and not MIN_DAY <= value <= MAX_DAY:
        raise ValidationError(
            _("日期须在 %(a)s 至 %(b)s 之间。")
            % {"a": MIN_DAY.isoformat(), "b": MAX_DAY.isoformat()}
        )


class PeriodForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("期间"), choices=KINDS, required=False)
    day = forms.DateField(
        label=gettext_lazy("日期"),
        required=False,
        validators=[_in_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    start = forms.DateField(
        label=gettext_lazy("起"),
        required=False,
        validators=[_in_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=gettext_lazy("止"),
        required=False,
        validators=[_in_range],
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        # An empty form shows the period it stands for (this month), not the first choice.
        self.fields["kind"].initial = "month"
        self.fields["day"].initial = today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                raise ValidationError(_("自定义期间须填写起止日期。"))
            if end < start:
                raise ValidationError(_("止日不能早于起日。"))
            if (end - start).days + 1 > MAX_CUSTOM_DAYS:
                raise ValidationError(_("自定义期间最长三年，请分段查看。"))
        return data

    def period(self) -> Period:
        """The period asked for; this month when the form is empty or invalid."""
        if not self.is_valid():
            return Period.month(self.today)
        data = self.cleaned_data
        kind = data.get("kind") or "month"
        if kind == "custom":
            return Period(data["start"], data["end"])
        return Period.of(kind, data.get("day") or self.today)


def step_for(period: Period) -> str:
    """The trend's step: days for a month or less, weeks up to a quarter, else months."""
    if period.days <= 31:
        return "day"
    if period.days <= 92:
        return "week"
    return "month"


def neighbours(period: Period) -> tuple[Period, Period | None]:
    """The period before and the one after (None after the current one)."""
    before = period.previous()
    if period.kind == "custom":
        after = Period(period.end + timedelta(days=1), period.end + timedelta(days=period.days))
    else:
        after = Period.of(period.kind, period.end + timedelta(days=1))
    return before, after
