"""当事人确认调解协议 (docs/confirmation.md): a party reads the agreement on their phone and
confirms that exact text by an SMS code or by drawing a signature.

**Asking.** The mediator's 请当事人确认 (``confirmation_request``, ``confirmation_policy``
``REQUEST``) gives each party who has not confirmed the current text a link of their own —
a random token of which only the SHA-256 is kept, like the room's invitations — and sends it
by SMS through the outbox in the same transaction (告知当事人, step 请确认调解协议). Asked
again within ``RESEND_AFTER`` (a double click, an impatient second click) a party is not sent
a second message. Asked later, the new link replaces the old one.

**Confirming.** The link shows the agreement as it stands and its digest; the party confirms
with the code sent to the phone on file (``notify.codes``, purpose CONFIRM, scope the
agreement) or with a signature drawn on the screen (a PNG, decoded and encoded again, refused
when blank). Either posts the digest the page showed: if the text changed meanwhile the
confirmation is refused and the page shows the new text. The record
(``AgreementConfirmation``) keeps the method, the time, the digest, the signature, the client
address and browser. A link serves one confirmation.

**Counting.** A confirmation counts while its digest is the agreement's current one: if the
text changes afterwards, the earlier confirmations stay in the record but no longer count,
and the pages say so. Signing the agreement PDF does not wait for them (docs/confirmation.md).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core import uploads
from fengqiao.core.masking import mask_phone
from fengqiao.core.validators import MOBILE, normalize_phone
from fengqiao.disputes.disclosure import MASKED
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.services.parties import parties_tell
from fengqiao.disputes.services.transitions import lock_case, record_event
from fengqiao.mediation.choices import ConfirmMethod, MediationAction
from fengqiao.mediation.confirmation_policy import REQUEST, agreement_may
from fengqiao.mediation.models import Agreement, AgreementConfirmation, ConfirmationInvite
from fengqiao.mediation.rooms import public_base
from fengqiao.mediation.services import record_write
from fengqiao.notify.choices import PartyStep
from fengqiao.notify.codes import CodePurpose, CodeRefused, check_code, send_code

TOKEN_BYTES = 32
LINK_VALID = timedelta(days=7)
RESEND_AFTER = timedelta(minutes=10)
# A drawn signature: a phone's canvas is a few hundred pixels wide; its PNG a few tens of KB.
SIGNATURE_MAX_BYTES = 200_000
SIGNATURE_MAX_WIDTH, SIGNATURE_MAX_HEIGHT = 2000, 1000
# Ink: at least this many dark pixels, spread over at least this many pixels either way.
SIGNATURE_MIN_INK = 40
SIGNATURE_MIN_EXTENT = 20
DATA_URL_PREFIX = "data:image/png;base64,"
CODE_MAX = 12
USER_AGENT_MAX = 200


class ConfirmRefused(Exception):
    """A link or a confirmation that is refused, with the words the party is shown."""


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def agreement_text(agreement: Agreement) -> str:
    """The agreement's text as a party reads and confirms it: each part under its heading,
    empty parts left out. Its SHA-256 is what a confirmation is of."""
    parts = [
        (_("协议形式"), agreement.get_kind_display()),
        (_("纠纷主要事实"), agreement.facts),
        (_("争议事项"), agreement.disputed_points),
        (_("各方当事人的责任"), agreement.responsibilities),
        (_("协议内容"), agreement.terms),
        (_("履行方式"), agreement.performance_method),
        (_("履行地点"), agreement.performance_place),
        (
            _("履行期限"),
            agreement.performance_deadline.isoformat() if agreement.performance_deadline else "",
        ),
    ]
    return "\n".join(
        f"{label}：{str(value).strip()}" for label, value in parts if str(value).strip()
    )


def agreement_digest(agreement: Agreement) -> str:
    return hashlib.sha256(agreement_text(agreement).encode("utf-8")).hexdigest()


def _agreement_of(case: Case) -> Agreement | None:
    try:
        return case.agreement
    except ObjectDoesNotExist:
        return None


# --- The mediator asks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    """One party asked now: the link exists only here (its token is not stored); ``sent``
    says whether it went by SMS (a party without a mobile number gets it from the mediator)."""

    party: Party
    url: str
    sent: bool


@dataclass(frozen=True)
class RequestResult:
    asked: list[Asked]
    # Parties asked moments ago (not sent again) and parties whose confirmation stands.
    recent: list[Party]
    confirmed: list[Party]


def confirmation_request(*, actor: Any, case_id: int, base_url: str = "") -> RequestResult:
    """请当事人确认: a link for each party who has not confirmed the agreement's current text,
    sent by SMS (``base_url``: the address links start with, else ``FENGQIAO_PUBLIC_URL``)."""
    now = timezone.now()
    base = public_base(base_url)
    with transaction.atomic():
        case = lock_case(actor, case_id)
        if not agreement_may(actor, REQUEST, case):
            raise PermissionDenied(_("只有承办本案的调解员可以在调解成功后请当事人确认调解协议。"))
        agreement = _agreement_of(case)
        if agreement is None:  # the policy asked for one: a concurrent change
            raise PermissionDenied(_("本案没有调解协议。"))
        digest = agreement_digest(agreement)
        parties = list(Party.objects.filter(case=case).order_by("role", "pk"))
        confirmed_ids = set(
            AgreementConfirmation.objects.filter(agreement=agreement, digest=digest).values_list(
                "party_id", flat=True
            )
        )
        invites = {
            i.party_id: i
            for i in ConfirmationInvite.objects.select_for_update().filter(agreement=agreement)
        }
        asked: list[Asked] = []
        recent: list[Party] = []
        for party in parties:
            if party.pk in confirmed_ids:
                continue
            invite = invites.get(party.pk)
            if (
                invite is not None
                and invite.used_at is None
                and invite.issued_at > now - RESEND_AFTER
                and invite.expires_at > now
            ):
                recent.append(party)
                continue
            raw = secrets.token_urlsafe(TOKEN_BYTES)
            digest_of_token = token_hash(raw)
            if invite is None:
                invite = ConfirmationInvite(agreement=agreement, party=party)
            invite.token_hash = digest_of_token
            invite.issued_at = now
            invite.expires_at = now + LINK_VALID
            invite.used_at = None
            invite.issued_by = actor
            invite.save()
            url = (base or "") + reverse("mediation:agreement_confirm", args=[raw])
            sent = False
            if base and MOBILE.fullmatch(normalize_phone(party.phone)):
                parties_tell(
                    case,
                    step=PartyStep.CONFIRM_REQUEST,
                    ref=f"agreement{agreement.pk}:{digest_of_token[:16]}",
                    parties=[party],
                    per_party={party.pk: {"link": url}},
                )
                sent = True
            asked.append(Asked(party, url, sent))
        if asked:
            record_write(
                case,
                actor=actor,
                action=MediationAction.CONFIRM_REQUEST,
                event_type=EventType.MEDIATION_CONFIRM_REQUEST,
                obj=agreement,
                note=_("请%(names)s确认调解协议（%(sms)d人已短信发送链接）")
                % {
                    "names": "、".join(MASKED.name(a.party.name, a.party.kind) for a in asked),
                    "sms": sum(1 for a in asked if a.sent),
                },
                data={"parties": [a.party.pk for a in asked], "digest": digest},
            )
    confirmed = [p for p in parties if p.pk in confirmed_ids]
    return RequestResult(asked=asked, recent=recent, confirmed=confirmed)


# --- The party confirms ------------------------------------------------------------------------


def _invite(token: str, *, lock: bool) -> ConfirmationInvite:
    if not token or len(token) > 100:
        raise ConfirmRefused(_("链接无效，请使用调解员发送给您的最新链接。"))
    rows = ConfirmationInvite.objects.select_related(
        "agreement", "agreement__case", "party", "agreement__case__handling_org"
    )
    if lock:
        rows = rows.select_for_update(of=("self",))
    invite = rows.filter(token_hash=token_hash(token)).first()
    if invite is None:
        raise ConfirmRefused(_("链接无效或已被新的链接取代，请使用调解员发送给您的最新链接。"))
    if invite.expires_at <= timezone.now():
        raise ConfirmRefused(_("链接已过期，请联系调解员重新发送。"))
    return invite


def invite_check(*, token: str) -> ConfirmationInvite:
    """The link's invitation (no change): what the party's page shows."""
    return _invite(token, lock=False)


def confirmation_for(invite: ConfirmationInvite) -> AgreementConfirmation | None:
    """The party's confirmation of the agreement's current text, if any."""
    digest = agreement_digest(invite.agreement)
    return AgreementConfirmation.objects.filter(
        agreement=invite.agreement, party=invite.party, digest=digest
    ).first()


def stale_confirmation(invite: ConfirmationInvite) -> AgreementConfirmation | None:
    """The party's latest confirmation of an earlier text (it no longer counts)."""
    digest = agreement_digest(invite.agreement)
    return (
        AgreementConfirmation.objects.filter(agreement=invite.agreement, party=invite.party)
        .exclude(digest=digest)
        .order_by("-confirmed_at")
        .first()
    )


