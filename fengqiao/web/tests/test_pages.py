"""The shell: error pages in Chinese, CSRF on ordinary and htmx POSTs, and no English left on
the pages the cast opens."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import Client

from fengqiao.accounts.tests.factories import PASSWORD
from fengqiao.audit.models import AuditEvent
from fengqiao.web.tests.html import page_text


def test_403_page_is_chinese_and_keeps_the_navigation(cast: Any, client_for: Any) -> None:
    response = client_for(cast.mediator_east).get("/audit/")
    assert response.status_code == 403
    text = page_text(response)
    assert "无权访问" in text
    assert "调解员名册" in text  # the navbar of the user's own pages


def test_404_page_is_chinese(cast: Any, client_for: Any) -> None:
    response = client_for(cast.leader).get("/orgs/999999/")
    assert response.status_code == 404
    assert "页面不存在" in page_text(response)
    assert client_for(cast.leader).get("/no/such/page/").status_code == 404


@pytest.mark.parametrize(
    ("template", "phrase"),
    [("400.html", "请求有误"), ("500.html", "系统出错"), ("403_csrf.html", "请求已过期")],
)
def test_error_templates_render_without_a_request(template: str, phrase: str) -> None:
    # Django renders these without the request context (the 500 page after a crash)
    assert phrase in render_to_string(template)


def _csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def _hx_token(html: str) -> str:
    match = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", html)
    assert match is not None, "base.html must give htmx the CSRF token"
    return match.group(1)


def test_htmx_post_carries_the_csrf_token_from_the_page(cast: Any) -> None:
    client = _csrf_client()
    client.force_login(cast.auditor)
    token = _hx_token(client.get("/audit/").content.decode())
    response = client.post("/audit/verify/", HTTP_X_CSRFTOKEN=token, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "审计链" in page_text(response)


def test_post_without_the_csrf_token_is_refused_in_chinese(cast: Any) -> None:
    client = _csrf_client()
    client.force_login(cast.auditor)
    client.get("/audit/")
    response = client.post("/audit/verify/", HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "请求已过期或来源无法验证" in page_text(response)


def test_login_form_needs_the_csrf_token(cast: Any) -> None:
    client = _csrf_client()
    response = client.post("/accounts/login/", {"username": "leader", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    response = client.post(
        "/accounts/login/",
        {"username": "leader", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302


def test_logout_needs_the_csrf_token(cast: Any) -> None:
    client = _csrf_client()
    client.force_login(cast.leader)
    assert client.post("/accounts/logout/").status_code == 403
    assert client.get("/").status_code == 200
    assert not AuditEvent.objects.filter(event_type="auth.logout").exists()


# Runs of two or more English words in visible text: a sign of an untranslated string.
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,.'’][A-Za-z]{2,})+")


# Attributes a user reads or hears (tooltips, placeholders, screen-reader labels).
READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')


def _english(response: Any) -> list[str]:
    html = response.content.decode()
    html = re.sub(r"<(script|style|code)[^>]*>.*?</\1>", " ", html, flags=re.S)
    attributes = " ".join(READ_ATTRIBUTES.findall(html))
    return ENGLISH.findall(page_text_from(html)) + re.findall(r"[A-Za-z]{3,}", attributes)


def page_text_from(html: str) -> str:
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html))


PAGES = {
    "leader": [
        "/",
        "/accounts/me/",
        "/accounts/me/totp/",
        "/accounts/password/",
        "/regions/",
        "/orgs/",
        "/orgs/{org}/",
        "/orgs/roster/",
        "/orgs/people/{person}/",
        "/orgs/reports/?report=composition",
        "/orgs/reports/?report=staffing",
        "/orgs/reports/?report=training",
        "/orgs/999999/",
        "/audit/",
    ],
    "system_admin": ["/accounts/users/", "/accounts/users/new/", "/accounts/users/{user}/"],
    "security_admin": ["/accounts/roles/", "/accounts/roles/{role}/", "/accounts/users/{user}/"],
    "auditor": ["/audit/"],
    "outsider": ["/", "/orgs/"],
}


@pytest.mark.parametrize(
    ("who", "url"), [(who, url) for who, urls in PAGES.items() for url in urls]
)
def test_pages_have_no_english_left(
    who: str, url: str, cast: Any, world: Any, client_for: Any
) -> None:
    from fengqiao.accounts.models import Role

    places = {
        "org": world.committee_east.pk,
        "person": world.mediator_east_person.pk,
        "user": cast.leader.pk,
        "role": Role.objects.get(code="leader").pk,
    }
    response = client_for(getattr(cast, who)).get(url.format(**places))
    assert _english(response) == []


def test_login_page_and_its_errors_have_no_english_left(cast: Any) -> None:
    client = Client()
    assert _english(client.get("/accounts/login/")) == []
    assert _english(client.post("/accounts/login/", {"username": "", "password": ""})) == []
    wrong = client.post("/accounts/login/", {"username": "leader", "password": "x"})
    assert _english(wrong) == []


# A browser set to English: the platform has no English catalogue yet, so it must serve the
# Chinese pages, Django's own strings (form errors, the admin) included.
ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_a_browser_asking_for_english_gets_the_chinese_login_page(db: None) -> None:
    client = Client()
    page = client.get("/accounts/login/", **ENGLISH_BROWSER)
    assert "登录" in page_text(page)
    assert _english(page) == []
    refused = client.post("/accounts/login/", {"username": "", "password": ""}, **ENGLISH_BROWSER)
    assert "这个字段是必填项。" in page_text(refused)
    assert _english(refused) == []


def test_a_browser_asking_for_english_gets_the_chinese_404_page(cast: Any, client_for: Any) -> None:
    response = client_for(cast.leader).get("/no/such/page/", **ENGLISH_BROWSER)
    assert response.status_code == 404
    assert "页面不存在" in page_text(response)
    assert _english(response) == []


def test_a_browser_asking_for_english_gets_chinese_form_errors(cast: Any, client_for: Any) -> None:
    # A form of the platform with a Django-built-in check: a required field left empty.
    response = client_for(cast.system_admin).post(
        "/accounts/users/new/", {"username": "", "real_name": ""}, **ENGLISH_BROWSER
    )
    assert response.status_code == 200
    assert "这个字段是必填项。" in page_text(response)
    assert _english(response) == []


def test_a_browser_asking_for_english_gets_the_chinese_admin(cast: Any, client_for: Any) -> None:
    client = client_for(cast.system_admin)
    # Django's own admin strings, in Chinese; the screen-reader headings of the index come from
    # fengqiao/locale (Django's zh_Hans catalogue lacks them).
    for url, phrase in [
        ("/admin/", "最近动作"),
        ("/admin/disputes/calendaroverride/add/", "增加 节假日调整"),
        ("/admin/disputes/subjectrule/", "选择 属事规则 来修改"),
    ]:
        response = client.get(url, **ENGLISH_BROWSER)
        assert response.status_code == 200, url
        assert phrase in page_text(response), url
        assert _english(response) == [], url


def test_the_project_catalogue_is_compiled() -> None:
    # The .mo is committed beside the .po: an entry added without compilemessages never shows.
    from django.conf import settings
    from django.utils import translation

    po = Path(settings.BASE_DIR, "fengqiao/locale/zh_Hans/LC_MESSAGES/django.po").read_text()
    entries = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', po, flags=re.M)
    assert entries
    with translation.override("zh-hans"):
        for msgid, msgstr in entries:
            assert translation.gettext(msgid) == msgstr, msgid


def test_favicon_is_a_real_icon(client: Client, db: None) -> None:
    # given an anonymous browser asking for the icon at the root, as every browser does
    response = client.get("/favicon.ico")

    # then it is sent to the icon in the static files, which is an ICO image
    assert response.status_code == 301
    assert response["Location"].endswith("/web/favicon.ico")
    found = finders.find("web/favicon.ico")
    assert found is not None
    assert Path(found).read_bytes()[:4] == b"\x00\x00\x01\x00"
    # and every page links it
    assert 'rel="icon"' in client.get("/accounts/login/").content.decode()
