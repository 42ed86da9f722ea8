"""The access matrix, generated from the URL conf (issue "Hostile input and operations", item
11): every URL pattern and API operation × every demo account (and nobody logged in) × an object
in the account's scope and one outside it, on the small demo county.

``RULES`` is the specification: for each URL name, the permission it needs and the kind of
object its ids name. A URL added without a rule fails ``test_every_url_has_a_rule``; a view that
forgets its permission check, or reads an object without the user's scope (IDOR), fails
``test_access``. Each request runs in a savepoint that is rolled back, so a POST that succeeds
changes nothing for the next one.

Expected answers: nobody logged in → the login page (302) or, for the API, 401; a permission
missing → 403; an object outside the scope → 404 (or 403); allowed → 200 for a page, and for a
POST with an empty form anything but 403/404/5xx (a form error or a redirect).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from fengqiao.accounts.access import grant_org_ids, has_perm, restrict
from fengqiao.accounts.models import PasswordReset, Role, RoleGrant, User
from fengqiao.accounts.permissions import MANAGE_ACCOUNTS, MANAGE_ROLES
from fengqiao.accounts.resets import password_reset_start
from fengqiao.adminsite import ADMIN_PERMS
from fengqiao.alarms.models import Alarm
from fengqiao.alarms.policy import RAISE as ALARM_RAISE
from fengqiao.alarms.policy import VIEW as ALARM_VIEW
from fengqiao.alarms.policy import alarm_may
from fengqiao.api.choices import ApiScope
from fengqiao.api.services import api_key_create
from fengqiao.assessment.models import Indicator
from fengqiao.assessment.permissions import VIEW_RANKING
from fengqiao.assessment.policy import may_manage, may_publish, may_score
from fengqiao.audit.permissions import VIEW_AUDITEVENT
from fengqiao.core.crypto import sm3_hex
from fengqiao.court.models import Confirmation, CourtReferral, RosterMember, ScreeningFlag
from fengqiao.court.models.confirmation import ServiceReceipt
from fengqiao.court.permissions import REVIEW_CONFIRMATION, RULE_CONFIRMATION
from fengqiao.court.referral_policy import COURT_CHANNELS, court_ids, is_court_user
from fengqiao.court.selectors.confirmation import court_ids_for, receipt_signature_visible
from fengqiao.demo.accounts import DEMO_ACCOUNTS
from fengqiao.disputes import actions
from fengqiao.disputes.choices import CaseStatus
from fengqiao.disputes.disclosure import PHONE, case_disclosure
from fengqiao.disputes.exports import CASE_LEDGER
from fengqiao.disputes.models import Case, DispatchOrder, Party
from fengqiao.disputes.permissions import REGISTER_CASE, VIEW_CASE
from fengqiao.disputes.policy import MEDIATION_STATES
from fengqiao.documents.choices import DocumentType
from fengqiao.documents.models import IssuedDocument, SigningCredential, SigningTrustRoot
from fengqiao.governance import selectors as governance
from fengqiao.governance.models import GovernanceFile, Meeting
from fengqiao.governance.policy import is_platform_user, platforms_for
from fengqiao.ledgers.choices import ExportStatus
from fengqiao.ledgers.models import LedgerExport
from fengqiao.ledgers.permissions import EXPORT_LEDGER
from fengqiao.mediation.confirmation_policy import REQUEST as CONFIRM_REQUEST
from fengqiao.mediation.confirmation_policy import agreement_may
from fengqiao.mediation.guidance import guidance_visible_to
from fengqiao.mediation.models import Evidence, GuidanceRequest, Room, RoomParticipant
from fengqiao.mediation.room_policy import HOST, RECORD, SCHEDULE, room_may
from fengqiao.mediation.services import evidence_upload
from fengqiao.mediation.tests.room_helpers import scheduled_room
from fengqiao.mediators import selectors as mediators_selectors
from fengqiao.mediators.choices import ApplicationStatus
from fengqiao.mediators.models import Application, MediatorRating, SubsidyRule
from fengqiao.mediators.permissions import (
    HANDLE_COMPLAINT,
    MANAGE_RECRUITMENT,
    MANAGE_SUBSIDY,
    RATE_MEDIATORS,
    STAFF_PERMS,
    VIEW_MEDIATOR_WORK,
    VIEW_OWN_WORK,
)
from fengqiao.notify.models import Notification
from fengqiao.orgs.models import Membership, Organization, Person
from fengqiao.orgs.permissions import (
    MANAGE_ORGS,
    VIEW_ORGANIZATION,
    VIEW_PERSON,
    VIEW_PERSONAL_DATA,
    VIEW_REPORTS,
)
from fengqiao.orgs.selectors import people_visible_to
from fengqiao.portal.models import Article
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.regions.permissions import VIEW_REGION
from fengqiao.reports import selectors as report_selectors
from fengqiao.reports.models import Report, ReportFile
from fengqiao.reports.permissions import GENERATE_REPORT, VIEW_REPORT
from fengqiao.reports.services import report_regions
from fengqiao.risk import selectors as risk_selectors
from fengqiao.stats.permissions import ADD_EXTERNALFIGURE, VIEW_STATISTICS
from fengqiao.supervision import selectors as supervision_selectors
from fengqiao.supervision.permissions import OVERSEE

pytestmark = pytest.mark.usefixtures("demo_county", "db")

ANYONE, LOGGED_IN = "anyone", "logged in"
# Only whoever holds an invitation link of an online mediation room (none of the accounts, and
# nobody without the link): refused with a page that says why (403).
INVITED = "invitation link"
GET, POST = "GET", "POST"
USERNAMES = [a.username for a in DEMO_ACCOUNTS]


@dataclass(frozen=True)
class Rule:
    """Who may use a URL: ``ANYONE``, ``LOGGED_IN``, a permission code, a tuple of codes of
    which any one will do, or a policy predicate (a court user, ``referral_policy``); ``obj``
    names the kind of object each of its ids is, in order."""

    who: str | tuple[str, ...] | Callable[[Any], bool]
    method: str = GET
    obj: tuple[str, ...] = ()


CASE_ACTION = Rule(VIEW_CASE, POST, ("case",))
COURT = (REVIEW_CONFIRMATION, RULE_CONFIRMATION)
RULES: dict[str, Rule] = {
    "healthz": Rule(ANYONE),
    "web:home": Rule(LOGGED_IN),
    "web:favicon": Rule(ANYONE),
    "accounts:login": Rule(ANYONE),
    "accounts:logout": Rule(ANYONE, POST),
    "accounts:password_change": Rule(LOGGED_IN),
    "accounts:password_reset_with_code": Rule(ANYONE),
    "accounts:profile": Rule(LOGGED_IN),
    "accounts:totp_setup": Rule(LOGGED_IN),
    "accounts:user_list": Rule((MANAGE_ACCOUNTS, MANAGE_ROLES)),
    "accounts:user_create": Rule(MANAGE_ACCOUNTS),
    "accounts:user_detail": Rule((MANAGE_ACCOUNTS, MANAGE_ROLES), GET, ("user",)),
    "accounts:user_edit": Rule(MANAGE_ACCOUNTS, POST, ("user",)),
    "accounts:user_reset_password": Rule(MANAGE_ACCOUNTS, POST, ("user",)),
    "accounts:user_unlock": Rule(MANAGE_ACCOUNTS, POST, ("user",)),
    "accounts:grant_add": Rule(MANAGE_ROLES, POST, ("user",)),
    "accounts:grant_revoke": Rule(MANAGE_ROLES, POST, ("user", "grant")),
    "accounts:reset_list": Rule(MANAGE_ROLES),
    "accounts:reset_reveal": Rule(MANAGE_ROLES, POST, ("reset",)),
    "accounts:role_list": Rule(MANAGE_ROLES),
    "accounts:role_edit": Rule(MANAGE_ROLES, GET, ("role",)),
    "regions:tree": Rule(VIEW_REGION),
    "orgs:org_list": Rule(VIEW_ORGANIZATION),
    "orgs:org_detail": Rule(VIEW_ORGANIZATION, GET, ("org",)),
    "orgs:roster": Rule(VIEW_PERSON),
    "orgs:person_detail": Rule(VIEW_PERSON, GET, ("person",)),
    "orgs:person_reveal": Rule(VIEW_PERSONAL_DATA, POST, ("person",)),
    "orgs:reports": Rule(VIEW_REPORTS),
    "orgs:org_create": Rule(MANAGE_ORGS),
    "orgs:org_edit": Rule(MANAGE_ORGS, GET, ("managed_org",)),
    "orgs:person_create": Rule(MANAGE_ORGS),
    "orgs:person_edit": Rule(MANAGE_ORGS, GET, ("managed_person",)),
    "orgs:membership_add": Rule(MANAGE_ORGS, GET, ("managed_person",)),
    "orgs:profile_edit": Rule(MANAGE_ORGS, GET, ("managed_person",)),
    "orgs:training_add": Rule(MANAGE_ORGS, GET, ("managed_person",)),
    "orgs:recusal_add": Rule(MANAGE_ORGS, GET, ("managed_person",)),
    "orgs:membership_edit": Rule(MANAGE_ORGS, GET, ("managed_membership",)),
    "orgs:membership_end": Rule(MANAGE_ORGS, GET, ("managed_membership",)),
    "orgs:import": Rule(MANAGE_ORGS),
    "orgs:import_template": Rule(MANAGE_ORGS, GET, ("template",)),
    "audit:event_list": Rule(VIEW_AUDITEVENT),
    "audit:verify": Rule(VIEW_AUDITEVENT, POST),
    "disputes:case_list": Rule(VIEW_CASE),
    "disputes:my_work": Rule(VIEW_CASE),
    "disputes:case_new": Rule(REGISTER_CASE),
    "disputes:case_report": Rule(REGISTER_CASE),
    "disputes:report_done": Rule(VIEW_CASE, GET, ("case",)),
    "disputes:report_linked": Rule(VIEW_CASE, GET, ("case",)),
    "disputes:case_detail": Rule(VIEW_CASE, GET, ("case",)),
    "disputes:case_act": Rule(VIEW_CASE, POST, ("case", "action")),
    "disputes:party_reveal": Rule(VIEW_CASE, POST, ("case", "party")),
    "disputes:order_accept": Rule(VIEW_CASE, POST, ("order",)),
    "disputes:order_return": Rule(VIEW_CASE, POST, ("order",)),
    "mediation:consent_record": CASE_ACTION,
    "mediation:notice_deliver": CASE_ACTION,
    "mediation:session_record": CASE_ACTION,
    "mediation:evidence_upload": CASE_ACTION,
    "mediation:opinion_record": CASE_ACTION,
    "mediation:performance_item_add": CASE_ACTION,
    "mediation:performance_record": CASE_ACTION,
    "mediation:performance_default": CASE_ACTION,
    "mediation:performance_certificate": CASE_ACTION,
    "mediation:evidence_download": Rule(VIEW_CASE, GET, ("evidence",)),
    "mediation:guidance_ask": CASE_ACTION,
    "mediation:guidance_list": Rule(VIEW_CASE),
    "mediation:room_schedule": Rule(lambda u: _schedules_rooms(u), GET, ("schedulable_case",)),
    "mediation:room_host": Rule(lambda u: room_may(u, RECORD, _room()), GET, ("room",)),
    "mediation:room_reissue": Rule(
        lambda u: room_may(u, HOST, _room()), POST, ("room", "room_participant")
    ),
    "mediation:room_party": Rule(INVITED, GET, ("room",)),
    "mediation:room_join": Rule(INVITED, GET, ("room_token",)),
    "mediation:confirmation_request": Rule(
        lambda u: _asks_confirmation(u), POST, ("confirmable_case",)
    ),
    "mediation:agreement_confirm": Rule(INVITED, GET, ("confirm_token",)),
    "mediation:guidance_detail": Rule(VIEW_CASE, GET, ("guidance",)),
    "mediation:guidance_attachment": Rule(VIEW_CASE, GET, ("guidance_file",)),
    # 文书: issue from the case page; a DOCX working copy for whoever sees the case; an issued
    # PDF for whoever sees the case with the parties' names in full.
    "mediation:document_issue": CASE_ACTION,
    "mediation:document_docx": Rule(VIEW_CASE, GET, ("case", "doc_type")),
    "mediation:document_download": Rule(VIEW_CASE, GET, ("issued",)),
    "notify:list": Rule(LOGGED_IN),
    "notify:settings": Rule(LOGGED_IN),
    "notify:read": Rule(LOGGED_IN, POST),
    # POST only (it marks the message read); the demo county now holds messages to open.
    "notify:open": Rule(LOGGED_IN, POST, ("notification",)),
    # Public: anyone holding an issued document checks it (masked names only).
    "documents:verify": Rule(ANYONE, GET, ("document",)),
    "documents:trust_root": Rule(ANYONE, GET, ("trust_root",)),
    # 公众服务: public; a case is reached only through an SMS code's grant in the session
    # (fengqiao/portal/tests), so without one these pages send the visitor to 查询进度.
    "portal:home": Rule(ANYONE),
    "portal:captcha": Rule(ANYONE),
    "portal:apply": Rule(ANYONE),
    "portal:apply_done": Rule(ANYONE),
    "portal:track": Rule(ANYONE),
    "portal:case": Rule(ANYONE),
    "portal:evaluate": Rule(ANYONE, POST),
    "portal:complain": Rule(ANYONE, POST),
    "portal:document": Rule(ANYONE, GET, ("portal_document",)),
    "portal:leave": Rule(ANYONE, POST),
    "portal:faq": Rule(ANYONE),
    "portal:faq_article": Rule(ANYONE, GET, ("article",)),
    "portal:faq_vote": Rule(ANYONE, POST, ("article",)),
    "portal:verify": Rule(ANYONE),
    # The org admin's signing credentials, for the courts and committees they manage.
    "signing:credential_list": Rule(MANAGE_ORGS),
    "signing:credential_upload": Rule(MANAGE_ORGS, GET, ("signing_org",)),
    # 诉调对接: court users (a case grant at a court or tribunal) only.
    "court:queues": Rule(is_court_user),
    "court:referral_send": Rule(is_court_user, GET, ("court_case",)),
    "court:referral_file": Rule(is_court_user, POST, ("court_referral",)),
    "court:referral_number": Rule(is_court_user, GET, ("court_referral",)),
    "court:referral_withdraw": Rule(is_court_user, GET, ("court_referral",)),
    "court:roster": Rule(LOGGED_IN),
    "court:roster_decide": Rule(is_court_user, POST, ("roster_entry",)),
    "admin:index": Rule(tuple(sorted(ADMIN_PERMS))),
    # 司法确认: the court's judge and clerk work the queue; whoever sees the case files (its
    # handling mediator, by the policy), downloads the documents and records the service.
    "court:confirmation_queue": Rule(COURT),
    "court:confirmation_detail": Rule(COURT, GET, ("confirmation",)),
    "court:confirmation_accept": Rule(COURT, POST, ("confirmation",)),
    "court:confirmation_refuse": Rule(COURT, POST, ("confirmation",)),
    "court:confirmation_extend": Rule(COURT, POST, ("confirmation",)),
    "court:confirmation_rule": Rule(COURT, POST, ("confirmation",)),
    "court:confirmation_flag_acknowledge": Rule(COURT, POST, ("flag",)),
    "court:confirmation_file": Rule(VIEW_CASE, GET, ("case",)),
    "court:confirmation_serve": Rule(VIEW_CASE, POST, ("readable_confirmation",)),
    "court:confirmation_pdf": Rule(
        (VIEW_CASE, *COURT), GET, ("documented_confirmation", "confirmation_doc")
    ),
    "court:confirmation_scan": Rule((VIEW_CASE, *COURT), GET, ("readable_confirmation",)),
    # A party's signature: the court side, or a reader of the case who sees names in full.
    "court:receipt_signature": Rule((VIEW_CASE, *COURT), GET, ("signed_receipt",)),
    # 会议与任务: reading is the data scope (VIEW_CASE); convening and recording a meeting are
    # the platform's (governance/policy.py); a task's page is for whoever sees it.
    "governance:home": Rule(VIEW_CASE),
    "governance:meeting_new": Rule(is_platform_user),
    "governance:meeting_detail": Rule(VIEW_CASE, GET, ("meeting",)),
    "governance:meeting_act": Rule(is_platform_user, POST, ("my_meeting", "meeting_action")),
    "governance:task_list": Rule(VIEW_CASE),
    "governance:task_detail": Rule(VIEW_CASE, GET, ("gov_task",)),
    "governance:due": Rule(VIEW_CASE),
    "governance:publicity": Rule(VIEW_CASE),
    "governance:publicity_new": Rule(is_platform_user),
    "governance:file_download": Rule(VIEW_CASE, GET, ("gov_file",)),
    # 排查: the board for whoever reads cases; filing for the units' filers
    # (governance/policy.py screening_filing_org); a 专项排查 for a platform user.
    "governance:screening": Rule(VIEW_CASE),
    "governance:screening_file": Rule(lambda u: bool(governance.filing_units(u))),
    "governance:screening_report": Rule(VIEW_CASE, GET, ("screening_report",)),
    "governance:screening_campaign_new": Rule(is_platform_user),
    "risk:warning_list": Rule(VIEW_CASE),
    "risk:warning_detail": Rule(VIEW_CASE, GET, ("warning",)),
    "risk:warning_act": Rule(VIEW_CASE, POST, ("warning", "warning_action")),
    "risk:emergency_list": Rule(VIEW_CASE),
    "risk:emergency_new": Rule(is_platform_user, GET, ("case",)),
    "risk:emergency_detail": Rule(VIEW_CASE, GET, ("emergency",)),
    "risk:emergency_act": Rule(VIEW_CASE, POST, ("emergency", "emergency_action")),
    # 工作台帐: a ledger for whoever may export it (its list's permission and the export
    # permission: ledgers.registry); a finished export for its exporter alone.
    "ledgers:index": Rule(EXPORT_LEDGER),
    # 我的导出's script asks after its pending rows (the user's own: others' ids find nothing).
    "ledgers:export_status": Rule(EXPORT_LEDGER),
    "ledgers:export": Rule(CASE_LEDGER.may_export, GET, ("ledger",)),
    "ledgers:export_download": Rule(LOGGED_IN, GET, ("ledger_export",)),
    "reports:home": Rule(VIEW_REPORT),
    "reports:request": Rule(GENERATE_REPORT, POST),
    "reports:download": Rule(VIEW_REPORT, GET, ("report", "report_format")),
    "stats:dashboard": Rule(VIEW_STATISTICS),
    "stats:external": Rule((VIEW_STATISTICS, ADD_EXTERNALFIGURE)),
    "stats:external_template": Rule(ADD_EXTERNALFIGURE),
    "supervision:board": Rule(OVERSEE),
    "supervision:items": Rule(OVERSEE),
    "supervision:issue": Rule(OVERSEE, POST),
    "supervision:directive_list": Rule(VIEW_CASE),
    "supervision:directive_detail": Rule(VIEW_CASE, GET, ("directive",)),
    # 报警直通: lists are scoped (empty for whoever has none); raising is the policy's; an
    # alarm is seen by its station, the orgs it escalated to and the caller's org.
    "alarms:list": Rule(LOGGED_IN),
    "alarms:raise": Rule(lambda user: alarm_may(user, ALARM_RAISE)),
    "alarms:detail": Rule(LOGGED_IN, GET, ("alarm",)),
    "alarms:acknowledge": Rule(LOGGED_IN, POST, ("alarm",)),
    "alarms:log": Rule(LOGGED_IN, POST, ("alarm",)),
    "alarms:close": Rule(LOGGED_IN, POST, ("alarm",)),
    # 调解员管理 (docs/mediators.md): each section its permission, objects in its data scope;
    # a step the object's state refuses is said on the page (a redirect), not a 403.
    "mediators:home": Rule((*STAFF_PERMS, VIEW_OWN_WORK)),
    "mediators:round_list": Rule(MANAGE_RECRUITMENT),
    "mediators:round_new": Rule(MANAGE_RECRUITMENT),
    "mediators:round_detail": Rule(MANAGE_RECRUITMENT, GET, ("med_round",)),
    "mediators:application_add": Rule(MANAGE_RECRUITMENT, POST, ("med_round",)),
    "mediators:round_close": Rule(MANAGE_RECRUITMENT, POST, ("med_round",)),
    "mediators:application_score": Rule(MANAGE_RECRUITMENT, POST, ("med_application",)),
    "mediators:application_appoint": Rule(MANAGE_RECRUITMENT, GET, ("med_application",)),
    "mediators:application_decline": Rule(MANAGE_RECRUITMENT, POST, ("med_application",)),
    "mediators:complaint_list": Rule(HANDLE_COMPLAINT),
    "mediators:complaint_new": Rule(HANDLE_COMPLAINT),
    "mediators:complaint_detail": Rule(HANDLE_COMPLAINT, GET, ("med_complaint",)),
    "mediators:complaint_act": Rule(HANDLE_COMPLAINT, POST, ("med_complaint", "complaint_step")),
    "mediators:complaint_resume": Rule(HANDLE_COMPLAINT, POST, ("med_complaint",)),
    "mediators:ratings": Rule(RATE_MEDIATORS),
    "mediators:criteria": Rule(RATE_MEDIATORS),
    "mediators:ratings_propose": Rule(RATE_MEDIATORS, POST),
    "mediators:rating_approve": Rule(RATE_MEDIATORS, POST, ("med_rating",)),
    "mediators:statements": Rule(MANAGE_SUBSIDY),
    "mediators:statement_compute": Rule(MANAGE_SUBSIDY, POST),
    "mediators:statement_detail": Rule(MANAGE_SUBSIDY, GET, ("med_statement",)),
    "mediators:statement_recompute": Rule(MANAGE_SUBSIDY, POST, ("med_statement",)),
    "mediators:statement_adjust": Rule(MANAGE_SUBSIDY, POST, ("med_statement",)),
    "mediators:statement_approve": Rule(MANAGE_SUBSIDY, POST, ("med_statement",)),
    "mediators:statement_export": Rule(MANAGE_SUBSIDY, GET, ("med_statement",)),
    "mediators:subsidy_rules": Rule(MANAGE_SUBSIDY),
    "mediators:subsidy_rule_new": Rule(MANAGE_SUBSIDY),
    "mediators:subsidy_rule_end": Rule(MANAGE_SUBSIDY, POST, ("med_rule",)),
    "mediators:mediator_list": Rule(VIEW_MEDIATOR_WORK),
    "mediators:mediator_detail": Rule(VIEW_MEDIATOR_WORK, GET, ("med_person",)),
    "mediators:my_work": Rule(VIEW_OWN_WORK),
    # 考核: read by whoever holds the permission (their lines only); the scheme and the
    # publication are the county platform's (assessment/policy.py).
    "assessment:ranking": Rule(VIEW_RANKING),
    "assessment:export": Rule(VIEW_RANKING),
    "assessment:publish": Rule(lambda u: may_publish(u, _county()), POST),
    "assessment:scheme": Rule(VIEW_RANKING, GET, ("year",)),
    "assessment:indicator_new": Rule(lambda u: may_manage(u, _county()), GET, ("year",)),
    "assessment:indicator_edit": Rule(
        lambda u: may_manage(u, _county()), GET, ("year", "indicator")
    ),
    "assessment:manual_scores": Rule(
        lambda u: may_score(u, _county()), GET, ("year", "manual_indicator")
    ),
    "assessment:manual_score_clear": Rule(
        lambda u: may_score(u, _county()), POST, ("year", "manual_indicator")
    ),
}
# The API is checked by its own test below (keys, not sessions); these are its URL names.
API = {"api:case_create", "api:case_list", "api:case_detail", "api:openapi-json", "api:api-root"}
# 司法确认 over the API: checked below for every key (read) and in api/tests/test_confirmations.py.
API |= {
    "api:confirmation_create",
    "api:confirmation_list",
    "api:confirmation_detail",
    "api:confirmation_accept",
    "api:confirmation_refuse",
    "api:confirmation_flag_acknowledge",
    "api:confirmation_rule",
    "api:confirmation_ruling_pdf",
}
# 诉调对接 over the API: checked below for every key (read) and in court/tests/test_referral_api.py.
API |= {
    "api:referral_create",
    "api:referral_list",
    "api:referral_detail",
    "api:referral_file",
    "api:referral_number",
    "api:referral_withdraw",
    "api:referral_return",
}


def url_names() -> Iterator[str]:
    """Every named URL of the URL conf (the admin site by its index only)."""

    def walk(resolver: URLResolver, namespace: str) -> Iterator[str]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
                if entry.namespace == "admin":
                    yield "admin:index"
                    continue
                yield from walk(entry, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}:{entry.name}" if namespace else entry.name

    return iter(sorted(set(walk(get_resolver(), ""))))


def test_every_url_has_a_rule() -> None:
    missing = [n for n in url_names() if n not in RULES and n not in API]
    assert not missing, f"URLs without an access rule in RULES: {missing}"
    stale = [n for n in RULES if n not in set(url_names())]
    assert not stale, f"rules for URLs that no longer exist: {stale}"


# --- Objects in and out of a user's scope ----------------------------------------------------


def _county() -> Region:
    return Region.objects.get(level=RegionLevel.COUNTY)


def _indicator(**where: str) -> Indicator:
    return (
        Indicator.objects.filter(**where)
        .select_related("scheme")
        .order_by("-scheme__year", "pk")[0]
    )


def _first(qs: Any) -> int | None:
    return qs.order_by("pk").values_list("pk", flat=True).first()


def _visible_cases(user: User) -> Any:
    return restrict(Case.objects.all(), user, VIEW_CASE)


def _schedulable(user: User) -> int | None:
    """A case the user may schedule an online mediation room on."""
    for case in _visible_cases(user).filter(status__in=MEDIATION_STATES).order_by("pk")[:40]:
        if room_may(user, SCHEDULE, case):
            return case.pk
    return None


def _schedules_rooms(user: User) -> bool:
    return _schedulable(user) is not None


def _confirmable(user: User) -> int | None:
    """A case whose agreement the user may ask the parties to confirm."""
    for case in _visible_cases(user).filter(status=CaseStatus.RESOLVED).order_by("pk")[:40]:
        if agreement_may(user, CONFIRM_REQUEST, case):
            return case.pk
    return None


def _asks_confirmation(user: User) -> bool:
    return _confirmable(user) is not None


def _room() -> Room:
    """The one online mediation room of the test (the demo county has none): on a case the
    village mediator mediates, its parties consenting to online mediation."""
    room = Room.objects.order_by("pk").first()
    return room if room is not None else scheduled_room()[0]


def _managed_orgs(user: User) -> Any:
    return restrict(Organization.objects.all(), user, MANAGE_ORGS)


def _png() -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PNG")
    out.seek(0)
    return out


def _signed_receipt(user: User, inside: bool) -> int | None:
    """A recorded 送达回证 whose signature ``user`` may see (inside), or one of an application
    the user does not read (outside)."""
    readable = Confirmation.objects.filter(court_id__in=court_ids_for(user)) | (
        Confirmation.objects.filter(case__in=_visible_cases(user).values("pk"))
    )
    receipts = ServiceReceipt.objects.select_related("confirmation__case")
    if not inside:
        return _first(receipts.exclude(confirmation__in=readable.values("pk")))
    for receipt in receipts.filter(confirmation__in=readable.values("pk")):
        if receipt_signature_visible(user, receipt.confirmation):
            return receipt.pk
    return None


def _issued_document_id() -> str:
    """The public id of an issued document (a record: the page reads no file)."""
    existing = IssuedDocument.objects.values_list("public_id", flat=True).first()
    if existing is not None:
        return existing
    pdf = b"%PDF-1.7 access matrix"
    return IssuedDocument.objects.create(
        doc_type=DocumentType.MEDIATION_AGREEMENT,
        case_number="FQ-MATRIX",
        issuer_org=Organization.objects.order_by("pk")[0],
        sha256=hashlib.sha256(pdf).hexdigest(),
        sm3=sm3_hex(pdf),
        file_name="documents/matrix.pdf",
        masked_parties=["张*"],
    ).public_id


def _issued_of(case: Case) -> str:
    """The public id of an issued document of ``case`` (a record and a stored file)."""
    existing = IssuedDocument.objects.filter(case_number=case.number).first()
    if existing is not None:
        return existing.public_id
    pdf = b"%PDF-1.7 access matrix"
    name = default_storage.save(f"documents/matrix-{case.pk}.pdf", ContentFile(pdf))
    return IssuedDocument.objects.create(
        doc_type=DocumentType.MEDIATION_APPLICATION,
        case_number=case.number,
        issuer_org=case.handling_org or case.platform,
        sha256=hashlib.sha256(pdf).hexdigest(),
        sm3=sm3_hex(pdf),
        file_name=name,
    ).public_id


def _issued(user: User, inside: bool) -> str | None:
    """An issued document the user may download (of a case they see with the names in full),
    or one of a case they cannot see."""
    if not inside:
        other = Case.objects.exclude(pk__in=_visible_cases(user).values("pk")).order_by("pk")
        return _issued_of(other[0]) if other.exists() else None
    for case in _visible_cases(user).order_by("pk")[:30]:
        if case_disclosure(user, case).full_names:
            return _issued_of(case)
    return None


def _evidence(case: Case) -> Evidence:
    """Evidence on ``case``, uploaded by a mediator of its handling org when it has none."""
    existing = Evidence.objects.filter(case=case).first()
    if existing is not None:
        return existing
    data = _png()
    mediator = case.handler or User.objects.get(username="mediator")
    return evidence_upload(
        actor=mediator, case_id=case.pk, file=data, name="现场照片.png", size=len(data.getvalue())
    )


def objects_for(kind: str, user: User | None, inside: bool) -> int | str | None:
    """An object of ``kind`` inside the user's scope (``inside``) or outside it; None when the
    demo county has none (a county-wide role has nothing outside)."""
    if kind == "template":
        return "orgs" if inside else None
    if kind == "year":  # the demo county's scheme of this year (one county: nothing outside)
        return _indicator().scheme.year if inside else None
    if kind == "indicator":
        return _indicator().pk if inside else None
    if kind == "manual_indicator":  # the scheme's 人工评分 indicator (seed 000 item 10)
        return _indicator(rule="manual").pk if inside else None
    if kind == "action":
        return "assess" if inside else None
    if kind == "document":  # public: no scope, nothing outside it
        return _issued_document_id() if inside else None
    if kind == "meeting_action":
        return "minutes" if inside else None
    if kind == "ledger":
        return "cases" if inside else None
    if kind == "ledger_export":
        return _ledger_export(user, inside)
    if kind == "warning_action":
        return "record" if inside else None
    if kind == "emergency_action":
        return "log" if inside else None
    if kind == "confirmation_doc":
        return "application" if inside else None
    if kind == "doc_type":  # a type every case has; the case is what the scope is about
        return DocumentType.MEDIATION_APPLICATION.value
    if kind in ("room_token", "confirm_token"):  # no account holds a link: a stranger's
        return "x" * 43 if inside else None
    if kind == "room":  # one room; who may use it is the rule's predicate
        return _room().pk if inside else None
    if kind == "room_participant":
        return _first(RoomParticipant.objects.filter(room=_room()).exclude(role="host"))
    if kind == "article":  # public: the knowledge base, nothing outside it
        return (
            Article.objects.order_by("pk").values_list("slug", flat=True).first()
            if inside
            else None
        )
    if kind == "portal_document":  # no grant in the session: any id leads to 查询进度
        return IssuedDocument.objects.get(public_id=_issued_document_id()).pk if inside else None
    if kind == "report_format":  # the report is what the scope is about
        return "pdf"
    if kind == "trust_root":  # public: the demo CA's certificate
        return _first(SigningTrustRoot.objects.all()) if inside else None
    if user is None:  # nobody logged in: any object will do
        inside = True
        user = User.objects.get(username="dispatcher")
    if kind == "issued":
        return _issued(user, inside)
    if kind == "confirmable_case":  # one the user may ask on, else one they only see
        if not inside:
            return _first(Case.objects.exclude(pk__in=_visible_cases(user).values("pk")))
        return _confirmable(user) or _first(_visible_cases(user))
    if kind == "schedulable_case":  # one the user may schedule on, else one they only see
        if not inside:
            return _first(Case.objects.exclude(pk__in=_visible_cases(user).values("pk")))
        return _schedulable(user) or _first(_visible_cases(user))
    if kind in ("guidance", "guidance_file"):
        return _guidance_object(kind, user, inside)
    if kind in ("warning", "emergency", "directive"):
        return _prevention_object(kind, user, inside)
    if kind == "report":
        return _report(user, inside)
    if kind == "signed_receipt":
        return _signed_receipt(user, inside)
    if kind in ("confirmation", "flag", "readable_confirmation", "documented_confirmation"):
        mine = Confirmation.objects.filter(court_id__in=court_ids_for(user))
        if kind != "confirmation":
            mine = mine | Confirmation.objects.filter(case__in=_visible_cases(user).values("pk"))
        rows = mine if inside else Confirmation.objects.exclude(pk__in=mine.values("pk"))
        if kind == "documented_confirmation":  # the small demo issues few PDFs
            rows = rows.filter(application_document__isnull=False)
        if kind == "flag":
            return _first(ScreeningFlag.objects.filter(confirmation__in=rows.values("pk")))
        return _first(rows)
    if kind in ("case", "party", "order", "evidence"):
        visible = _visible_cases(user)
        cases = visible if inside else Case.objects.exclude(pk__in=visible.values("pk"))
        if kind == "case":
            return _first(cases)
        if kind == "party":
            return _first(Party.objects.filter(case__in=cases.values("pk")))
        if kind == "order":  # a 交办单 addressed to the user's org, or one of another case
            orders = DispatchOrder.objects.filter(case__in=cases.values("pk"))
            return _first(orders.filter(to_org_id__in=grant_org_ids(user)) if inside else orders)
        handled = cases.filter(status=CaseStatus.MEDIATING, handling_org__isnull=False).first()
        return _evidence(handled).pk if handled is not None else None
    if kind in ("court_case", "court_referral", "roster_entry"):
        return _court_object(kind, user, inside)
    if kind == "screening_report":
        seen = governance.screening_reports_for_user(user)
        model = seen.model
        return _first(seen if inside else model.objects.exclude(pk__in=seen.values("pk")))
    if kind in ("meeting", "my_meeting", "gov_task", "gov_file"):
        return _governance_object(kind, user, inside)
    if kind.startswith("med_") or kind == "complaint_step":
        return _mediators_object(kind, user, inside)
    if kind == "alarm":
        ids = [a.pk for a in Alarm.objects.all() if user and alarm_may(user, ALARM_VIEW, a)]
        rows = Alarm.objects.filter(pk__in=ids)
        return _first(rows if inside else Alarm.objects.exclude(pk__in=ids))
    if kind == "notification":
        mine = Notification.objects.filter(recipient=user)
        return _first(mine if inside else Notification.objects.exclude(recipient=user))
    if kind == "org":
        seen = restrict(Organization.objects.all(), user, VIEW_ORGANIZATION)
        return _first(seen if inside else Organization.objects.exclude(pk__in=seen.values("pk")))
    if kind == "person":
        seen = people_visible_to(user)
        return _first(seen if inside else Person.objects.exclude(pk__in=seen.values("pk")))
    if kind == "signing_org":  # a court or committee the user manages, or one of another region
        signing = Organization.objects.filter(pk__in=SigningCredential.objects.values("org"))
        managed = _managed_orgs(user)
        return _first(
            signing.filter(pk__in=managed.values("pk"))
            if inside
            else signing.exclude(pk__in=managed.values("pk"))
        )
    if kind in ("managed_org", "managed_person", "managed_membership"):
        orgs = _managed_orgs(user)
        if not inside:
            orgs = Organization.objects.exclude(pk__in=orgs.values("pk"))
        memberships = Membership.objects.filter(org__in=orgs.values("pk"))
        if kind == "managed_org":
            return _first(orgs)
        if kind == "managed_membership":
            return _first(memberships)
        return memberships.order_by("person").values_list("person", flat=True).first()
    # Accounts, grants and roles are the administrators' whole domain: no scope inside it.
    if not inside:
        return None
    if kind == "user":
        return User.objects.get(username="mediator").pk
    if kind == "grant":
        return _first(RoleGrant.objects.filter(user__username="mediator"))
    if kind == "role":
        return _first(Role.objects.all())
    if kind == "reset":  # a pending password reset of the demo mediator
        pending = PasswordReset.objects.first()
        if pending is None:
            admin = User.objects.get(username="sysadmin")
            mediator = User.objects.get(username="mediator")
            pending = password_reset_start(actor=admin, user=mediator)[0]
        return pending.pk
    raise AssertionError(kind)


def _ledger_export(user: User | None, inside: bool) -> int:
    """A finished export (我的导出) of ``user`` (``inside``) or of another account."""
    owner = user if inside and user is not None else User.objects.get(username="leader")
    if not inside and user is not None and user.username == "leader":
        owner = User.objects.get(username="mediator")
    stored = default_storage.save("ledgers/matrix.xlsx", ContentFile(b"PK matrix"))
    return LedgerExport.objects.create(
        user=owner,
        ledger="cases",
        title="纠纷台账",
        status=ExportStatus.DONE,
        rows=0,
        filename="cases.xlsx",
        storage_name=stored,
    ).pk


def _mediators_object(kind: str, user: User, inside: bool) -> int | str | None:
    """A 调解员管理 object in the user's scope (``inside``; an applicant still to be decided on)
    or one outside it."""
    if kind == "complaint_step":
        return "investigate" if inside else None
    if kind == "med_rule":  # the county's rules: no scope inside them
        return _first(SubsidyRule.objects.all()) if inside else None
    seen: Any
    if kind == "med_round":
        seen = mediators_selectors.rounds_for_user(user)
    elif kind == "med_application":
        seen = restrict(Application.objects.all(), user, MANAGE_RECRUITMENT)
        if inside:
            seen = seen.filter(status=ApplicationStatus.APPLIED)
    elif kind == "med_complaint":
        seen = mediators_selectors.complaints_for_user(user)
    elif kind == "med_rating":
        seen = restrict(MediatorRating.objects.all(), user, RATE_MEDIATORS)
    elif kind == "med_statement":
        seen = mediators_selectors.statements_for_user(user)
    else:  # med_person: someone with a mediator post the user reads the work of
        posts = restrict(Membership.objects.all(), user, VIEW_MEDIATOR_WORK).filter(
            role__in=["mediator", "invited_mediator"]
        )
        mediators = Person.objects.filter(
            memberships__role__in=["mediator", "invited_mediator"]
        ).distinct()
        seen = mediators.filter(pk__in=posts.values("person_id"))
        return _first(seen if inside else mediators.exclude(pk__in=seen.values("pk")))
    model = seen.model
    return _first(seen if inside else model.objects.exclude(pk__in=seen.values("pk")))


def _governance_object(kind: str, user: User, inside: bool) -> int | None:
    """A meeting, task or file the user sees (``inside``) or one they do not; ``my_meeting``:
    one their platform convened, or one it did not."""
    if kind == "my_meeting":
        mine = Meeting.objects.filter(convening_org__in=[o.pk for o in platforms_for(user)])
        return _first(mine if inside else Meeting.objects.exclude(pk__in=mine.values("pk")))
    if kind == "meeting":
        seen = governance.meetings_for_user(user)
        return _first(seen if inside else Meeting.objects.exclude(pk__in=seen.values("pk")))
    if kind == "gov_task":
        tasks = governance.tasks_for_user(user)
        model = tasks.model
        return _first(tasks if inside else model.objects.exclude(pk__in=tasks.values("pk")))
    seen_meetings = governance.meetings_for_user(user).values("pk")
    files = GovernanceFile.objects.filter(meeting__in=seen_meetings)
    return _first(files if inside else GovernanceFile.objects.exclude(pk__in=files.values("pk")))


def _guidance_object(kind: str, user: User, inside: bool) -> int | None:
    """A 业务指导 request (with an answer's file, ``guidance_file``) the user sees, or not."""
    seen = guidance_visible_to(user)
    every = GuidanceRequest.objects.all()
    if kind == "guidance_file":
        seen, every = seen.exclude(attachment=None), every.exclude(attachment=None)
    return _first(seen if inside else every.exclude(pk__in=seen.values("pk")))


def _prevention_object(kind: str, user: User, inside: bool) -> int | None:
    """A warning, emergency response or 督办令 the user sees (``inside``) or one they do not."""
    seen: Any
    if kind == "warning":
        seen = risk_selectors.warnings_for_user(user)
    elif kind == "emergency":
        seen = risk_selectors.emergencies_for_user(user)
    else:
        seen = supervision_selectors.directives_for_user(user)
    model = seen.model
    return _first(seen if inside else model.objects.exclude(pk__in=seen.values("pk")))


def _report(user: User, inside: bool) -> int | None:
    """A report (with a PDF) of a region the user sees (``inside``) or of another: one per
    county and township platform, made on first use (records and a stored file)."""
    if not Report.objects.exists():
        for region in report_regions():
            report = Report.objects.create(
                kind="monthly",
                region=region,
                period_start=date(2026, 11, 1),
                period_end=date(2026, 11, 30),
                status="done",
            )
            pdf = b"%PDF-1.7 access matrix"
            name = default_storage.save(f"reports/matrix/{report.pk}.pdf", ContentFile(pdf))
            ReportFile.objects.create(
                report=report,
                fmt="pdf",
                storage_name=name,
                size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
            )
    seen = report_selectors.report_list_for_user(user)
    return _first(seen if inside else Report.objects.exclude(pk__in=seen.values("pk")))


def _court_object(kind: str, user: User, inside: bool) -> int | None:
    """A registered 委派/委托 case its court may send, a referral or a roster entry of the
    user's courts (``inside``), or of another court."""
    courts = court_ids(user)
    if kind == "court_case":
        cases = Case.objects.filter(status=CaseStatus.REGISTERED, channel__in=COURT_CHANNELS)
        if inside:
            cases = cases.filter(source_org_id__in=courts, court_referral__isnull=True)
        else:
            cases = cases.exclude(pk__in=_visible_cases(user).values("pk"))
        return _first(cases)
    model = CourtReferral if kind == "court_referral" else RosterMember
    rows = model.objects.filter(court_id__in=courts)
    return _first(rows if inside else model.objects.exclude(court_id__in=courts))


# --- The matrix ----------------------------------------------------------------------------


def may(user: User | None, rule: Rule) -> bool:
    if rule.who == ANYONE:
        return True
    if user is None:
        return False
    if rule.who == LOGGED_IN:
        return True
    if callable(rule.who):
        return rule.who(user)
    codes = rule.who if isinstance(rule.who, tuple) else (rule.who,)
    return any(has_perm(user, code) for code in codes)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def request(client: Client, method: str, url: str) -> int:
    """The status of one request, its effects rolled back."""
    with transaction.atomic():
        response = client.get(url) if method == GET else client.post(url, {})
        transaction.set_rollback(True)
    return response.status_code


def revealable_party(user: User | None, inside: bool) -> list[int | None]:
    """A case the user may see with a party whose phone they may reveal, and that party
    (``inside``) or a party of another case (outside: the case is theirs, the party is not)."""
    if user is None:
        return [objects_for("case", None, True), objects_for("party", None, True)]
    for case in _visible_cases(user).order_by("pk")[:30]:
        if case_disclosure(user, case).may_reveal(PHONE):
            party = Party.objects.filter(case=case) if inside else Party.objects.exclude(case=case)
            return [case.pk, _first(party)]
    return [None]


def check(name: str, user: User | None, inside: bool) -> str | None:
    """What is wrong with ``name`` for ``user`` on an object inside or outside their scope."""
    rule = RULES[name]
    if rule.obj == ("case", "party"):
        args = revealable_party(user, inside)
    else:
        args = [objects_for(kind, user, inside) for kind in rule.obj]
    if any(a is None for a in args):
        return None  # nothing of that kind outside this user's scope
    url = reverse(name, args=args) if args else reverse(name)
    status = request(client_for(user), rule.method, url)
    who = user.username if user else "anonymous"
    if not may(user, rule):
        wanted = {302} if user is None else {403, 404}
        if rule.who == INVITED:  # the page says why, to anyone (no login page)
            wanted = {403}
        if name == "admin:index":  # the admin site sends whoever it refuses to the login page
            wanted = {302}
        return None if status in wanted else f"{who} {rule.method} {url}: {status}, not refused"
    if not inside and rule.obj and user is not None:
        ok = status in (403, 404)
        return None if ok else f"{who} {rule.method} {url}: {status} on another's object (IDOR)"
    answers = (200, 301, 302) if rule.who == ANYONE else (200, 301)
    if status >= 500 or status in (403, 404) or (rule.method == GET and status not in answers):
        return f"{who} {rule.method} {url}: {status}, expected to be allowed"
    return None


ALL_USERS = [None, *USERNAMES]


@pytest.mark.parametrize("name", sorted(RULES))
def test_access(name: str) -> None:
    wrong = []
    for username in ALL_USERS:
        user = User.objects.get(username=username) if username else None
        for inside in (True, False) if RULES[name].obj else (True,):
            problem = check(name, user, inside)
            if problem:
                wrong.append(problem)
    assert not wrong, "\n".join(wrong)


def test_every_case_action_refuses_a_case_outside_the_scope() -> None:
    """Each registered case action, posted by each account on a case it cannot see: 404, and
    the case is untouched."""
    wrong = []
    for username in USERNAMES:
        user = User.objects.get(username=username)
        other = objects_for("case", user, inside=False)
        if other is None:
            continue
        before = Case.objects.values_list("status", "version").get(pk=other)
        client = client_for(user)
        for action in [a.name for a in actions.all_actions()]:
            url = reverse("disputes:case_act", args=[other, action])
            status = request(client, POST, url)
            if status not in (403, 404):
                wrong.append(f"{username} {action} on case {other}: {status}")
        assert Case.objects.values_list("status", "version").get(pk=other) == before
    assert not wrong, "\n".join(wrong)


# --- The API: every operation × every account's key ------------------------------------------


def _key(user: User) -> str | None:
    grant = RoleGrant.objects.filter(user=user, org__isnull=False).first()
    if grant is None:
        return None  # the three administrators hold no org: they cannot be given a key
    _key_row, token = api_key_create(
        actor=None, name=f"矩阵-{user.username}", org=grant.org, user=user, scopes=ApiScope.values
    )
    return token


def _api(token: str | None) -> Callable[[str, str], int]:
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def call(method: str, url: str) -> int:
        with transaction.atomic():
            if method == GET:
                response = client.get(url, **headers)
            else:
                response = client.post(url, "{}", content_type="application/json", **headers)
            transaction.set_rollback(True)
        return response.status_code

    return call


def test_api_operations_for_every_key() -> None:
    wrong = []
    anonymous = _api(None)
    for method, url in ((GET, "/api/v1/cases"), (POST, "/api/v1/cases")):
        if anonymous(method, url) != 401:
            wrong.append(f"no key {method} {url}: not 401")
    for username in USERNAMES:
        user = User.objects.get(username=username)
        token = _key(user)
        if token is None:
            continue
        call = _api(token)
        sees = has_perm(user, VIEW_CASE)
        listed = call(GET, "/api/v1/cases")
        if listed != (200 if sees else 403):
            wrong.append(f"{username} GET /api/v1/cases: {listed}")
        # 诉调对接: a court's referrals to court users only, none of another court's.
        court = is_court_user(user)
        referrals = call(GET, "/api/v1/referrals")
        if referrals != (200 if court else 403):
            wrong.append(f"{username} GET /api/v1/referrals: {referrals}")
        for inside in (True, False):
            pk = objects_for("court_referral", user, inside) if court else None
            if pk is not None:
                status = call(GET, f"/api/v1/referrals/{pk}")
                if status != (200 if inside else 404):
                    wrong.append(f"{username} GET referral {pk}: {status}")
        created = call(POST, "/api/v1/cases")
        if created not in (400, 403, 422):
            wrong.append(f"{username} POST /api/v1/cases with {{}}: {created}")
        # 司法确认: a key reads the applications its user may read, and no other.
        for inside in (True, False):
            pk = objects_for("readable_confirmation", user, inside)
            if pk is None:
                continue
            status = call(GET, f"/api/v1/confirmations/{pk}")
            if status != (200 if inside else 404):
                wrong.append(f"{username} GET confirmation {pk} ({inside=}): {status}")
            court_side = has_perm(user, REVIEW_CONFIRMATION)
            for action in ("accept", "rule"):
                status = call(POST, f"/api/v1/confirmations/{pk}/{action}")
                if status >= 500 or (status == 200 and not court_side):
                    wrong.append(f"{username} POST confirmation {pk} {action} with {{}}: {status}")
        for inside in (True, False):
            pk = objects_for("case", user, inside)
            if pk is None:
                continue
            number = Case.objects.values_list("number", flat=True).get(pk=pk)
            status = call(GET, f"/api/v1/cases/{number}")
            expected = {200} if inside and sees else {403, 404}
            if status not in expected:
                wrong.append(
                    f"{username} GET case {number} ({'own' if inside else 'other'}): {status}"
                )
    assert not wrong, "\n".join(wrong)
