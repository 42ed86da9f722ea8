"""Who may hold and upload a signing credential — the one answer the credential pages (what
they offer) and ``services.credential_upload`` (what it accepts) both ask."""

from __future__ import annotations

from typing import Any

from fengqiao.orgs.choices import OrgFamily
from fengqiao.orgs.models import Organization
from fengqiao.orgs.selectors import manageable_orgs

# Courts and tribunals sign their rulings; every org that mediates — committees, the rooms they
# place in courts, police stations and petition offices, administrative, lawyers', commercial
# and invited mediation orgs — signs the agreements and certificates it issues.
SIGNING_FAMILIES = frozenset(
    {
        OrgFamily.COURT,
        OrgFamily.COMMITTEE,
        OrgFamily.DISPATCHED_ROOM,
        OrgFamily.ADMIN_MEDIATION,
        OrgFamily.LAWYER_STUDIO,
        OrgFamily.COMMERCIAL,
        OrgFamily.INVITED,
    }
)


def org_signs(org: Organization) -> bool:
    """Whether ``org`` issues signed documents and so may hold a signing credential."""
    return org.is_active and (
        org.kind.is_mediation_committee or org.kind.family in SIGNING_FAMILIES
    )


def credential_may_upload(user: Any, org: Organization) -> bool:
    """The org admin (``orgs.manage_orgs``) whose region holds ``org``, for an org that signs;
    ``user`` None is the system (the demo seed)."""
    if not org_signs(org):
        return False
    if user is None:
        return True
    return manageable_orgs(user).filter(pk=org.pk).exists()
