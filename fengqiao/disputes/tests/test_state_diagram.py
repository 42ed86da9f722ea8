"""docs/case-states.md is generated from the workflow table and cannot drift from it."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from fengqiao.disputes.choices import CaseAction, CaseStatus
from fengqiao.disputes.workflow import TRANSITIONS, mermaid

DOC = Path(settings.BASE_DIR) / "docs" / "case-states.md"


def _generated() -> str:
    out = StringIO()
    call_command("case_state_diagram", stdout=out)
    return out.getvalue()


def test_committed_state_document_equals_the_generated_one() -> None:
    assert DOC.read_text(encoding="utf-8") == _generated(), (
        "docs/case-states.md is out of date: run "
        "`python manage.py case_state_diagram > docs/case-states.md`"
    )


def test_diagram_has_one_edge_per_transition_and_every_state() -> None:
    diagram = mermaid()
    edges = [line for line in diagram.splitlines() if "-->" in line and "[*]" not in line]
    assert len(edges) == len(TRANSITIONS)
    for (state, action), target in TRANSITIONS.items():
        assert f"    {state} --> {target}: {CaseAction(action).label}" in edges
    for status in CaseStatus:
        assert f'state "{status.label}" as {status.value}' in diagram
    assert _generated().count("```mermaid") == 1
