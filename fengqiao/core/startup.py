"""What a web process does once, after Django is set up and before it serves."""

from __future__ import annotations

import gc


def freeze_startup_objects() -> None:
    """Import every view (through the URLconf), then move everything alive into the
    collector's permanent generation (``gc.freeze``).

    A full collection otherwise walks every module, model, form and URL pattern each time it
    runs: on the benchmark's village-mediator worklist that is one request in twelve taking
    55 ms instead of 25 (docs/performance.md). Frozen objects are never collected, which for
    import-time objects is what happens anyway.
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (the import of every view is the point)
    gc.freeze()
