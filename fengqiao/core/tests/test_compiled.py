"""CompiledQuery: a queryset compiled once reads what the ORM reads, for any values, on SQLite
and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fengqiao.api.models import ApiKey
from fengqiao.api.services import api_key_create
from fengqiao.core.compiled import CompiledQuery
from fengqiao.regions.models import Region

KEY_BY_PREFIX: CompiledQuery[ApiKey] = CompiledQuery(
    lambda prefix: (
        ApiKey.objects.select_related("user", "org__kind", "org__region")
        .filter(prefix=prefix)
        .order_by("pk")[:1]
    ),
    str,
)
CODES_OF: CompiledQuery[Region] = CompiledQuery(
    lambda codes: (
        Region.objects.filter(code__in=codes).order_by("code").values_list("code", "name")
    ),
    list,
)


def test_reads_the_objects_the_orm_reads(cast: Any, world: Any) -> None:
    # Given two keys of the same user
    keys = [
        api_key_create(
            actor=None,
            name=name,
            org=world.town_a_platform,
            user=cast.dispatcher,
            scopes=["cases:read", "cases:write"],
        )[0]
        for name in ("热线", "法院")
    ]
    for key in keys:
        # When each is read by its prefix through the compiled query
        found = KEY_BY_PREFIX.first(key.prefix)
        # Then it is the ORM's row, its JSON and times converted, its relations loaded
        expected = ApiKey.objects.get(pk=key.pk)
        assert found == expected
        assert found is not None
        assert found.scopes == ["cases:read", "cases:write"]
        assert found.created_at == expected.created_at
        assert found.created_at.tzinfo is not None
        with CaptureQueriesContext(connection) as reads:
            assert found.user.username == cast.dispatcher.username
            assert found.org.kind.code == world.town_a_platform.kind.code
            assert found.org.region.path == world.town_a_platform.region.path
        assert reads.captured_queries == []
    assert KEY_BY_PREFIX.first("nosuchky") is None


def test_a_list_argument_takes_any_length(world: Any) -> None:
    east, west = world.village_east, world.village_west
    assert CODES_OF.rows([east.code]) == [(east.code, east.name)]
    assert CODES_OF.rows([west.code, east.code]) == sorted(
        [(east.code, east.name), (west.code, west.name)]
    )
    assert CODES_OF.rows([east.code, east.code, "000"]) == [(east.code, east.name)]


def test_an_argument_the_orm_transforms_is_refused(world: Any) -> None:
    # A prefix match passes "<value>%", not the value: substituting it would match exactly
    by_prefix: CompiledQuery[Region] = CompiledQuery(
        lambda path: Region.objects.filter(path__startswith=path), str
    )
    with pytest.raises(ValueError, match="does not reach the SQL"):
        by_prefix.all(world.village_east.path)


def test_an_empty_list_is_refused(world: Any) -> None:
    # The ORM runs nothing for code__in=[]: there is no statement to compile
    with pytest.raises(ValueError, match="at least one value"):
        CODES_OF.rows([])
