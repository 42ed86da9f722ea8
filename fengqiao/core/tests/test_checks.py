"""Each permission is named once per app; a name that matches no model permission fails
``manage.py check`` instead of denying everyone silently."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from fengqiao.accounts import roles
from fengqiao.disputes import permissions as case_permissions


def test_every_declared_permission_constant_is_a_real_permission() -> None:
    call_command("check", fail_level="ERROR")


def test_a_misspelt_permission_constant_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_permissions, "VIEW_CASE", "disputes.view_cases")
    with pytest.raises(SystemCheckError, match=re.escape("VIEW_CASE = 'disputes.view_cases'")):
        call_command("check", fail_level="ERROR")


def test_a_misspelt_permission_of_a_builtin_role_fails_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    leader = {**roles.BUILTIN_ROLES["leader"], "perms": ["orgs.view_report"]}
    monkeypatch.setitem(roles.BUILTIN_ROLES, "leader", leader)
    with pytest.raises(SystemCheckError, match=re.escape("'orgs.view_report'")):
        call_command("check", fail_level="ERROR")
