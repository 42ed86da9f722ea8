"""The forms of the assessment pages: one indicator of the scheme, a 人工评分, a publication."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from fengqiao.assessment.choices import Direction, Level, Rule
from fengqiao.assessment.models import MEASURE_CHOICES
from fengqiao.assessment.services import IndicatorData
from fengqiao.core.formfields import StyledForm, TextField


class IndicatorForm(StyledForm):
    level = forms.ChoiceField(label=gettext_lazy("考核对象"), choices=Level.choices)
    position = forms.IntegerField(label=gettext_lazy("序号"), min_value=1, max_value=99)
    name = TextField(label=gettext_lazy("指标名称"), max_length=60)
    basis = TextField(label=gettext_lazy("依据"), max_length=200, required=False)
    measure = forms.ChoiceField(
        label=gettext_lazy("统计指标"),
        choices=[("", gettext_lazy("—（人工评分无需选择）")), *MEASURE_CHOICES],
        required=False,
    )
    weight = forms.DecimalField(
        label=gettext_lazy("分值"), min_value=0.01, max_value=100, decimal_places=2
    )
    direction = forms.ChoiceField(label=gettext_lazy("方向"), choices=Direction.choices)
    rule = forms.ChoiceField(label=gettext_lazy("计分规则"), choices=Rule.choices)
    floor = forms.DecimalField(
        label=gettext_lazy("零分值"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text=gettext_lazy("线性计分：得0分的实际值"),
    )
    target = forms.DecimalField(
        label=gettext_lazy("满分值"),
        required=False,
        max_digits=12,
        decimal_places=2,
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text=gettext_lazy("线性计分：得满分的实际值"),
    )

    def data_for_service(self) -> IndicatorData:
        c: dict[str, Any] = self.cleaned_data
        return IndicatorData(
            level=c["level"],
            position=c["position"],
            name=c["name"],
            basis=c.get("basis") or "",
            measure=c.get("measure") or "",
            weight=c["weight"],
            direction=c["direction"],
            rule=c["rule"],
            floor=c.get("floor"),
            target=c.get("target"),
        )


class RepublishForm(StyledForm):
    reason = TextField(label=gettext_lazy("重新发布原因"), max_length=200)
    version = forms.IntegerField(min_value=1, max_value=32767, widget=forms.HiddenInput)


class ManualScoreForm(StyledForm):
    """One region's 人工评分; the service bounds the score by the indicator's weight."""

    region = forms.TypedChoiceField(label=gettext_lazy("地区"), coerce=int)
    score = forms.DecimalField(label=gettext_lazy("得分"), max_digits=7)
    note = TextField(
        label=gettext_lazy("评分依据"),
        max_length=200,
        help_text=gettext_lazy("如文书名称、采纳或批示情况"),
    )

    def __init__(self, *args: Any, regions: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions  # type: ignore[attr-defined]


class ManualClearForm(StyledForm):
    """清除评分 of one region; the service decides whether it may be cleared."""

    region = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = TextField(label=gettext_lazy("清除理由"), max_length=200)
