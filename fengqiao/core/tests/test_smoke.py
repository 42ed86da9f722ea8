from __future__ import annotations

from django.test import Client


def test_login_page_is_chinese(client: Client, db: None) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "枫桥矛盾纠纷多元化解平台" in response.content.decode()


def test_pages_of_the_cast_render(client: Client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.leader)
    for url in [
        "/",
        "/regions/",
        "/orgs/",
        "/orgs/roster/",
        "/orgs/reports/",
        "/orgs/reports/?report=staffing",
        "/orgs/reports/?report=training",
        "/accounts/me/",
    ]:
        assert client.get(url).status_code == 200, url
