"""What every ModelAdmin of the project inherits: its writes go through the reference-data
services, so each add, change and delete in the admin is an audit event with before/after."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from fengqiao.audit.services import reference_delete, reference_save
from fengqiao.core.formfields import CheckedModelForm


class AuditedModelAdmin(admin.ModelAdmin):
    # Text typed in the admin is checked like every other form's (no control characters).
    form = CheckedModelForm

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        reference_save(actor=request.user, obj=obj, adding=not change)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        reference_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # The bulk "delete selected" action: one event per row, all or none.
        with transaction.atomic():
            for obj in queryset:
                reference_delete(actor=request.user, obj=obj)
