"""The org admin's pages (``orgs.manage_orgs`` in their region): orgs, people, posts, mediator
files, trainings, recusals, and the XLSX imports. They parse, call an ``orgs`` service (which
checks the region and audits) and render; a rule the service refuses is shown on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from fengqiao.accounts.access import require
from fengqiao.core.xlsx import XLSX_CONTENT_TYPE
from fengqiao.orgs import imports, roster_import, services
from fengqiao.orgs.forms import (
    MembershipEditForm,
    MembershipEndForm,
    MembershipForm,
    OrgForm,
    PersonCreateForm,
    PersonForm,
    ProfileForm,
    RecusalForm,
    TrainingForm,
)
from fengqiao.orgs.models import MediatorProfile, Person
from fengqiao.orgs.permissions import MANAGE_ORGS
from fengqiao.orgs.selectors import (
    manageable_orgs,
    manageable_regions,
    membership_get_for_manage,
    org_get_for_manage,
    org_list_for_user,
    person_get_for_manage,
)
from fengqiao.orgs.services import OrgRuleError
from fengqiao.regions.choices import RegionLevel


def _form_page(request: HttpRequest, form: Any, title: str, back: str) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "orgs/manage_form.html",
        {"form": form, "title": title, "back": back},
        status=status,
    )


def _apply(form: Any, call: Callable[[], Any]) -> Any:
    """Run a service; a rule it refuses becomes the form's error (nothing saved)."""
    try:
        return call()
    except OrgRuleError as exc:
        form.add_error(None, str(exc))
    return None


