"""办理记录的动作: the codes a timeline entry may carry and the one place their words come from.

``TimelineAction`` holds this app's. An app above (mediation) records entries of its own, but
disputes may not import it: that app adds its ``TextChoices`` with ``register_actions`` from its
``AppConfig.ready``. ``TimelineEvent.action`` takes its choices from here, so the admin, forms and
``get_action_display`` agree with ``action_label`` used by the pages and the API."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from fengqiao.disputes.choices import TimelineAction

_registered: list[type[models.TextChoices]] = [TimelineAction]
_labels: dict[str, str] = {}


def register_actions(choices: type[models.TextChoices]) -> None:
    """Add an app's timeline actions. A code already taken by another app is refused: the
    timeline could no longer say whose entry it is."""
    if choices in _registered:
        return
    taken = set(action_codes()) & set(choices.values)
    if taken:
        raise ImproperlyConfigured(f"{choices.__name__}: timeline actions already taken: {taken}")
    _registered.append(choices)
    _labels.clear()


def action_codes() -> list[str]:
    return [code for choices in _registered for code in choices.values]


def action_choices() -> list[tuple[str, str]]:
    """``(code, label)`` of every registered action — the choices of ``TimelineEvent.action``."""
    return [pair for choices in _registered for pair in choices.choices]


def _known() -> dict[str, str]:
    if not _labels:
        # Lazy labels: kept untranslated here, translated by each ``action_label``.
        _labels.update(action_choices())
    return _labels


def is_action(code: str) -> bool:
    return code in _known()


def action_label(code: str) -> str:
    """The words for a timeline action in the active language (the code if none is known)."""
    return str(_known().get(code, code))
