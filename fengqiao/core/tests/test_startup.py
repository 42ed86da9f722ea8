"""The web process's start: every view imported, then the startup objects frozen out of the
garbage collector's full collections (fengqiao/core/startup.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import gc, sys; import fengqiao.{entry} as entry; "
    "print(gc.get_freeze_count(), 'fengqiao.api.api' in sys.modules, entry.application)"
)


def _start(entry: str) -> list[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
    out = subprocess.run(  # noqa: S603  (our own interpreter and module)
        [sys.executable, "-c", PROBE.format(entry=entry)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return out.stdout.split()


def test_the_asgi_process_starts_with_its_views_loaded_and_frozen() -> None:
    frozen, views_loaded, *_app = _start("asgi")
    assert int(frozen) > 10_000
    assert views_loaded == "True"


def test_the_wsgi_process_starts_the_same_way() -> None:
    frozen, views_loaded, *_app = _start("wsgi")
    assert int(frozen) > 10_000
    assert views_loaded == "True"
