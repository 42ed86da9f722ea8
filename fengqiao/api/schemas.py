"""Request and response shapes of API v1. Input checks here are about form (an ID number's check
character, an 11-digit mobile, known enum values); rules about what the acting user may do
live in the services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from fengqiao.core.choices import DisputeCategory
from fengqiao.core.validators import (
    MOBILE,
    normalize_code,
    normalize_phone,
    parse_iso_datetime,
    validate_credit_code,
    validate_datetime,
    validate_id_number,
    validate_no_control_characters,
)
from fengqiao.disputes.choices import IntakeChannel, PartyKind, PartyRole
from fengqiao.disputes.selectors import normalize_query


def _error(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _check(validator: Callable[[Any], None], value: Any, prefix: str) -> None:
    """A shared check of ``core.validators`` in the API's error shape (``<prefix>_<code>``)."""
    try:
        validator(value)
    except DjangoValidationError as exc:
        raise _error(f"{prefix}_{exc.code or 'invalid'}", str(exc.messages[0])) from None


def _iso_datetime(value: Any, what: str = "") -> datetime | None:
    """ISO 8601 text only (pydantic alone would read ``-1`` or ``0.5`` as a Unix timestamp),
    an offset PostgreSQL can store, from 1949-10-01 to now (``core.validators``)."""
    if value is None:
        return None
    try:
        parsed = parse_iso_datetime(value)
        validate_datetime(parsed, what=what)
    except DjangoValidationError as exc:
        # ``future`` and ``date_too_early`` are the documented, stable types of before.
        kind = {"future": "future", "too_early": "date_too_early"}.get(
            str(exc.code), f"datetime_{exc.code}"
        )
        raise _error(kind, str(exc.messages[0])) from None
    return parsed


def _occurred_at(value: Any) -> datetime | None:
    return _iso_datetime(value, _("发生时间"))


# Times that happened, as the API accepts them: 发生时间, the list's ``updated_since``.
PastDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]
OccurredAt = Annotated[datetime, BeforeValidator(_occurred_at)]


class PartyIn(Schema):
    role: PartyRole = Field(description="申请人 applicant / 被申请人 respondent / 第三人")
    kind: PartyKind = Field(PartyKind.PERSON, description="自然人 person / 组织 organization")
    name: str = Field(max_length=100, description="姓名或名称")
    id_number: str = Field(
        "", max_length=40, description="自然人：18位身份证号；组织：统一社会信用代码"
    )
    phone: str = Field("", max_length=30, description="11位手机号")
    address: str = Field("", max_length=200, description="住址")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise _error("blank", _("请填写姓名或名称。"))
        _check(validate_no_control_characters, value, "text")
        return value

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        _check(validate_no_control_characters, value, "text")
        return value.strip()

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str, info: ValidationInfo) -> str:
        value = normalize_code(value)
        if not value:
            return ""
        if info.data.get("kind") == PartyKind.ORGANIZATION:
            _check(validate_credit_code, value, "credit_code")
        else:
            _check(validate_id_number, value, "id_number")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = normalize_phone(value)
        if value and not MOBILE.fullmatch(value):
            raise _error("mobile", _("手机号应为11位中国大陆手机号码。"))
        return value


