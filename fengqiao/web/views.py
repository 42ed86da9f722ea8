from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

from fengqiao.web.selectors import home_summary_for_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"summary": home_summary_for_user(request.user)})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page links; the icon is a static file."""
    return HttpResponsePermanentRedirect(static("web/favicon.ico"))
