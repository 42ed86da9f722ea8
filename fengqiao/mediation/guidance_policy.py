"""Who may ask and who may answer a 业务指导 request: one function, ``guidance_may``, that the
case page and the request page ask (what they offer) and the services ask (what they accept).

- ``ASK`` (``obj``: the case): someone handling the case — the handling org's mediators, or an
  org that joined it by an accepted 交办单 — while it is accepted, being mediated or suspended
  (the questions a mediation raises; a closed case asks nobody);
- ``ANSWER`` (``obj``: the request): while it is unanswered, someone acting for the asked org
  (a role granted there: the 人民法庭's judges, the 派出所's officers, the 司法所's staff).

Which orgs may be asked is ``askable_orgs``: the 人民法庭 serving the case's township (the one
paired with its committees, or sitting in it), its 派出所 and 司法所 — seed 000 §三(二), 一办一庭
两所 — and the county's 人民法院 and 司法局 above them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fengqiao.accounts.access import grant_org_ids
from fengqiao.core.paths import PATH_SEGMENT
from fengqiao.disputes.models import Case
from fengqiao.disputes.policy import HANDLER, JOINT, MEDIATION_STATES, on_side
from fengqiao.orgs.models import Organization
from fengqiao.regions.choices import RegionLevel

ASK = "ask"
ANSWER = "answer"

# The kinds that give guidance, in the order the asker is offered them (the township's, then
# the county's).
TOWNSHIP_KINDS = ("tribunal", "police_station", "justice_office")
COUNTY_KINDS = ("court", "justice_bureau")
KIND_ORDER = {code: n for n, code in enumerate((*TOWNSHIP_KINDS, *COUNTY_KINDS))}


def guidance_may(actor: Any, action: str, obj: Any) -> bool:
    """Whether ``actor`` may take ``action`` on ``obj`` (a case for ASK, a request for ANSWER)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if action == ASK:
        if obj.status not in MEDIATION_STATES:
            return False
        return on_side(actor, obj, HANDLER) or on_side(actor, obj, JOINT)
    if action == ANSWER:
        return obj.answered_at is None and obj.asked_org_id in grant_org_ids(actor)
    return False


def askable_orgs(case: Case) -> list[Organization]:
    """The 人民法庭, 派出所 and 司法所 of the case's township and the county's 人民法院 and 司法局,
    active, in that order (one query)."""
    path = case.region_path
    county = path[: PATH_SEGMENT * RegionLevel.COUNTY]
    place = Q(kind__code__in=COUNTY_KINDS, region__path=county)
    if len(path) >= PATH_SEGMENT * RegionLevel.TOWNSHIP:
        township = path[: PATH_SEGMENT * RegionLevel.TOWNSHIP]
        place |= Q(kind__code__in=TOWNSHIP_KINDS, region__path=township)
        # A 人民法庭 serves its neighbouring townships too: the one paired with their committees.
        place |= Q(kind__code="tribunal", paired_orgs__region__path__startswith=township)
    found = {
        org.pk: org
        for org in Organization.objects.filter(place, is_active=True).select_related(
            "kind", "region"
        )
    }
    return sorted(found.values(), key=lambda o: (KIND_ORDER.get(o.kind.code, 99), o.name))
