"""Reads of signing credentials and trust roots."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography import x509
from django.conf import settings
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from fengqiao.documents.models import SigningCredential, SigningTrustRoot
from fengqiao.documents.policy import SIGNING_FAMILIES
from fengqiao.documents.signing import load_pem_certificates
from fengqiao.orgs.models import Organization
from fengqiao.orgs.selectors import manageable_orgs


def signing_orgs_for_user(user: Any) -> QuerySet[Organization]:
    """The active orgs that sign and whose credential ``user`` may upload (policy.org_signs
    as a query)."""
    return manageable_orgs(user).filter(
        Q(kind__is_mediation_committee=True) | Q(kind__family__in=SIGNING_FAMILIES),
        is_active=True,
    )


def signing_org_get_for_user(user: Any, pk: int) -> Organization:
    return get_object_or_404(signing_orgs_for_user(user), pk=pk)


@dataclass(frozen=True)
class CredentialRow:
    org: Organization
    credential: SigningCredential | None


def credential_rows(orgs: QuerySet[Organization]) -> list[CredentialRow]:
    """Each org with its active credential (two queries)."""
    listed = list(orgs)
    active = {
        c.org_id: c
        for c in SigningCredential.objects.filter(
            org__in=[o.pk for o in listed], is_active=True
        ).select_related("uploaded_by")
    }
    return [CredentialRow(org=o, credential=active.get(o.pk)) for o in listed]


def credential_active_for(org: Organization) -> SigningCredential | None:
    """The org's active credential if it is valid now."""
    now = timezone.now()
    return SigningCredential.objects.filter(
        org=org, is_active=True, valid_from__lte=now, valid_until__gt=now
    ).first()


def credential_history(org: Organization) -> QuerySet[SigningCredential]:
    return SigningCredential.objects.filter(org=org).select_related("uploaded_by")


def trust_root_list() -> QuerySet[SigningTrustRoot]:
    return SigningTrustRoot.objects.all()


@lru_cache(maxsize=8)
def _configured_roots(paths: tuple[str, ...]) -> tuple[x509.Certificate, ...]:
    certificates: list[x509.Certificate] = []
    for path in paths:
        certificates.extend(load_pem_certificates(Path(path).read_bytes()))
    return tuple(certificates)


def trust_roots() -> list[x509.Certificate]:
    """The CA certificates a signature must chain to: the PEM files of
    ``FENGQIAO_SIGNING_TRUST_ROOTS`` and the trust roots recorded in the database (the demo
    CA)."""
    paths = tuple(str(p) for p in settings.FENGQIAO_SIGNING_TRUST_ROOTS)
    stored = [
        cert
        for pem in SigningTrustRoot.objects.values_list("certificate_pem", flat=True)
        for cert in load_pem_certificates(pem)
    ]
    return [*_configured_roots(paths), *stored]
