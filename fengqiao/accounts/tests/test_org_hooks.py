"""The account pages show orgs' data without importing orgs: orgs fills accounts.hooks."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from fengqiao.accounts import hooks
from fengqiao.orgs.models import Organization


def test_the_profile_lists_the_users_posts(cast: Any, world: Any, client_for: Any) -> None:
    page = client_for(cast.mediator_east).get("/accounts/me/")
    assert [m.org for m in page.context["memberships"]] == [world.committee_east]
    assert "东村人民调解委员会" in page.content.decode().split("任职")[1]


def test_the_grant_form_offers_the_active_orgs(cast: Any, world: Any, client_for: Any) -> None:
    world.committee_south.is_active = False
    world.committee_south.save(update_fields=["is_active"])
    page = client_for(cast.security_admin).get(f"/accounts/users/{cast.leader.pk}/")
    offered = set(page.context["grant_form"].fields["org"].queryset)
    assert offered == set(Organization.objects.filter(is_active=True))
    assert world.committee_south not in offered
    assert world.committee_east in offered


def test_an_unfilled_hook_is_an_error_not_an_empty_answer(
    cast: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hooks, "_hooks", [])
    with pytest.raises(ImproperlyConfigured):
        hooks.own_posts(cast.mediator_east)
    with pytest.raises(ImproperlyConfigured):
        hooks.grant_orgs()
