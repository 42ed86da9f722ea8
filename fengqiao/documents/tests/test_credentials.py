"""The org admin's signing-credential pages: a PKCS#12 upload replaces a court's or a
committee's credential; files that cannot be used are refused with the reason in Chinese."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
from django.db import connection
from django.test import Client
from django.urls import reverse

from fengqiao.accounts.models import User
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.demo.signing import demo_ca, demo_org_certificate
from fengqiao.documents.models import SigningCredential
from fengqiao.documents.selectors import credential_active_for, signing_orgs_for_user
from fengqiao.documents.views import CREDENTIAL_MAX_BYTES
from fengqiao.orgs.models import Organization

pytestmark = pytest.mark.usefixtures("demo_county", "db")

PASSWORD = "Seal-密码-2026"


def _orgadmin() -> User:
    return User.objects.get(username="orgadmin")


def _court() -> Organization:
    return signing_orgs_for_user(_orgadmin()).filter(kind__family="court").order_by("pk")[0]


def _p12(
    org: Organization,
    *,
    password: str = PASSWORD,
    days: int = 365,
    starts: int = -1,
    mismatched: bool = False,
) -> bytes:
    now = datetime.now(tz=UTC)
    ca, ca_key = demo_ca(now)
    certificate, key = demo_org_certificate(org, ca, ca_key, now)
    if days != 365 or starts != -1:  # re-issue with the validity asked for
        certificate = (
            x509.CertificateBuilder()
            .subject_name(certificate.subject)
            .issuer_name(ca.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + timedelta(days=starts))
            .not_valid_after(now + timedelta(days=starts + days))
            .sign(ca_key, hashes.SHA256())
        )
    secret = BestAvailableEncryption(password.encode())
    if mismatched:  # the key of another certificate beside this certificate
        other = ec.generate_private_key(ec.SECP256R1())
        return pkcs12.serialize_key_and_certificates(b"seal", other, None, [certificate], secret)
    return pkcs12.serialize_key_and_certificates(b"seal", key, certificate, [ca], secret)


def _upload(
    org: Organization,
    data: bytes,
    password: str = PASSWORD,
    user: Any = None,
    *,
    follow: bool = False,
) -> Any:
    client = Client()
    client.force_login(user or _orgadmin())
    upload = io.BytesIO(data)
    upload.name = "seal.p12"
    return client.post(
        reverse("signing:credential_upload", args=[org.pk]),
        {"file": upload, "password": password},
        follow=follow,
    )


def test_the_org_admin_sees_each_court_and_committee_with_its_credential() -> None:
    client = Client()
    client.force_login(_orgadmin())
    page = client.get(reverse("signing:credential_list")).content.decode()
    court = _court()
    assert court.name in page
    assert "更换证书" in page
    assert "未上传证书" not in page  # the demo gave every one a credential
    assert reverse("signing:credential_upload", args=[court.pk]) in page


def test_an_upload_replaces_the_active_credential_and_is_audited() -> None:
    court = _court()
    before = credential_active_for(court)
    assert before is not None
    response = _upload(court, _p12(court), follow=True)
    assert response.redirect_chain[-1][0] == reverse("signing:credential_list")
    assert f"已为“{court.name}”启用签名证书" in response.content.decode()
    after = credential_active_for(court)
    assert after is not None
    assert after.pk != before.pk
    assert after.uploaded_by == _orgadmin()
    assert after.subject == court.name
    before.refresh_from_db()
    assert not before.is_active
    assert SigningCredential.objects.filter(org=court, is_active=True).count() == 1
    event = AuditEvent.objects.get(
        event_type=EventType.SIGNING_CREDENTIAL_UPLOADED, object_id=str(after.pk)
    )
    assert event.after["fingerprint"] == after.fingerprint
    assert event.after["replaced"] == [before.fingerprint]
    # Neither the password nor the key is stored in the clear anywhere.
    assert PASSWORD not in str(event.after)
    assert "PRIVATE KEY" not in str(event.after)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM {SigningCredential._meta.db_table} WHERE id = %s",  # noqa: S608
            [after.pk],
        )
        row = " ".join(str(v) for v in cursor.fetchone())
    assert PASSWORD not in row
    assert "PRIVATE KEY" not in row


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong password", "证书密码不正确"),
        ("not pkcs12", "不是PKCS#12证书文件"),
        ("expired", "过期"),
        ("not yet valid", "起才生效"),
        ("key not matching", "私钥与证书不匹配"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_with_its_reason(case: str, message: str) -> None:
    court = _court()
    before = credential_active_for(court)
    data = {
        "wrong password": lambda: _p12(court),
        "not pkcs12": lambda: b"-----BEGIN CERTIFICATE-----\nnot a pkcs12 file\n",
        "expired": lambda: _p12(court, starts=-400, days=30),
        "not yet valid": lambda: _p12(court, starts=30, days=365),
        "key not matching": lambda: _p12(court, mismatched=True),
    }[case]()
    password = "wrong-password" if case == "wrong password" else PASSWORD
    response = _upload(court, data, password)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert credential_active_for(court) == before


def test_who_is_not_an_org_admin_cannot_upload() -> None:
    court = _court()
    mediator = User.objects.get(username="mediator")
    assert _upload(court, _p12(court), user=mediator).status_code == 403
    client = Client()
    client.force_login(mediator)
    assert client.get(reverse("signing:credential_list")).status_code == 403


def test_an_org_that_signs_nothing_has_no_credential_page() -> None:
    platform = Organization.objects.filter(kind__family="platform").order_by("pk")[0]
    client = Client()
    client.force_login(_orgadmin())
    url = reverse("signing:credential_upload", args=[platform.pk])
    assert client.get(url).status_code == 404


def test_a_file_larger_than_any_pkcs12_is_refused() -> None:
    court = _court()
    before = credential_active_for(court)
    response = _upload(court, b"0" * (CREDENTIAL_MAX_BYTES + 1))
    assert response.status_code == 400
    assert "文件过大" in response.content.decode()
    assert credential_active_for(court) == before
