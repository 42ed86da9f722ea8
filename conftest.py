"""Tests marked ``reliability`` (reliability/: servers killed and restarted, minutes each) run
only when FENGQIAO_RELIABILITY=1 (``make reliability-faults``); any other run, whatever its
``-m`` expression, skips them."""

from __future__ import annotations

import os

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("FENGQIAO_RELIABILITY") == "1":
        return
    skip = pytest.mark.skip(reason="reliability test: run with FENGQIAO_RELIABILITY=1")
    for item in items:
        if item.get_closest_marker("reliability") is not None:
            item.add_marker(skip)
