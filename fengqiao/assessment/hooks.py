"""What the assessment tells the apps above it (``reports`` prints its rankings and may not be
imported here, docs/architecture.md): ``ranking_published(publication, actor)`` is called by
``services.ranking_publish`` inside its transaction, after a ranking is published or
republished, so whatever printed the ranking of that period can follow it in the same
transaction (the reports app queues its 季通报, 年考核 and annual survey again).

Each listener returns the sentences the publisher is shown (what followed the publication);
a listener that raises rolls the publication back, so nothing that follows can fail
silently. With no listener (the reports app not installed) nothing follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_published_listeners: list[Callable[[Any, Any], list[str]]] = []


def register_published_listener(listener: Callable[[Any, Any], list[str]]) -> None:
    if listener not in _published_listeners:
        _published_listeners.append(listener)


def ranking_published(publication: Any, actor: Any) -> list[str]:
    """Tell every listener that ``publication`` became the current ranking of its period;
    the sentences they return, in order."""
    said: list[str] = []
    for listener in _published_listeners:
        said += listener(publication, actor)
    return said
