from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fengqiao.audit.admin import AuditedModelAdmin
from fengqiao.core.formfields import CheckedForm
from fengqiao.core.uploads import UploadRefused, read_text
from fengqiao.disputes.holidays import (
    HOLIDAY_FILE_MAX_BYTES,
    HolidayScheduleError,
    calendar_days_changed,
    holiday_schedule_import,
    parse_schedule,
)
from fengqiao.disputes.models import (
    CalendarOverride,
    DeadlineLimit,
    HolidaySchedule,
    SubjectRule,
    TerritoryRule,
)
from fengqiao.disputes.permissions import CHANGE_CALENDAROVERRIDE

# Whoever may set a day of the calendar by hand may import a year's notice.
CALENDAR_PERM = CHANGE_CALENDAROVERRIDE


@admin.register(TerritoryRule)
class TerritoryRuleAdmin(AuditedModelAdmin):
    """属地规则: risk grade → the lowest level allowed to handle it."""

    list_display = ["grade", "min_level", "note"]
    list_editable = ["min_level", "note"]


@admin.register(SubjectRule)
class SubjectRuleAdmin(AuditedModelAdmin):
    """属事规则: category → the org kinds that handle it."""

    list_display = ["category", "kind", "requires_declared", "weight", "is_active"]
    list_editable = ["requires_declared", "weight", "is_active"]
    list_filter = ["category", "kind", "is_active"]
    list_select_related = ["kind"]


@admin.register(DeadlineLimit)
class DeadlineLimitAdmin(AuditedModelAdmin):
    """时限标准: working days to accept a dispatched case and to report its result, per handling
    level and risk grade; a level and grade without a row uses the default in deadlines.py."""

    list_display = ["kind", "level", "grade", "working_days", "note"]
    list_editable = ["working_days", "note"]
    list_filter = ["kind", "level", "grade"]


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(AuditedModelAdmin):
    """节假日调整: a day's working status for years the calendar package does not know yet, or a
    local holiday; the deadline engine reads it before the package."""

    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"

    # A day changed here moves the open deadlines over it (holidays.calendar_days_changed).
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            old = CalendarOverride.objects.filter(pk=obj.pk).values_list("day", flat=True).first()
            super().save_model(request, obj, form, change)
            _day_changed([obj.day, *([old] if old else [])])

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            super().delete_model(request, obj)
            _day_changed([obj.day])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            days = list(queryset.values_list("day", flat=True))
            super().delete_queryset(request, queryset)
            _day_changed(days)


def _day_changed(days: list[Any]) -> None:
    calendar_days_changed(days=days, reason=_("节假日调整"))


class HolidayImportForm(CheckedForm):
    file = forms.FileField(label=gettext_lazy("JSON 文件"), required=False)
    text = forms.CharField(
        label=gettext_lazy("或粘贴 JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 90}),
    )
    allow_example = forms.BooleanField(
        label=gettext_lazy("这是示例文件，仍然导入（仅用于演示和测试）"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            try:
                data["payload"] = read_text(upload, HOLIDAY_FILE_MAX_BYTES, _("节假日安排文件"))
            except UploadRefused as exc:
                raise forms.ValidationError(str(exc)) from exc
        elif (data.get("text") or "").strip():
            data["payload"] = data["text"]
        else:
            raise forms.ValidationError(_("请选择 JSON 文件或粘贴其内容。"))
        try:
            data["schedule"] = parse_schedule(data["payload"])
        except HolidayScheduleError as exc:
            raise forms.ValidationError(exc.errors) from exc
        return data


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(AuditedModelAdmin):
    """节假日安排: one year's State Council notice, imported from JSON (here or with
    ``manage.py import_holidays``) and never edited field by field: a correction is a new
    import of the year, validated and audited like the first (``holiday_schedule_import``)."""

    change_list_template = "admin/disputes/holidayschedule/change_list.html"
    list_display = ["year", "notice", "imported_at", "imported_by"]
    readonly_fields = ["year", "notice", "holidays", "workdays", "imported_at", "imported_by"]

    def _may(self, request: HttpRequest) -> bool:
        return bool(request.user.has_perm(CALENDAR_PERM))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [
            path("import/", view, name="disputes_holidayschedule_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self._may(request):
            raise PermissionDenied
        form = HolidayImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                result = holiday_schedule_import(
                    actor=request.user,
                    data=form.cleaned_data["schedule"],
                    source=upload.name if upload is not None else "admin",
                    allow_example=form.cleaned_data["allow_example"],
                )
            except HolidayScheduleError as exc:
                form.add_error(None, exc.errors)
            else:
                data = form.cleaned_data["schedule"]
                messages.success(
                    request,
                    _("已导入 %(year)d 年节假日安排（%(notice)s），工作日状态变化 %(n)d 天。")
                    % {"year": data.year, "notice": data.notice, "n": len(result.changed_days)},
                )
                return HttpResponseRedirect(reverse("admin:disputes_holidayschedule_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("导入节假日安排"),
            "form": form,
        }
        return TemplateResponse(request, "admin/disputes/holidayschedule/import.html", context)