class CaseIn(Schema):
    channel: IntakeChannel = Field(description="受理渠道（网上申请 portal 不可用）")
    category: DisputeCategory = Field(description="纠纷类别")
    title: str = Field(max_length=200, description="纠纷简述")
    facts: str = Field("", max_length=20000, description="纠纷事实")
    claims: str = Field("", max_length=5000, description="当事人诉求")
    region_code: str = Field(max_length=20, description="发生地区划代码（村/社区或网格）")
    address: str = Field("", max_length=200, description="详细地址")
    occurred_at: OccurredAt | None = Field(
        None, description="发生时间（ISO 8601，缺省时区为北京时间；1949-10-01 至今）"
    )
    amount: Decimal | None = Field(
        None, ge=0, max_digits=14, decimal_places=2, description="涉及金额（元）"
    )
    people_count: int = Field(2, ge=1, le=1_000_000, description="涉及人数")
    platform_org_id: int | None = Field(
        None, description="责任平台（综治中心/平安办）单位 id；缺省为密钥所属平台或发生地所属平台"
    )
    parties: list[PartyIn] = Field(min_length=1, max_length=50, description="当事人")
    link_to: str | None = Field(
        None,
        max_length=40,
        description=(
            "并入的原案件编号：同一纠纷已有未办结的案件时填写，本次反映记为该案的重复反映，"
            "不另行登记（应答 200）；缺省时照常登记（应答 201，附疑似重复案件）"
        ),
    )

    @field_validator("channel")
    @classmethod
    def _channel(cls, value: IntakeChannel) -> IntakeChannel:
        # An online application is the applicant's own; it comes from the public portal only.
        if value == IntakeChannel.PORTAL:
            raise _error("channel_portal", _("网上申请只能通过公众门户提交，请选择其他受理渠道。"))
        return value

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise _error("blank", _("请填写纠纷简述。"))
        _check(validate_no_control_characters, value, "text")
        return value

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        _check(validate_no_control_characters, value, "text")
        return value.strip()

    @field_validator("facts", "claims")
    @classmethod
    def _long_text(cls, value: str) -> str:
        try:
            validate_no_control_characters(value, multiline=True)
        except DjangoValidationError as exc:
            raise _error("text_control", str(exc.messages[0])) from None
        return value

    @field_validator("link_to")
    @classmethod
    def _link_to(cls, value: str | None) -> str | None:
        _check(validate_no_control_characters, value or "", "text")
        # A case number keeps its dashes; full-width digits and spaces are normalised.
        value = normalize_query(value or "").replace(" ", "")
        return value or None

    @field_validator("region_code")
    @classmethod
    def _region_code(cls, value: str) -> str:
        value = normalize_code(value)
        if not value.isdigit():
            raise _error("region_code", _("区划代码应为数字。"))
        return value


class DuplicateOut(Schema):
    number: str
    title: str
    status: str
    status_label: str
    registered_at: datetime
    reasons: list[str] = Field(description="id_number / org_code / phone / address")
    reason_texts: list[str]


class CaseCreatedOut(Schema):
    number: str
    status: str
    status_label: str
    registered_at: datetime
    duplicates: list[DuplicateOut] = Field(description="可能重复的案件（仅限您可见的）")
    has_hidden_duplicates: bool = Field(
        description="另有您无权查看的疑似重复案件，请与综治中心（平安办）核实"
    )


class CaseLinkedOut(Schema):
    linked_to: str = Field(description="并入的原案件编号")
    title: str
    status: str
    status_label: str
    reported_at: datetime = Field(description="重复反映的登记时间")


class PartyOut(Schema):
    role: str
    role_label: str
    kind: str
    name: str = Field(
        description="自然人姓名：办理本案的一方（平台、承办单位、联合调处单位、待受理单位、"
        "来源法院或派出所、登记人）为全名，其他可查看本案者为脱敏姓名；组织名称为全称"
    )
    id_number: str = Field(description="已脱敏（任何人）")
    phone: str = Field(description="已脱敏（任何人）")


class TimelineOut(Schema):
    at: datetime
    action: str = Field(description="动作代码，如 register、consent、session")
    action_label: str = Field(description="动作名称，如 登记、调解意愿、调解笔录")
    from_status: str
    to_status: str
    org: str | None


class DeadlineOut(Schema):
    kind: str
    kind_label: str
    org: str
    due_at: datetime
    status: str
    status_label: str
    paused: bool = Field(description="案件中止期间暂停计时")
    provisional: bool = Field(
        description="暂定：期限落在尚未导入节假日安排的年份，暂按周一至周五计算，导入后可能调整"
    )


class CaseSummaryOut(Schema):
    number: str
    title: str
    category: str
    category_label: str
    channel: str
    status: str
    status_label: str
    grade: str
    region_code: str
    region_name: str
    registered_at: datetime
    closed_at: datetime | None


class CaseOut(CaseSummaryOut):
    channel_label: str
    grade_label: str
    occurred_at: datetime | None
    platform: str
    handling_org: str | None
    parties: list[PartyOut]
    deadlines: list[DeadlineOut]
    timeline: list[TimelineOut]


class CasePageOut(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None = Field(description="下一页的 cursor；没有更多时为 null")


class FieldErrorOut(Schema):
    field: str
    msg: str
    type: str


class ErrorOut(Schema):
    code: str
    detail: str
    errors: list[FieldErrorOut] = Field(default_factory=list)


def as_error(code: str, detail: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"code": code, "detail": detail, "errors": errors or []}
