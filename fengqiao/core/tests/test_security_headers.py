"""Security headers (issue "Hostile input and operations", item 6): every response carries the
Content-Security-Policy, and the production settings pass ``manage.py check --deploy`` with no
warning (HSTS and the HTTPS redirect included)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/healthz", "/no-such-page/", "/api/v1/cases"]
)
def test_every_response_has_the_content_security_policy(path: str) -> None:
    response = Client().get(path)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def _deploy_check(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FENGQIAO_HTTPS_ONLY")}
    env.update(
        DJANGO_SETTINGS_MODULE="fengqiao.settings.production",
        SECRET_KEY="x" * 20 + "production-check-only-0123456789-abcdefghij",
        FENGQIAO_DATA_KEY="00112233445566778899aabbccddeeff",
        DATABASE_URL="sqlite:///:memory:",
        **extra,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_the_deploy_check() -> None:
    result = _deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_serving_plain_http_is_flagged_by_the_deploy_check() -> None:
    result = _deploy_check(FENGQIAO_HTTPS_ONLY="0")
    assert result.returncode != 0
    assert "W004" in result.stderr + result.stdout
