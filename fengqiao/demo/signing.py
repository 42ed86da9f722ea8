"""The demo county's signing certificates: a fictional demo CA, and a certificate and signing
credential for every court and mediation committee (every org that signs its documents).

The demo CA is made anew by each seed (its key is used here and then dropped: nothing can
issue another certificate under it afterwards) and recorded as a trust root, so the
verification page calls the demo documents' signatures valid; its certificate is downloadable
there for a PDF reader (docs/documents.md). EC P-256 keys: a few milliseconds per org.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from fengqiao.documents.policy import org_signs
from fengqiao.documents.services import credential_install, trust_root_add
from fengqiao.documents.signing import credential_from_parts, to_pem
from fengqiao.orgs.models import Organization

DEMO_CA_NAME = "枫桥平台演示根证书（虚构，仅供演示）"
DEMO_CA_ORG = "枫桥平台演示数据"
CA_YEARS = 10
ORG_YEARS = 2


def _name(common_name: str, organization: str) -> x509.Name:
    # The common name is at most 64 bytes of UTF-8 (21 Chinese characters): a longer org name
    # is cut there and is whole in the organisation name (signing.common_name reads it back).
    short = common_name.encode("utf-8")[:64].decode("utf-8", errors="ignore")
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
            x509.NameAttribute(NameOID.COMMON_NAME, short),
        ]
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def demo_ca(now: datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(DEMO_CA_NAME, DEMO_CA_ORG)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(ca=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def demo_org_certificate(
    org: Organization,
    ca: x509.Certificate,
    ca_key: ec.EllipticCurvePrivateKey,
    now: datetime,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(org.name, org.name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * ORG_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return certificate, key


def write_signing(orgs: Iterable[Organization]) -> int:
    """The demo CA as a trust root and a credential for each org that signs; how many."""
    now = datetime.now(tz=UTC)
    ca, ca_key = demo_ca(now)
    trust_root_add(actor=None, name=DEMO_CA_NAME, certificate_pem=to_pem(ca), is_demo=True)
    count = 0
    for org in orgs:
        if not org_signs(org):
            continue
        certificate, key = demo_org_certificate(org, ca, ca_key, now)
        parsed = credential_from_parts(certificate=certificate, key=key, chain=[ca], now=now)
        credential_install(actor=None, org=org, parsed=parsed)
        count += 1
    return count
