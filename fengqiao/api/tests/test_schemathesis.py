"""The API against its own OpenAPI schema, with schemathesis (issue "Hostile input and
operations", item 12): every operation, called with generated data — valid and invalid — with a
key of each kind of account the county has (dispatcher, village mediator, court, a key without
the write scope), must never answer a server error and must answer what the schema says (status,
content type, body shape). CI runs a short version (``FENGQIAO_FUZZ_EXAMPLES``, default 15 per
operation and key); ``make reliability`` runs it with 300.

Checked on every response: no 5xx, a status code and content type the schema lists, a body and
headers that match it, invalid data refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from fengqiao.accounts.models import RoleGrant, User
from fengqiao.api.choices import ApiScope
from fengqiao.api.services import api_key_create

pytestmark = pytest.mark.usefixtures("demo_county", "db")

EXAMPLES = int(os.environ.get("FENGQIAO_FUZZ_EXAMPLES", "15"))
# (demo account, scopes of its key)
KEYS = [
    ("dispatcher", ApiScope.values),
    ("mediator", ApiScope.values),
    ("clerk", ApiScope.values),
    ("dispatcher", [ApiScope.CASES_READ]),
]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _token(username: str, scopes: list[str]) -> str:
    user = User.objects.get(username=username)
    grant = RoleGrant.objects.filter(user=user, org__isnull=False).select_related("org").first()
    assert grant is not None
    _key, token = api_key_create(
        actor=None,
        name=f"fuzz-{username}",
        org=grant.org,
        user=user,
        scopes=scopes,
        rate_per_minute=100_000,  # the fuzzing is not about the per-key limit
    )
    return token


@pytest.fixture(autouse=True)
def _one_connection() -> Iterator[None]:
    """Schemathesis calls the WSGI application directly; like Django's test client, keep the
    request signals from closing the test's connection (and its transaction) after each call."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def tokens(demo_county: None, django_db_blocker: Any) -> list[str]:
    with django_db_blocker.unblock():
        return [_token(username, list(scopes)) for username, scopes in KEYS]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_keeps_to_its_schema(case: Any, tokens: list[str]) -> None:
    for token in tokens:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"},
            # Data the schema allows may still be refused by a rule no JSON schema states (the
            # place must be in the key's area, an ID number's check character): 422 is right.
            excluded_checks=[checks.positive_data_acceptance],
        )


def test_register_then_read_back_keeps_to_the_schema(tokens: list[str]) -> None:
    """Stateful: sequences of calls that follow the schema's links (a registration, then the
    case read back by the number it returned), for the dispatcher's key."""
    token = tokens[0]

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            # The key is ours, not generated: refusing a wrong one is test_auth.py's.
            case.validate_response(
                response, excluded_checks=[checks.positive_data_acceptance, checks.ignored_auth]
            )

    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=4,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
    )
