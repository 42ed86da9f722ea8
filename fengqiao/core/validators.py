"""The checks every input channel shares — web forms, the API, XLSX imports: 居民身份证号,
统一社会信用代码, phone numbers, dates in a sane range, text without control characters.

Each ``validate_*`` takes a normalised value (see ``normalize_code``) and raises Django's
``ValidationError`` with a Chinese message and a stable ``code``; forms use them as field
validators, the API schemas turn them into their own error shape, imports report the message
beside the row number.

Check characters come from python-stdnum (``stdnum.cn.ric``, ``stdnum.cn.uscc``). Its
``validate()`` functions are stricter than the law in two places, so only their parts are used:
``ric.validate`` also looks the first six digits up in its own table of county codes, which lags
behind new and merged counties (a real resident of a county created after the table's release
would be refused), and ``uscc.validate`` requires eight leading digits, while GB 32100-2015
allows a letter for the registering authority (``N`` 农业农村 for 村集体经济组织, ``Y`` 其他).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

# GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence, check character.
ID_NUMBER = re.compile(r"\d{17}[\dX]")
# GB 32100-2015: registering authority and kind (digit or letter), 6-digit administrative
# division code, 9-character organisation code, check character — over 31 characters (no I O S V Z).
CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
MOBILE = re.compile(r"1[3-9]\d{9}")
# A landline with its area code (010-12345678, 0571-8765432, optionally an extension) or a
# 400/800 service number.
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?|[48]00-?\d{3}-?\d{4}")

# Nobody the platform serves was born before this day; dates of events are after it too.
EARLIEST_DATE = date(1900, 1, 1)

# Dates and times of a dispute and of what is done about it. A dispute the platform handles
# happened after the People's Republic was founded (人民调解 is its institution); an event
# recorded "now" may come from a device whose clock runs a little ahead of the server's.
DISPUTE_EARLIEST = date(1949, 10, 1)
CLOCK_SKEW = timedelta(minutes=5)
# 民法典 art. 188: rights are protected for at most 20 years; no performance deadline agreed in
# a mediation lies further ahead.
LONGEST_TERM_YEARS = 20
# Fixed bounds for the database CHECK constraints, which cannot ask the clock: every stored
# date and time lies inside them, so a value never overflows Python's or PostgreSQL's range
# when it is read back (year 1 at +08:00 is 1 BC in UTC, which psycopg cannot read; year 9999
# at -08:00 is year 10000). The validators above keep input to the tighter ranges.
BEIJING = dt_timezone(timedelta(hours=8))
STORABLE_LATEST = date(2100, 12, 31)
STORABLE_BEFORE = STORABLE_LATEST + timedelta(days=1)
DISPUTE_EARLIEST_AT = datetime.combine(DISPUTE_EARLIEST, time.min, tzinfo=BEIJING)
STORABLE_BEFORE_AT = datetime.combine(STORABLE_BEFORE, time.min, tzinfo=BEIJING)
# PostgreSQL refuses a UTC offset beyond ±15:59 ("time zone displacement out of range");
# every real zone is within ±14:00.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59)
# ISO 8601 as the API accepts it: a calendar date, optionally a time and an offset. Anything
# else — notably a bare number, which pydantic would read as a Unix timestamp — is refused.
ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,6})?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?",
    re.ASCII | re.IGNORECASE,
)

# Bidirectional overrides and isolates reorder what a reader sees (a name that displays as
# "张三" while sorting and matching as something else); never needed in a form field.
_BIDI = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def normalize_code(value: str | None) -> str:
    """An ID number, credit code or phone as typed or pasted: full-width letters and digits as
    ASCII, spaces removed, letters upper-case."""
    text = unicodedata.normalize("NFKC", value or "")
    return "".join(text.split()).upper()


def normalize_phone(value: str | None) -> str:
    """A phone number with full-width characters, spaces and the +86 prefix removed (dashes in
    a landline are kept, a mobile loses them)."""
    text = normalize_code(value).replace("(", "").replace(")", "")
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    bare = text.replace("-", "")
    return bare if MOBILE.fullmatch(bare) else text


def validate_id_number(value: str) -> None:
    """居民身份证号: 18 characters, a valid check character, a real birth date in range."""
    if not ID_NUMBER.fullmatch(value):
        raise ValidationError(_("身份证号应为18位数字（最后一位可为X）。"), code="format")
    if ric.calc_check_digit(value) != value[17]:
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="checksum")
    try:
        born = ric.get_birth_date(value)
    except StdnumError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="birth") from None
    if not EARLIEST_DATE <= born <= timezone.localdate():
        raise ValidationError(_("身份证号中的出生日期无效。"), code="birth")


def validate_credit_code(value: str) -> None:
    """统一社会信用代码: 18 characters over the code's alphabet, a valid check character."""
    if not CREDIT_CODE.fullmatch(value):
        raise ValidationError(
            _("统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）。"), code="format"
        )
    if uscc.calc_check_digit(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对。"), code="checksum")


def validate_id_or_credit_code(value: str) -> None:
    """A party's document: a person's ID number or an organisation's credit code. An all-digit
    value can be either in form; it passes if either check passes, and otherwise is reported as
    the ID number it most likely was meant to be."""
    if ID_NUMBER.fullmatch(value):
        try:
            validate_id_number(value)
        except ValidationError:
            if not is_credit_code(value):
                raise
        return
    if CREDIT_CODE.fullmatch(value):
        validate_credit_code(value)
        return
    raise ValidationError(
        _("请填写18位身份证号（自然人）或18位统一社会信用代码（单位）。"), code="format"
    )


def is_credit_code(value: str) -> bool:
    """A valid credit code that is not also a valid ID number (an all-digit string can be
    both in form; the ID number's check wins, as on every form that asks for either)."""
    if ID_NUMBER.fullmatch(value):
        try:
            validate_id_number(value)
        except ValidationError:
            pass
        else:
            return False
    try:
        validate_credit_code(value)
    except ValidationError:
        return False
    return True


def validate_mobile(value: str) -> None:
    """11-digit mainland mobile number."""
    if not MOBILE.fullmatch(value):
        raise ValidationError(_("请输入11位手机号码。"), code="mobile")


def validate_phone(value: str) -> None:
    """A mobile, a landline with its area code, or a 400/800 number (an office's liaison)."""
    if not (MOBILE.fullmatch(value) or LANDLINE.fullmatch(value)):
        raise ValidationError(
            _("请输入11位手机号码或带区号的固定电话（如0571-87654321）。"), code="phone"
        )


def validate_date_range(
    value: date | datetime | None,
    *,
    earliest: date = EARLIEST_DATE,
    latest: date | None = None,
    allow_future: bool = False,
) -> None:
    """A date (or the local date of a datetime) between ``earliest`` and ``latest``; ``latest``
    defaults to today unless ``allow_future``. Typos such as 0202 or 2205 for a year stop here."""
    if value is None:
        return
    if isinstance(value, datetime):
        try:
            day = timezone.localdate(value) if timezone.is_aware(value) else value.date()
        except OverflowError:  # year 1 or 9999 at an offset: out of range either way
            day = value.date()
    else:
        day = value
    if day < earliest:
        raise ValidationError(
            _("日期不能早于%(date)s。") % {"date": earliest.isoformat()}, code="too_early"
        )
    if latest is None and not allow_future:
        latest = timezone.localdate()
    if latest is not None and day > latest:
        if latest == timezone.localdate():
            raise ValidationError(_("日期不能晚于今天。"), code="future")
        raise ValidationError(
            _("日期不能晚于%(date)s。") % {"date": latest.isoformat()}, code="too_late"
        )


def parse_iso_datetime(value: object) -> datetime:
    """An ISO 8601 date and time as text (``2026-03-01T09:30:00+08:00``; without an offset it
    is Beijing time, the platform's zone). Numbers and other formats are refused."""
    text = value.strip() if isinstance(value, str) else ""
    parsed = None
    if ISO_DATETIME.fullmatch(text):
        try:
            parsed = parse_datetime(text.replace(",", "."))
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValidationError(
            _("时间格式无效，应为 ISO 8601（如 2026-03-01T09:30:00+08:00）。"), code="format"
        )
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=timezone.get_current_timezone())
    return parsed