@login_required
def org_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    form = OrgForm(
        request.POST or None,
        regions=manageable_regions(request.user),
        parents=org_list_for_user(request.user),
        initial={"parent": request.GET.get("parent"), "region": request.GET.get("region")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        org = _apply(
            form,
            lambda: services.org_create(
                actor=request.user,
                name=d["name"],
                code=d["code"],
                kind=d["kind"],
                region=d["region"],
                parent=d["parent"],
                categories=d["categories"],
                address=d["address"],
            ),
        )
        if org is not None:
            messages.success(request, _("单位“%(name)s”已建立。") % {"name": org.name})
            return redirect("orgs:org_detail", pk=org.pk)
    return _form_page(request, form, _("新建单位"), reverse("orgs:org_list"))


@login_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    org = org_get_for_manage(request.user, pk)
    initial = {
        "name": org.name,
        "code": org.code,
        "kind": org.kind_id,
        "region": org.region_id,
        "parent": org.parent_id,
        "categories": list(org.categories.values_list("category", flat=True)),
        "address": org.address,
        "liaison": org.liaison_id,
        "is_active": org.is_active,
        "paired": list(org.paired_orgs.values_list("pk", flat=True)),
        "officer_count": org.officer_count,
    }
    form = OrgForm(
        request.POST or None,
        regions=manageable_regions(request.user),
        parents=org_list_for_user(request.user).exclude(pk=org.pk),
        members=Person.objects.filter(
            memberships__org=org, memberships__ended_on__isnull=True
        ).distinct(),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def save() -> Any:
            with transaction.atomic():
                updated = services.org_update(
                    actor=request.user,
                    org=org,
                    name=d["name"],
                    code=d["code"],
                    kind=d["kind"],
                    region=d["region"],
                    parent=d["parent"],
                    categories=d["categories"],
                    address=d["address"],
                    liaison=d["liaison"],
                    is_active=d["is_active"],
                )
                services.org_set_pairs(actor=request.user, org=updated, paired=d["paired"])
                services.org_set_officer_count(
                    actor=request.user, org=updated, officer_count=d["officer_count"]
                )
            return updated

        saved = _apply(form, save)
        if saved is not None:
            messages.success(request, _("单位信息已保存。"))
            return redirect("orgs:org_detail", pk=org.pk)
    back = reverse("orgs:org_detail", args=[org.pk])
    return _form_page(request, form, _("修改单位：%(name)s") % {"name": org.name}, back)


def _person_fields(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": d["name"],
        "gender": d["gender"],
        "region": d["region"],
        "birth_year": d["birth_year"] or (int(d["id_number"][6:10]) if d["id_number"] else None),
        "background": d["background"],
        "is_party_member": d["is_party_member"],
        "volunteer_kind": d["volunteer_kind"],
    }


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    orgs = manageable_orgs(request.user)
    org = orgs.filter(pk=request.GET.get("org") or 0).first()
    form = PersonCreateForm(
        request.POST or None,
        regions=manageable_regions(request.user),
        orgs=orgs,
        initial={"org": org.pk if org else None, "region": org.region_id if org else None},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def create() -> Person:
            with transaction.atomic():
                person = services.person_create(
                    actor=request.user,
                    id_number=d["id_number"],
                    phone=d["phone"],
                    **_person_fields(d),
                )
                if d["org"]:
                    services.membership_add(
                        actor=request.user,
                        person=person,
                        org=d["org"],
                        role=d["role"],
                        position=d["position"],
                        is_full_time=d["is_full_time"],
                    )
            return person

        person = _apply(form, create)
        if person is not None:
            messages.success(request, _("人员“%(name)s”已登记。") % {"name": person.name})
            return redirect("orgs:person_detail", pk=person.pk)
    back = reverse("orgs:org_detail", args=[org.pk]) if org else reverse("orgs:roster")
    return _form_page(request, form, _("登记人员"), back)


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    person = person_get_for_manage(request.user, pk)
    person = Person.objects.select_related("user").get(pk=person.pk)
    form = PersonForm(
        request.POST or None,
        regions=manageable_regions(request.user),
        editing=True,
        initial={
            "name": person.name,
            "gender": person.gender,
            "region": person.region_id,
            "birth_year": person.birth_year,
            "background": person.background,
            "is_party_member": person.is_party_member,
            "volunteer_kind": person.volunteer_kind,
            "username": person.user.username if person.user else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def save() -> Person:
            with transaction.atomic():
                updated = services.person_update(
                    actor=request.user,
                    person=person,
                    id_number=d["id_number"] or None,
                    phone=d["phone"] or None,
                    **_person_fields(d),
                )
                return services.person_link_user(
                    actor=request.user, person=updated, user=d["username"]
                )

        saved = _apply(form, save)
        if saved is not None:
            messages.success(request, _("人员信息已保存。"))
            return redirect("orgs:person_detail", pk=person.pk)
    back = reverse("orgs:person_detail", args=[person.pk])
    return _form_page(request, form, _("修改人员：%(name)s") % {"name": person.name}, back)


@login_required
def membership_add(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    person = person_get_for_manage(request.user, pk)
    form = MembershipForm(request.POST or None, orgs=manageable_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        saved = _apply(
            form, lambda: services.membership_add(actor=request.user, person=person, **d)
        )
        if saved is not None:
            messages.success(request, _("任职已登记。"))
            return redirect("orgs:person_detail", pk=person.pk)
    back = reverse("orgs:person_detail", args=[person.pk])
    return _form_page(request, form, _("登记任职：%(name)s") % {"name": person.name}, back)


@login_required
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    membership = membership_get_for_manage(request.user, pk)
    form = MembershipEditForm(
        request.POST or None,
        initial={"position": membership.position, "is_full_time": membership.is_full_time},
    )
    if request.method == "POST" and form.is_valid():
        saved = _apply(
            form,
            lambda: services.membership_update(
                actor=request.user, membership=membership, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, _("任职信息已保存。"))
            return redirect("orgs:person_detail", pk=membership.person_id)
    back = reverse("orgs:person_detail", args=[membership.person_id])
    return _form_page(request, form, _("修改任职：%(m)s") % {"m": membership}, back)


@login_required
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    membership = membership_get_for_manage(request.user, pk)
    form = MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _apply(
            form,
            lambda: (
                services.membership_end(
                    actor=request.user, membership=membership, **form.cleaned_data
                )
                or True
            ),
        )
        if done is not None:
            messages.success(request, _("已登记离任：%(m)s") % {"m": membership})
            return redirect("orgs:person_detail", pk=membership.person_id)
    back = reverse("orgs:person_detail", args=[membership.person_id])
    return _form_page(request, form, _("结束任职：%(m)s") % {"m": membership}, back)


@login_required
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    person = person_get_for_manage(request.user, pk)
    profile = MediatorProfile.objects.filter(person=person).first()
    initial: dict[str, Any] = {}
    if profile is not None:
        initial = {
            "specialties": list(profile.specialties.values_list("category", flat=True)),
            "grade": profile.grade,
            "stars": profile.stars,
            "studio_name": profile.studio_name,
            "certified_on": profile.certified_on,
            "grids": list(profile.grids.values_list("pk", flat=True)),
        }
    grids = manageable_regions(request.user).filter(level=RegionLevel.GRID)
    form = ProfileForm(request.POST or None, initial=initial, grids=grids)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        chosen = d.pop("grids")

        def save() -> Any:
            with transaction.atomic():
                saved = services.mediator_profile_set(
                    actor=request.user,
                    person=person,
                    expert_fields=profile.expert_fields if profile else (),
                    **d,
                )
                services.mediator_set_grids(actor=request.user, person=person, grids=chosen)
            return saved

        saved = _apply(form, save)
        if saved is not None:
            messages.success(request, _("调解员档案已保存。"))
            return redirect("orgs:person_detail", pk=person.pk)
    back = reverse("orgs:person_detail", args=[person.pk])
    return _form_page(request, form, _("调解员档案：%(name)s") % {"name": person.name}, back)


@login_required
def training_add(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    person = person_get_for_manage(request.user, pk)
    form = TrainingForm(request.POST or None, orgs=org_list_for_user(request.user))
    if request.method == "POST" and form.is_valid():
        saved = _apply(
            form,
            lambda: services.training_record(
                actor=request.user, person=person, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, _("培训记录已登记。"))
            return redirect("orgs:person_detail", pk=person.pk)
    back = reverse("orgs:person_detail", args=[person.pk])
    return _form_page(request, form, _("登记培训：%(name)s") % {"name": person.name}, back)


@login_required
def recusal_add(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    person = person_get_for_manage(request.user, pk)
    form = RecusalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = _apply(
            form,
            lambda: services.recusal_declare(
                actor=request.user, person=person, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, _("回避声明已登记。"))
            return redirect("orgs:person_detail", pk=person.pk)
    back = reverse("orgs:person_detail", args=[person.pk])
    return _form_page(request, form, _("回避声明：%(name)s") % {"name": person.name}, back)


# --- XLSX import (orgs.manage_orgs) -------------------------------------------------------------

IMPORTS = {
    "orgs": (_lazy("单位"), imports.orgs_import, imports.orgs_template),
    "roster": (_lazy("调解员名册"), roster_import.roster_import, imports.roster_template),
}


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    """Upload an 单位 or 名册 workbook; every bad row is listed and nothing is imported, or the
    counts of what was created and updated are shown."""
    require(request.user, MANAGE_ORGS)
    context: dict[str, Any] = {"imports": IMPORTS}
    status = 200
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        context["kind"] = kind
        if kind not in IMPORTS:
            context["errors"] = [(None, _("请选择导入类型。"))]
        elif upload is None:
            context["errors"] = [(None, _("请选择要上传的 .xlsx 文件。"))]
        elif upload.size is not None and upload.size > imports.IMPORT_MAX_BYTES:
            context["errors"] = [(None, _("文件超过10MB，请分批导入。"))]
        else:
            try:
                context["result"] = IMPORTS[kind][1](actor=request.user, upload=upload)
            except imports.ImportRejected as exc:
                context["errors"] = exc.errors[: imports.MAX_ERRORS_SHOWN]
                context["error_count"] = len(exc.errors)
        if "errors" in context:
            status = 400
        context["label"] = IMPORTS[kind][0] if kind in IMPORTS else ""
    return render(request, "orgs/import.html", context, status=status)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    require(request.user, MANAGE_ORGS)
    if kind not in IMPORTS:
        raise Http404
    response = HttpResponse(IMPORTS[kind][2](), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.xlsx"'
    return response
