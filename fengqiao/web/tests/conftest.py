"""The browser tests' settings: Debian's chromium driven by Playwright (no browser is ever
downloaded). The ``browser`` and ``page`` fixtures are in ``fengqiao/conftest.py``, so that every
app's browser tests share the one session browser (a second ``sync_playwright`` in the same
session fails: its event loop would run inside the first's)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("FENGQIAO_CHROMIUM") or shutil.which("chromium") or ""
    if not path:
        pytest.fail("chromium not found: install Debian's chromium (make setup does as root)")
    return path
