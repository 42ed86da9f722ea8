"""The shared checks of ``core.validators``: what a user typing an ID number, a credit code, a
phone, a date or a name is told, the same on every form, the API and the imports."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fengqiao.core import validators as v

VALID_ID = "11010519491231002X"
# 国家税务总局's code as printed on its licence, and one with a letter for the authority (N).
VALID_CREDIT = "91110000600037341L"


def _code(fn, value, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as info:
        fn(value, **kwargs)
    return str(info.value.code)


def _credit(first17: str) -> str:
    from stdnum.cn import uscc

    return first17 + uscc.calc_check_digit(first17)


def test_id_number_accepts_a_valid_number_and_names_each_fault() -> None:
    v.validate_id_number(VALID_ID)
    assert _code(v.validate_id_number, "1101051949123100") == "format"
    assert _code(v.validate_id_number, "110105194912310021") == "checksum"
    # 1949-02-30 does not exist (check character computed for it)
    from stdnum.cn import ric

    bad_day = "11010519490230002"
    assert _code(v.validate_id_number, bad_day + ric.calc_check_digit(bad_day + "0")) == "birth"
    # Born in the future
    future = (timezone.localdate() + timedelta(days=400)).strftime("%Y%m%d")
    body = "110105" + future + "002"
    assert _code(v.validate_id_number, body + ric.calc_check_digit(body + "0")) == "birth"


def test_id_number_of_a_county_newer_than_the_library_table_is_accepted() -> None:
    # 雄安新区's counties got codes after many tables were printed; the check does not look the
    # address code up, only the check character and the birth date.
    from stdnum.cn import ric

    body = "13063819900101001"
    v.validate_id_number(body + ric.calc_check_digit(body + "0"))


def test_credit_code_accepts_letters_for_the_registering_authority() -> None:
    v.validate_credit_code(VALID_CREDIT)
    v.validate_credit_code(_credit("N2330106MF0000001"))
    assert _code(v.validate_credit_code, VALID_CREDIT[:-1] + "M") == "checksum"
    assert _code(v.validate_credit_code, "91110000600037341") == "format"
    assert _code(v.validate_credit_code, "9111000060003734IL") == "format"


def test_id_or_credit_code_takes_either() -> None:
    v.validate_id_or_credit_code(VALID_ID)
    v.validate_id_or_credit_code(VALID_CREDIT)
    assert v.is_credit_code(VALID_CREDIT)
    assert not v.is_credit_code(VALID_ID)
    assert _code(v.validate_id_or_credit_code, "12345") == "format"
    assert _code(v.validate_id_or_credit_code, "110105194912310021") == "checksum"


def test_normalising_full_width_and_spaces() -> None:
    assert v.normalize_code("１１０１０５ １９４９１２３１００２ｘ") == VALID_ID
    assert v.normalize_phone("+86 139-1234-5678") == "13912345678"
    assert v.normalize_phone("0571-87654321") == "0571-87654321"


def test_phones() -> None:
    v.validate_mobile("13912345678")
    assert _code(v.validate_mobile, "12912345678") == "mobile"
    v.validate_phone("0571-87654321")
    v.validate_phone("13912345678")
    assert _code(v.validate_phone, "87654321") == "phone"


def test_dates_in_a_sane_range() -> None:
    today = timezone.localdate()
    v.validate_date_range(today)
    v.validate_date_range(date(1950, 1, 1))
    assert _code(v.validate_date_range, date(202, 1, 1)) == "too_early"
    assert _code(v.validate_date_range, today + timedelta(days=1)) == "future"
    v.validate_date_range(today + timedelta(days=30), allow_future=True)
    assert _code(v.validate_date_range, date(2099, 1, 1), latest=date(2030, 1, 1)) == "too_late"


def test_a_datetime_of_a_dispute_from_1949_to_now() -> None:
    now = timezone.now()
    v.validate_occurred_at(now)
    v.validate_occurred_at(now + timedelta(minutes=4))  # a device's clock a little ahead
    v.validate_occurred_at(datetime(1949, 10, 1, tzinfo=v.BEIJING))
    assert _code(v.validate_occurred_at, now + timedelta(minutes=6)) == "future"
    assert _code(v.validate_occurred_at, datetime(1949, 9, 30, 23, 59, tzinfo=v.BEIJING)) == (
        "too_early"
    )
    # year 1 ahead of UTC and year 9999 behind it: refused, not overflowed
    assert _code(v.validate_occurred_at, datetime(1, 1, 1, tzinfo=v.BEIJING)) == "too_early"
    behind = dt_timezone(-timedelta(hours=8))
    assert _code(v.validate_occurred_at, datetime(9999, 12, 31, 23, 59, tzinfo=behind)) == (
        "future"
    )
    # PostgreSQL's limit for an offset
    v.validate_occurred_at(
        datetime(2025, 1, 1, tzinfo=dt_timezone(timedelta(hours=15, minutes=59)))
    )
    sixteen = dt_timezone(timedelta(hours=16))
    assert _code(v.validate_occurred_at, datetime(2025, 1, 1, tzinfo=sixteen)) == "offset"
    # a date-only range check of such a value does not overflow either
    assert _code(v.validate_date_range, datetime(1, 1, 1, tzinfo=v.BEIJING)) == "too_early"


def test_the_message_names_the_time() -> None:
    with pytest.raises(ValidationError) as info:
        v.validate_occurred_at(datetime(1900, 1, 1, tzinfo=v.BEIJING))
    assert info.value.messages == ["发生时间不能早于1949-10-01。"]
    with pytest.raises(ValidationError) as info:
        v.validate_datetime(timezone.now() + timedelta(days=1), what="调解时间")
    assert info.value.messages == ["调解时间不能晚于当前时间。"]


@pytest.mark.parametrize(
    "text", [-1, 0.5, "-1", "0.5", "1735660800", "2025-13-01", "now", "", None, "2025-01-01T25:00"]
)
def test_only_iso_8601_is_a_time(text: object) -> None:
    assert _code(v.parse_iso_datetime, text) == "format"


def test_iso_8601_without_an_offset_is_beijing_time() -> None:
    assert v.parse_iso_datetime("2025-06-01T09:30") == datetime(2025, 6, 1, 9, 30, tzinfo=v.BEIJING)
    assert v.parse_iso_datetime("2025-06-01") == datetime(2025, 6, 1, tzinfo=v.BEIJING)
    assert v.parse_iso_datetime("2025-06-01T01:30:00Z") == datetime(
        2025, 6, 1, 9, 30, tzinfo=v.BEIJING
    )


def test_a_performance_deadline_reaches_20_years_ahead() -> None:
    today = timezone.localdate()
    assert v.latest_term_day().year == today.year + 20


def test_control_characters() -> None:
    v.validate_no_control_characters("张三 李四")
    v.validate_no_control_characters("第一行\n第二行\t", multiline=True)
    assert _code(v.validate_no_control_characters, "张三\x00") == "control"
    assert _code(v.validate_no_control_characters, "第一行\n第二行") == "control"
    assert _code(v.validate_no_control_characters, "\u202e三张") == "control"
    assert _code(v.validate_no_control_characters, "\x1b[31m", multiline=True) == "control"


@pytest.mark.parametrize("code", [*range(0x00, 0x20), *range(0x7F, 0xA0)], ids=hex)
def test_every_c0_and_c1_control_is_refused_but_line_breaks_in_multiline_text(code: int) -> None:
    ch = chr(code)
    assert _code(v.validate_no_control_characters, f"张{ch}三") == "control"
    if ch in "\n\r\t":
        v.validate_no_control_characters(f"张{ch}三", multiline=True)
    else:
        assert _code(v.validate_no_control_characters, f"张{ch}三", multiline=True) == "control"


def test_lone_surrogates_and_unicode_line_separators() -> None:
    assert _code(v.validate_no_control_characters, "张\ud800三", multiline=True) == "control"
    assert _code(v.validate_no_control_characters, "张\u2028三") == "control"
    v.validate_no_control_characters("张\u2028三", multiline=True)
    # ordinary text of every script passes: CJK, full-width forms, emoji, combining marks
    v.validate_no_control_characters("张三（ＡＢＣ）👍 é 〇")
