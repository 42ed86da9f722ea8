"""Data scope on the demo county: 司法所 staff read their township's mediators, the county's
org admin and leader the county's, a mediator only their own work; lists are O(page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import User
from fengqiao.mediators import selectors
from fengqiao.mediators.permissions import VIEW_MEDIATOR_WORK
from fengqiao.mediators.tests.helpers import org_of, user
from fengqiao.orgs.choices import CASE_MEDIATOR_ROLES
from fengqiao.orgs.models import Membership

pytestmark = pytest.mark.usefixtures("demo_county", "db")


def _client(who: User) -> Client:
    client = Client()
    client.force_login(who)
    return client


def _paths(username: str) -> set[str]:
    page = selectors.mediator_page(user(username), 1)
    return {post.org.region.path for post in page.object_list}


def test_the_justice_office_reads_its_township_only() -> None:
    township = org_of("justice").region.path
    assert _paths("justice")
    assert all(path.startswith(township) for path in _paths("justice"))
    county = org_of("orgadmin").region.path
    everyone = selectors.serving_posts(user("orgadmin"), VIEW_MEDIATOR_WORK)
    assert everyone.count() > selectors.serving_posts(user("justice"), VIEW_MEDIATOR_WORK).count()
    assert all(p.org.region.path.startswith(county) for p in everyone)
    assert not selectors.serving_posts(user("mediator"), VIEW_MEDIATOR_WORK).exists()


def test_a_mediator_outside_the_township_is_not_found_for_the_justice_office() -> None:
    township = org_of("justice").region.path
    outside = (
        Membership.objects.filter(role__in=CASE_MEDIATOR_ROLES)
        .exclude(org__region__path__startswith=township)
        .first()
    )
    assert outside is not None
    url = reverse("mediators:mediator_detail", args=[outside.person_id])
    assert _client(user("justice")).get(url).status_code == 404
    assert _client(user("orgadmin")).get(url).status_code == 200


def test_a_mediator_reads_only_their_own_work() -> None:
    mediator = user("mediator")
    client = _client(mediator)
    page = client.get(reverse("mediators:my_work"))
    body = page.content.decode()
    assert page.status_code == 200
    assert mediator.person.name in body
    assert "批评教育" in body  # their concluded complaint, the complainant's name masked
    assert "赵**" in body
    assert "赵小河" not in body
    assert "已审批" in body  # last month's subsidy
    other = Membership.objects.filter(role__in=CASE_MEDIATOR_ROLES).exclude(person__user=mediator)[
        0
    ]
    detail = reverse("mediators:mediator_detail", args=[other.person_id])
    assert client.get(detail).status_code == 403
    assert client.get(reverse("mediators:statements")).status_code == 403
    assert client.get(reverse("mediators:complaint_list")).status_code == 403


def test_the_justice_office_sees_the_complainant_the_mediator_does_not() -> None:
    person = user("mediator").person
    complaint_page = _client(user("justice")).get(reverse("mediators:complaint_list"))
    assert person.name in complaint_page.content.decode()
    staff_view = _client(user("justice")).get(
        reverse("mediators:mediator_detail", args=[person.pk])
    )
    assert "赵小河" in staff_view.content.decode()


def test_the_mediator_list_reads_a_page_in_a_fixed_number_of_queries(
    django_assert_max_num_queries: Any,
) -> None:
    client = _client(user("orgadmin"))
    client.get(reverse("mediators:mediator_list"))  # warm the session and grants
    with django_assert_max_num_queries(12):
        response = client.get(reverse("mediators:mediator_list"))
    assert response.status_code == 200
    assert response.content.decode().count("/mediators/people/") >= 10
