"""The public portal's writes: an application registered through the one intake, the
applicant's consent, evidence; a party's rating; a "was this helpful" vote.

The portal has no logged-in user. What it registers is registered by the portal's own account
(``portal_actor``: no password, one role that grants nothing but 登记, scoped to what it
registered), so the intake's permission check, numbering, routing, risk grading, duplicate
flagging, timeline, audit and the platform's notice run exactly as for staff and grid workers."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from fengqiao.accounts.choices import DataScope
from fengqiao.accounts.models import Role, RoleGrant, User
from fengqiao.core import uploads
from fengqiao.disputes.choices import IntakeChannel, PartyKind, PartyRole
from fengqiao.disputes.models import Case, Party
from fengqiao.disputes.services.errors import CaseRuleError, PartyInput
from fengqiao.disputes.services.intake import IntakeReport, case_intake
from fengqiao.mediation.services import consent_at_application, evidence_store
from fengqiao.portal.models import Application, Article, Evaluation
from fengqiao.regions.models import Region

PORTAL_USERNAME = "portal-applications"
PORTAL_ROLE = "portal_intake"
EVIDENCE_MAX_FILES = 3
EVIDENCE_FILE_MAX_BYTES_DEFAULT = 5 * 1024 * 1024
COMMENT_MAX = 500


def evidence_file_limit() -> int:
    """The largest evidence file a citizen may upload (``FENGQIAO_PORTAL_EVIDENCE_MAX_BYTES``)."""
    return int(
        getattr(settings, "FENGQIAO_PORTAL_EVIDENCE_MAX_BYTES", EVIDENCE_FILE_MAX_BYTES_DEFAULT)
    )


def consent_text(online: bool) -> str:
    """What the applicant reads and ticks (人民调解法 art. 17; 《人民法院在线调解规则》 art. 4)."""
    text = _(
        "本人自愿申请人民调解，同意由人民调解委员会依照《中华人民共和国人民调解法》"
        "在当事人自愿、平等的基础上进行调解；知道调解不收取任何费用，"
        "调解不成的可以依法通过仲裁、行政、司法等途径维护自己的权利。"
    )
    if online:
        text += _(
            "本人同意以在线方式（视频、音频、文字）参加调解；在线调解须经当事人同意，"
            "本人可以随时要求改为现场调解。"
        )
    return text


def portal_actor() -> User:
    """The account the portal registers as: created on first use, with no usable password
    (nobody logs in as it) and one role, 网上申请, that grants only 登记."""
    user = User.objects.filter(username=PORTAL_USERNAME).first()
    if user is not None:
        return user
    with transaction.atomic():
        role, created = Role.objects.get_or_create(
            code=PORTAL_ROLE,
            defaults={
                "name": _("网上申请（系统）"),
                "scope": DataScope.OWN,
                "description": _("公众服务平台登记网上申请所用的系统账户角色，仅有登记权限"),
                "is_builtin": True,
            },
        )
        if created:
            role.permissions.set(
                Permission.objects.filter(
                    content_type__app_label="disputes", codename="register_case"
                )
            )
        try:
            with transaction.atomic():
                user = User(
                    username=PORTAL_USERNAME,
                    real_name=_("网上申请"),
                    must_change_password=False,
                )
                user.set_unusable_password()
                user.save()
                RoleGrant.objects.create(user=user, role=role, org=None)
        except IntegrityError:
            pass  # another request created it
    return User.objects.get(username=PORTAL_USERNAME)


@dataclass(frozen=True)
class EvidenceFile:
    name: str
    checked: uploads.CheckedFile


@dataclass(frozen=True)
class ApplicationInput:
    """One application as the portal's form brings it; ``applicant_phone`` is the verified one."""

    token: str
    applicant_name: str
    applicant_phone: str
    category: str
    region: Region
    title: str
    facts: str
    respondent_name: str
    applicant_id_number: str = ""
    respondent_phone: str = ""
    address: str = ""
    claims: str = ""
    online: bool = False
    files: tuple[EvidenceFile, ...] = field(default_factory=tuple)


def application_by_token(token: str) -> Case | None:
    found = Application.objects.filter(token=token).select_related("case").first()
    return found.case if found is not None else None


def portal_apply(*, data: ApplicationInput) -> Case:
    """申请调解 — register the application through the one intake (channel 网上申请; the
    platform is the 属地 platform of the village; possible duplicates are flagged for the
    platform, never shown to the applicant), keep the applicant's consent and the evidence. The
    same ``token`` again returns the case it registered."""
    earlier = application_by_token(data.token)
    if earlier is not None:
        return earlier
    actor = portal_actor()
    parties = [
        PartyInput(
            role=PartyRole.APPLICANT,
            name=data.applicant_name,
            id_number=data.applicant_id_number,
            phone=data.applicant_phone,
        ),
        PartyInput(
            role=PartyRole.RESPONDENT,
            kind=PartyKind.PERSON,
            name=data.respondent_name,
            phone=data.respondent_phone,
        ),
    ]
    report = IntakeReport(
        channel=IntakeChannel.PORTAL,
        category=data.category,
        region=data.region,
        title=data.title,
        parties=tuple(parties),
        facts=data.facts,
        claims=data.claims,
        address=data.address,
    )
    try:
        with transaction.atomic():
            outcome = case_intake(actor=actor, report=report, confirm_new=True)
            case = outcome.case
            if case is None:  # confirm_new always registers
                raise CaseRuleError(_("申请未能登记，请稍后再试。"))
            # The unique token: a twin of this request that got here first makes this one
            # fail and roll back whole (no second case).
            Application.objects.create(token=data.token, case=case)
            applicant = Party.objects.get(case=case, role=PartyRole.APPLICANT)
            consent_at_application(
                actor=actor,
                case=case,
                party=applicant,
                online=data.online,
                text=consent_text(data.online),
            )
            for f in data.files:
                evidence_store(case=case, actor=actor, checked=f.checked, name=f.name, title=f.name)
    except IntegrityError:
        earlier = application_by_token(data.token)
        if earlier is None:
            raise
        return earlier
    return case


class EvaluationRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def evaluation_add(*, case: Case, party: Party, rating: int, comment: str = "") -> Evaluation:
    """评价 — a party rates the mediation of their case once (a database constraint), when
    the case has an outcome."""
    from fengqiao.portal.selectors import may_evaluate

    if party.case_id != case.pk:
        raise EvaluationRefused(_("您不是本案当事人。"))
    if not may_evaluate(case):
        raise EvaluationRefused(_("案件办结后才能评价。"))
    if rating not in range(1, 6):
        raise EvaluationRefused(_("请选择1至5分。"))
    comment = comment.strip()[:COMMENT_MAX]
    try:
        with transaction.atomic():
            return Evaluation.objects.create(case=case, party=party, rating=rating, comment=comment)
    except IntegrityError as exc:
        raise EvaluationRefused(_("您已评价过本案，感谢您的反馈。")) from exc


def article_vote(*, article: Article, helpful: bool) -> None:
    """这条回答对您有帮助吗？ — one more yes or no (an UPDATE, no read-modify-write)."""
    name = "helpful" if helpful else "not_helpful"
    Article.objects.filter(pk=article.pk).update(**{name: F(name) + 1})
