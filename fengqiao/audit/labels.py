"""How an event names its object when the object is a case or part of one: by the case number.

A case's own name is its title, and titles name the parties ("张三与李四…纠纷"); a piece of a
case (a party, an evidence file) may carry a name too. The auditor sees the log of every case
but has no right to the parties' names (三员分立, PIPL art. 6), so events name such objects by the
case number, at record time, and the log page relabels events recorded before that.

The case model is named by the ``FENGQIAO_AUDIT_CASE_MODEL`` setting (as ``AUTH_USER_MODEL``
names the user model), so this lower layer does not import the app above it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.db import models

from fengqiao.audit.models import AuditEvent


def _case_label() -> str:
    return str(getattr(settings, "FENGQIAO_AUDIT_CASE_MODEL", "")).lower()


def case_number_path(model: type[models.Model]) -> str | None:
    """The lookup from ``model`` to its case's number, or None for a model outside any case."""
    return _case_number_path(model, _case_label())


@lru_cache(maxsize=512)
def _case_number_path(model: type[models.Model], label: str) -> str | None:
    if not label:
        return None
    if model._meta.label_lower == label:
        return "number"
    for field in model._meta.concrete_fields:
        related = field.related_model
        if (
            field.name == "case"
            and isinstance(related, type)
            and related._meta.label_lower == label
        ):
            return "case__number"
    return None


def object_label(obj: models.Model) -> str | None:
    """What an event about ``obj`` calls it when ``obj`` is (part of) a case, else None."""
    # obj._meta.model, not type(obj): obj may be a lazy proxy (request.user at logout)
    path = case_number_path(obj._meta.model)
    if path is None:
        return None
    if path == "number":
        return str(obj.number)  # type: ignore[attr-defined]
    return f"{obj.case.number} {obj._meta.verbose_name}"  # type: ignore[attr-defined]


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def case_object_types() -> list[str]:
    """Every model label whose events are named by a case number."""
    return [m._meta.label_lower for m in apps.get_models() if case_number_path(m) is not None]


def event_object_labels(events: Iterable[AuditEvent]) -> dict[int, str]:
    """The object column of ``events`` for the log page: the case number for (parts of) cases,
    whatever was recorded (one query per kind of object), the recorded name for the rest."""
    events = list(events)
    by_type: dict[str, set[str]] = defaultdict(set)
    for event in events:
        by_type[event.object_type].add(event.object_id)
    numbers: dict[tuple[str, str], str] = {}
    for object_type, ids in by_type.items():
        model = _model(object_type) if object_type else None
        path = case_number_path(model) if model is not None else None
        if model is None or path is None:
            continue
        pks = [i for i in ids if i.isdigit()]
        for pk, number in model._default_manager.filter(pk__in=pks).values_list("pk", path):
            numbers[(object_type, str(pk))] = str(number)
    labels: dict[int, str] = {}
    for event in events:
        model = _model(event.object_type) if event.object_type else None
        path = case_number_path(model) if model is not None else None
        if model is None or path is None:
            labels[event.pk] = event.object_repr
            continue
        number = numbers.get((event.object_type, event.object_id))
        if number is None:  # the object is gone: its recorded name may hold a party's name
            number = event.object_repr.split(" ", 1)[0] if path == "number" else "—"
        kind = "" if path == "number" else f" {model._meta.verbose_name}"
        labels[event.pk] = f"{number}{kind}"
    return labels


def case_events_for_number(number: str) -> models.Q:
    """Events about a case, or a part of one, whose case number is ``number`` exactly."""
    query = models.Q(pk__in=[])
    for object_type in case_object_types():
        model = _model(object_type)
        path = case_number_path(model) if model is not None else None
        if model is None or path is None:
            continue
        pks = model._default_manager.filter(**{path: number}).values_list("pk", flat=True)
        query |= models.Q(object_type=object_type, object_id__in=[str(pk) for pk in pks])
    return query
