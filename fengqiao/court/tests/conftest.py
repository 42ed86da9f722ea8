"""The browser fixtures (Debian's chromium through Playwright) for the court's browser tests."""

from fengqiao.web.tests.conftest import browser, page  # noqa: F401 (fixtures)