def _phone(invite: ConfirmationInvite) -> str:
    phone = normalize_phone(invite.party.phone)
    if not MOBILE.fullmatch(phone):
        raise ConfirmRefused(
            _("本案没有登记您的手机号码，无法发送验证码，请用手写签名确认或联系调解员。")
        )
    return phone


def code_send(*, token: str) -> str:
    """Send the confirmation code to the party's phone on file; the masked number."""
    invite = _invite(token, lock=False)
    if invite.used_at is not None:
        raise ConfirmRefused(_("您已通过此链接确认过调解协议。"))
    phone = _phone(invite)
    try:
        send_code(phone=phone, purpose=CodePurpose.CONFIRM, scope=str(invite.agreement_id))
    except CodeRefused as refused:
        raise ConfirmRefused(refused.message) from refused
    return mask_phone(phone)


def _clean_user_agent(value: str) -> str:
    return "".join(ch for ch in value if ch.isprintable())[:USER_AGENT_MAX]


def _signature_png(data_url: str) -> bytes:
    """The drawn signature posted as a PNG data URL: bounded, decoded and encoded again by
    Pillow, refused when it is not a real image or holds no stroke."""
    data_url = (data_url or "").strip()
    if not data_url:
        raise ConfirmRefused(_("请先在签名框内签名。"))
    limit = len(DATA_URL_PREFIX) + 4 * ((SIGNATURE_MAX_BYTES + 2) // 3)
    if len(data_url) > limit:
        raise ConfirmRefused(_("签名图片过大，请清除后重新签名。"))
    if not data_url.startswith(DATA_URL_PREFIX):
        raise ConfirmRefused(_("签名不是有效的图片，请清除后重新签名。"))
    try:
        raw = base64.b64decode(data_url[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ConfirmRefused(_("签名不是有效的图片，请清除后重新签名。")) from exc
    if uploads.sniff(raw[:16]) != uploads.PNG:
        raise ConfirmRefused(_("签名不是有效的图片，请清除后重新签名。"))
    try:
        # The size from the header, before a pixel is decoded: a small file may claim a huge
        # canvas.
        with Image.open(io.BytesIO(raw), formats=["PNG"]) as probe:
            width, height = probe.size
        if width > SIGNATURE_MAX_WIDTH or height > SIGNATURE_MAX_HEIGHT:
            raise ConfirmRefused(_("签名图片尺寸过大，请清除后重新签名。"))
        png = uploads.reencode_image(raw, uploads.PNG)
    except (uploads.UploadRefused, *uploads.DECODE_ERRORS) as exc:
        raise ConfirmRefused(_("签名不是有效的图片，请清除后重新签名。")) from exc
    with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
        # On white: a transparent canvas's strokes are its opaque pixels.
        sheet = Image.new("RGBA", image.size, (255, 255, 255, 255))
        sheet.alpha_composite(image.convert("RGBA"))
        gray = sheet.convert("L")
    ink = gray.point(lambda v: 255 if v < 128 else 0)
    box = ink.getbbox()
    dark = sum(ink.histogram()[255:])
    if (
        box is None
        or dark < SIGNATURE_MIN_INK
        or max(box[2] - box[0], box[3] - box[1]) < SIGNATURE_MIN_EXTENT
    ):
        raise ConfirmRefused(_("未检测到签名笔迹，请在签名框内签名后再确认。"))
    if len(png) > SIGNATURE_MAX_BYTES:
        raise ConfirmRefused(_("签名图片过大，请清除后重新签名。"))
    return png


def _check_code(token: str, digest_seen: str, code: str) -> None:
    """The code sent for this agreement, accepted (and used up) or refused. Checked before
    the confirmation's transaction: ``check_code`` commits its count of a wrong try, which a
    refusal must not roll back (a guesser would have unlimited tries)."""
    invite = _invite(token, lock=False)
    if invite.used_at is not None:
        raise ConfirmRefused(_("您已通过此链接确认过调解协议。"))
    if digest_seen != agreement_digest(invite.agreement):
        raise ConfirmRefused(_("调解协议的内容已有变更，请重新阅读下方的协议后再确认。"))
    code = (code or "").strip()
    if not code or len(code) > CODE_MAX:
        raise ConfirmRefused(_("请输入短信验证码。"))
    try:
        check_code(
            phone=_phone(invite),
            purpose=CodePurpose.CONFIRM,
            scope=str(invite.agreement_id),
            code=code,
        )
    except CodeRefused as refused:
        raise ConfirmRefused(refused.message) from refused


def _confirm(
    *,
    token: str,
    digest_seen: str,
    method: str,
    signature: bytes | None,
    client_ip: str,
    user_agent: str,
) -> AgreementConfirmation:
    with transaction.atomic():
        invite = _invite(token, lock=True)
        if invite.used_at is not None:
            raise ConfirmRefused(_("您已通过此链接确认过调解协议。"))
        agreement = Agreement.objects.select_for_update().get(pk=invite.agreement_id)
        digest = agreement_digest(agreement)
        if digest_seen != digest:
            raise ConfirmRefused(_("调解协议的内容已有变更，请重新阅读下方的协议后再确认。"))
        now = timezone.now()
        confirmation, created = AgreementConfirmation.objects.get_or_create(
            agreement=agreement,
            party=invite.party,
            digest=digest,
            defaults={
                "method": method,
                "confirmed_at": now,
                "signature": signature,
                "client_ip": client_ip or None,
                "user_agent": _clean_user_agent(user_agent),
            },
        )
        invite.used_at = now
        invite.save(update_fields=["used_at"])
        if created:
            case = lock_case_for_party(invite)
            record_event(
                case,
                actor=None,
                action=MediationAction.AGREEMENT_CONFIRM,
                from_status=case.status,
                to_status=case.status,
                note=_("%(name)s以%(how)s确认调解协议（文本摘要 %(d)s…）")
                % {
                    "name": MASKED.name(invite.party.name, invite.party.kind),
                    "how": confirmation.get_method_display(),
                    "d": digest[:12],
                },
                data={"party": invite.party_id, "method": method, "digest": digest},
            )
            audit_record(
                actor=None,
                event_type=EventType.MEDIATION_AGREEMENT_CONFIRM,
                obj=confirmation,
                after={"party": invite.party_id, "method": method, "digest": digest},
            )
    return confirmation


def lock_case_for_party(invite: ConfirmationInvite) -> Case:
    """The agreement's case, locked (the timeline entry of a party's confirmation)."""
    return Case.objects.select_for_update().get(pk=invite.agreement.case_id)


def confirm_by_code(
    *, token: str, digest_seen: str, code: str, client_ip: str = "", user_agent: str = ""
) -> AgreementConfirmation:
    """The party confirms the text they read (``digest_seen``) with the code sent to them."""
    _check_code(token, digest_seen, code)
    return _confirm(
        token=token,
        digest_seen=digest_seen,
        method=ConfirmMethod.SMS_CODE,
        signature=None,
        client_ip=client_ip,
        user_agent=user_agent,
    )


def confirm_by_signature(
    *, token: str, digest_seen: str, data_url: str, client_ip: str = "", user_agent: str = ""
) -> AgreementConfirmation:
    """The party confirms the text they read (``digest_seen``) with a signature drawn on the
    screen (a PNG data URL)."""
    png = _signature_png(data_url)
    return _confirm(
        token=token,
        digest_seen=digest_seen,
        method=ConfirmMethod.SIGNATURE,
        signature=png,
        client_ip=client_ip,
        user_agent=user_agent,
    )


# --- What the mediator's page shows ------------------------------------------------------------


@dataclass(frozen=True)
class PartyConfirmation:
    """One party's standing on the agreement: their confirmation of the current text, else
    their latest of an earlier text (no longer counts), and whether a link is out."""

    party: Party
    name: str
    current: AgreementConfirmation | None
    earlier: AgreementConfirmation | None
    invited_at: datetime | None
    link_used: bool


def confirmation_status(case: Case, shown_name: Any = None) -> tuple[str, list[PartyConfirmation]]:
    """The agreement's current digest and each party's confirmation (two queries)."""
    agreement = _agreement_of(case)
    if agreement is None:
        return "", []
    digest = agreement_digest(agreement)
    rows = AgreementConfirmation.objects.filter(agreement=agreement).defer("signature")
    by_party: dict[int, list[AgreementConfirmation]] = {}
    for row in rows.order_by("-confirmed_at"):
        by_party.setdefault(row.party_id, []).append(row)
    invites = {i.party_id: i for i in ConfirmationInvite.objects.filter(agreement=agreement)}
    name = shown_name or (lambda p: MASKED.name(p.name, p.kind))
    status = []
    for party in Party.objects.filter(case=case).order_by("role", "pk"):
        mine = by_party.get(party.pk, [])
        current = next((c for c in mine if c.digest == digest), None)
        earlier = next((c for c in mine if c.digest != digest), None)
        invite = invites.get(party.pk)
        status.append(
            PartyConfirmation(
                party=party,
                name=name(party),
                current=current,
                earlier=earlier if current is None else None,
                invited_at=invite.issued_at if invite else None,
                link_used=bool(invite and invite.used_at),
            )
        )
    return digest, status
