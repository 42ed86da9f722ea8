"""Reads of the ledgers: a user's own exports (我的导出)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from fengqiao.ledgers.choices import ExportStatus
from fengqiao.ledgers.models import LedgerExport

RECENT = 30


def exports_for_user(user: Any) -> QuerySet[LedgerExport]:
    """A user's exports, newest first: an export is its exporter's alone."""
    if user is None or not getattr(user, "is_authenticated", False):
        return LedgerExport.objects.none()
    return LedgerExport.objects.filter(user=user).order_by("-created_at", "-pk")


def recent_exports(user: Any) -> list[LedgerExport]:
    return list(exports_for_user(user)[:RECENT])


def exports_of_user_by_id(user: Any, ids: list[int]) -> list[LedgerExport]:
    """Some of ``user``'s own exports (我的导出 asks after the ones it shows as pending); the
    ids of others' exports find nothing."""
    return list(exports_for_user(user).filter(pk__in=ids[:RECENT]))


def export_get_for_user(user: Any, pk: int) -> LedgerExport:
    """A finished export of ``user`` (404 otherwise: another's export is not said to exist)."""
    export = exports_for_user(user).filter(pk=pk, status=ExportStatus.DONE).first()
    if export is None:
        raise Http404
    return export
