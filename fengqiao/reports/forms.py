"""The on-demand form of 报表中心: a kind, a region, and the period — for the scheduled kinds
any day of the week, month, quarter or year wanted; for a 专题 the first and last day."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from fengqiao.core.formfields import PastDateField, StyledForm
from fengqiao.core.validators import DISPUTE_EARLIEST
from fengqiao.regions.models import Region
from fengqiao.reports import schedule
from fengqiao.reports.choices import ReportKind


class RegionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class RequestForm(StyledForm):
    kind = forms.ChoiceField(label=_("报表类型"), choices=ReportKind.choices)
    region = RegionField(label=_("区域"), queryset=Region.objects.none(), empty_label=None)
    day = PastDateField(
        label=_("所在时段的任一日期"),
        required=False,
        help_text=_("周分析、月研判、季通报、年考核和年度报告：生成该日所在的周、月、季度或年。"),
    )
    start = PastDateField(label=_("起始日期（专题）"), required=False)
    end = PastDateField(label=_("截止日期（专题）"), required=False)

    def __init__(self, *args: Any, regions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(RegionField, self.fields["region"]).queryset = regions

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        for name in ("day", "start", "end"):
            value = cleaned.get(name)
            if value is not None and value < DISPUTE_EARLIEST:
                self.add_error(name, _("日期不能早于%(d)s。") % {"d": DISPUTE_EARLIEST})
        if kind == ReportKind.CUSTOM:
            if cleaned.get("start") is None:
                self.add_error("start", _("专题分析请填写起始日期。"))
            if cleaned.get("end") is None:
                self.add_error("end", _("专题分析请填写截止日期。"))
        elif cleaned.get("day") is None:
            self.add_error("day", _("请选择所在时段的任一日期。"))
        return cleaned

    def period(self) -> tuple[date, date]:
        """The first and last day asked for (after ``is_valid``)."""
        kind = self.cleaned_data["kind"]
        if kind == ReportKind.CUSTOM:
            return self.cleaned_data["start"], self.cleaned_data["end"]
        found = schedule.period_for(kind, self.cleaned_data["day"])
        return found.start, found.end