def validate_datetime(
    value: datetime | None,
    *,
    earliest: date = DISPUTE_EARLIEST,
    latest: datetime | None = None,
    what: str = "",
) -> None:
    """A time that happened: its UTC offset within ±15:59, not before ``earliest`` (Beijing
    time) and not after ``latest`` (default: now, with a few minutes of clock skew). Compared as
    aware datetimes, so year 1 or year 9999 at any offset is refused, not overflowed.
    ``what`` names the time in the message (发生时间, 调解时间)."""
    if value is None:
        return
    what = what or str(_("时间"))
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(
            _("时区偏移超出范围（应在 ±15:59 之内），北京时间请写 +08:00。"), code="offset"
        )
    if timezone.is_naive(value):
        value = value.replace(tzinfo=timezone.get_current_timezone())
    if value < datetime.combine(earliest, time.min, tzinfo=BEIJING):
        raise ValidationError(
            _("%(what)s不能早于%(date)s。") % {"what": what, "date": earliest.isoformat()},
            code="too_early",
        )
    if value > (latest if latest is not None else timezone.now() + CLOCK_SKEW):
        raise ValidationError(_("%(what)s不能晚于当前时间。") % {"what": what}, code="future")


def validate_occurred_at(value: datetime | None) -> None:
    """发生时间 of a dispute: after 1949-10-01, not in the future."""
    validate_datetime(value, earliest=DISPUTE_EARLIEST, what=str(_("发生时间")))


def latest_term_day() -> date:
    """The latest deadline a mediation may agree on today (民法典 art. 188: 20 years)."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + LONGEST_TERM_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + LONGEST_TERM_YEARS, day=28)


# Line breaks a multi-line text may hold: what a browser sends from a textarea (CR LF), a
# tab, and Unicode's own line and paragraph separators.
_LINE_BREAKS = {"\n", "\r", "\t", "\u2028", "\u2029"}


def validate_no_control_characters(value: str, *, multiline: bool = False) -> None:
    """No control characters: C0 and C1 (NUL first of all: PostgreSQL cannot store it), DEL,
    bidi overrides, lone surrogates (no UTF-8 for them); line breaks and tabs only in multi-line
    text.

    The one check every way in shares (``StyledForm``/``CheckedForm`` for pages, the API
    schemas, imports). Such text is refused, not stripped: what a party said is a record the
    platform keeps as typed, and a silent edit would change it behind the sender's back, while a
    refusal names the field and the sender retypes it."""
    for ch in value:
        if multiline and ch in _LINE_BREAKS:
            continue
        if ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            raise ValidationError(_("内容含有不可见的控制字符，请删除后重新填写。"), code="control")


def validate_single_line(value: str) -> None:
    validate_no_control_characters(value)


def validate_multiline(value: str) -> None:
    validate_no_control_characters(value, multiline=True)
