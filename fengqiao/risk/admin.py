"""The rules, lexicon and sensitive periods an administrator edits; every save is audited
(``AuditedModelAdmin``) and the next grading uses it (``engine.current_ruleset``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from fengqiao.audit.admin import AuditedModelAdmin
from fengqiao.audit.services import reference_delete, reference_save
from fengqiao.risk.models import (
    LexiconTerm,
    RiskAssessment,
    RiskRule,
    SensitivePeriod,
    WarningLimit,
)


class LexiconTermInline(admin.TabularInline):
    model = LexiconTerm
    extra = 3
    fields = ["phrase"]


@admin.register(RiskRule)
class RiskRuleAdmin(AuditedModelAdmin):
    """风险研判规则: what each looks at, the grade it gives at least, and its 显示理由."""

    list_display = ["reason", "kind", "grade", "threshold", "category", "flag", "is_active"]
    list_editable = ["grade", "threshold", "is_active"]
    list_filter = ["kind", "grade", "is_active"]
    search_fields = ["reason", "code", "terms__phrase"]
    inlines = [LexiconTermInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Each phrase added, changed or deleted inline is audited like the rule itself.
        for obj in formset.save(commit=False):
            reference_save(actor=request.user, obj=obj, adding=obj.pk is None)
        for obj in formset.deleted_objects:
            reference_delete(actor=request.user, obj=obj)


@admin.register(SensitivePeriod)
class SensitivePeriodAdmin(AuditedModelAdmin):
    """敏感时期: dates during which a case with any risk is graded one level higher."""

    list_display = ["name", "starts_on", "ends_on", "note"]
    date_hierarchy = "starts_on"


@admin.register(WarningLimit)
class WarningLimitAdmin(AuditedModelAdmin):
    """预警签收时限: per grade that warns, the minutes to acknowledge and the measures."""

    list_display = ["grade", "ack_minutes"]
    list_editable = ["ack_minutes"]


@admin.register(RiskAssessment)
class RiskAssessmentAdmin(AuditedModelAdmin):
    """Read only: assessments are written by grading and 研判, never by hand here."""

    list_display = ["case", "computed_grade", "override_grade", "assessed_at"]
    list_filter = ["computed_grade", "override_grade"]
    raw_id_fields = ["case", "override_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
