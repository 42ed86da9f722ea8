"""The browser fixtures of the web tests (Debian's chromium via Playwright), for the demo's."""

from __future__ import annotations

from fengqiao.web.tests.conftest import browser, page

__all__ = ["browser", "page"]
