"""Reference data lives in the migrations, frozen; the test flush puts it back (conftest)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fengqiao.disputes.models import DeadlineLimit, SubjectRule, TerritoryRule
from fengqiao.orgs.models import OrgKind

ROOT = Path(__file__).resolve().parents[2]


def test_no_migration_imports_the_live_code_inside_its_functions() -> None:
    """A data migration that calls today's code changes what an old migration does."""
    offenders = []
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        offenders.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert offenders == []


def _counts() -> tuple[int, int, int, int]:
    return (
        OrgKind.objects.count(),
        TerritoryRule.objects.count(),
        SubjectRule.objects.count(),
        DeadlineLimit.objects.count(),
    )


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_migration_data() -> None:
    assert _counts() == (22, 4, 23, 36)
    OrgKind.objects.filter(code="department").delete()  # the flush after this test empties all


def test_the_next_test_sees_the_migration_data_again(db: None) -> None:
    assert _counts() == (22, 4, 23, 36)
    assert TerritoryRule.objects.get(grade="major").min_level == 3
    assert DeadlineLimit.objects.get(kind="feedback", level=4, grade="low").working_days == 20
    rule = SubjectRule.objects.get(category="marriage_family", kind__code="committee_village")
    assert (rule.requires_declared, rule.weight) == (False, 20)
    assert OrgKind.objects.get(code="committee_industry").min_full_time_mediators == 3
