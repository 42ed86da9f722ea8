from __future__ import annotations

import base64
import logging
import sys

import pytest
from django.core import checks
from django.db import connection, models
from django.test import Client
from django.test.utils import isolate_apps

from fengqiao.core import crypto
from fengqiao.core.fields import EncryptedTextField, lookup_hash_field
from fengqiao.core.logging import RedactPersonalDataFilter, redact
from fengqiao.core.masking import mask_id_number, mask_name, mask_phone
from fengqiao.orgs.models import Person
from fengqiao.orgs.services import person_create
from fengqiao.regions.models import Region
from fengqiao.regions.tests.factories import make_region

ID_NUMBER = "110101199003071234"
PHONE = "13812345678"


@pytest.fixture
def region(db: None) -> Region:
    return make_region("990000000000", "测试省")


def _person(region: Region, *, id_number: str = ID_NUMBER, phone: str = PHONE) -> Person:
    return person_create(
        actor=None, name="张三", gender="M", region=region, id_number=id_number, phone=phone
    )


def _raw_columns(person: Person) -> tuple[str, str]:
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number, phone FROM {table} WHERE id = %s", [person.pk])  # noqa: S608
        id_number, phone = cursor.fetchone()
    return id_number, phone


def _flip_byte(token: str, index: int) -> str:
    prefix, kid, blob = token.split(":", 2)
    raw = bytearray(base64.b64decode(blob))
    raw[index] ^= 0x01
    return f"{prefix}:{kid}:{base64.b64encode(bytes(raw)).decode()}"


# --- SM4-GCM ----------------------------------------------------------------------------------


def test_encrypt_decrypt_round_trip() -> None:
    # given a value with Chinese text and digits
    plaintext = "张三 110101199003071234"

    # when it is encrypted and decrypted
    token = crypto.encrypt(plaintext)

    # then the token is in the documented format and gives the value back
    assert token.startswith(f"sm4gcm:{crypto.key_id(crypto.keyring()[0])}:")
    assert plaintext not in token
    assert crypto.decrypt(token) == plaintext


def test_same_value_encrypts_differently_each_time() -> None:
    # a fresh nonce per value: equal plaintexts must not be recognisable in the column
    assert crypto.encrypt(PHONE) != crypto.encrypt(PHONE)


@pytest.mark.parametrize("index", [0, 12, -1], ids=["nonce", "ciphertext", "tag"])
def test_tampered_ciphertext_raises(index: int) -> None:
    # given a valid token with one bit flipped in the nonce, the ciphertext or the tag
    tampered = _flip_byte(crypto.encrypt(ID_NUMBER), index)

    # when / then decrypting it is refused
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(tampered)


@pytest.mark.parametrize(
    "token",
    [
        "plain text",
        "sm4gcm:ffffffff:AAAA",
        "aes:{kid}:AAAA",
        "sm4gcm:{kid}:not*base64!",
        "sm4gcm:{kid}:AAAA",
    ],
    ids=["no-prefix", "unknown-key", "other-scheme", "bad-base64", "truncated"],
)
def test_damaged_tokens_raise_decryption_error(token: str) -> None:
    # given a column value that is not a whole token under a configured key
    kid = crypto.key_id(crypto.keyring()[0])

    # when / then it raises DecryptionError, not a base64 or cipher-library error
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token.format(kid=kid))


def test_old_key_still_decrypts_and_needs_reencryption(settings) -> None:  # type: ignore[no-untyped-def]
    # given a value written under key A
    key_a, key_b = "aa" * 16, "bb" * 16
    settings.FENGQIAO_DATA_KEY = key_a
    token = crypto.encrypt(PHONE)
    assert not crypto.needs_reencryption(token)

    # when the current key becomes B with A kept as an old key
    settings.FENGQIAO_DATA_KEY, settings.FENGQIAO_DATA_KEYS_OLD = key_b, [key_a]

    # then the value is readable and flagged for re-encryption
    assert crypto.decrypt(token) == PHONE
    assert crypto.needs_reencryption(token)

    # and once A is dropped it is unreadable
    settings.FENGQIAO_DATA_KEYS_OLD = []
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


# --- the model field --------------------------------------------------------------------------


def test_encrypted_field_stores_no_plaintext(region: Region) -> None:
    # given a person created through the service with an ID number and a phone
    person = _person(region)

    # when the raw columns are read past the ORM
    raw_id, raw_phone = _raw_columns(person)

    # then both are SM4-GCM tokens that contain neither value nor a run of its digits
    for raw, plaintext in [(raw_id, ID_NUMBER), (raw_phone, PHONE)]:
        assert raw.startswith("sm4gcm:")
        assert plaintext not in raw
        assert plaintext[-8:] not in raw
        assert plaintext[:6] not in raw
    # and the ORM reads them back decrypted
    person = Person.objects.get(pk=person.pk)
    assert (person.id_number, person.phone) == (ID_NUMBER, PHONE)


def test_empty_value_is_stored_empty_with_no_hash(region: Region) -> None:
    # given a person without a phone
    person = _person(region, phone="")

    # then nothing is encrypted and no lookup hash is written for the empty value
    assert _raw_columns(person)[1] == ""
    assert Person.objects.get(pk=person.pk).phone_hash == ""


@pytest.mark.parametrize(
    "query",
    [
        ID_NUMBER,
        "１１０１０１１９９００３０７１２３４",  # full-width digits, as typed with a Chinese IME
        " 110101 19900307 1234 ",
        "110101-19900307-1234",
    ],
    ids=["exact", "full-width", "spaces", "dashes"],
)
def test_lookup_hash_finds_person(region: Region, query: str) -> None:
    # given a person and someone else
    person = _person(region)
    _person(region, id_number="110101199003075678", phone="13900000000")

    # when the person is looked up by keyed hash of the typed query
    found = Person.objects.filter(id_number_hash=crypto.lookup_hash(query))

    # then exactly that person is found
    assert list(found) == [person]


def test_lookup_hash_x_check_digit_is_case_insensitive(region: Region) -> None:
    person = _person(region, id_number="11010119900307123X")
    found = Person.objects.filter(id_number_hash=crypto.lookup_hash("11010119900307123x"))
    assert list(found) == [person]


def test_phone_lookup_hash_is_refreshed_on_save(region: Region) -> None:
    # given a person whose phone is changed and saved
    person = _person(region)
    person.phone = "13999999999"
    person.save()

    # then the new number is found and the old one no longer is
    assert Person.objects.filter(phone_hash=crypto.lookup_hash("13999999999")).exists()
    assert not Person.objects.filter(phone_hash=crypto.lookup_hash(PHONE)).exists()


def test_lookup_hash_is_keyed(settings) -> None:  # type: ignore[no-untyped-def]
    # the hash depends on the data key, so a leaked table cannot be matched by hashing IDs
    settings.FENGQIAO_DATA_KEY = "aa" * 16
    under_a = crypto.lookup_hash(ID_NUMBER)
    settings.FENGQIAO_DATA_KEY = "bb" * 16
    assert crypto.lookup_hash(ID_NUMBER) != under_a
    assert under_a != crypto.sm3_hex(ID_NUMBER.encode())


@isolate_apps("fengqiao.core")
def test_check_rejects_hash_field_declared_before_the_value() -> None:
    # given a model whose hash column comes first (save() would write the previous hash)
    class Wrong(models.Model):  # noqa: DJ008
        secret_hash = lookup_hash_field("hash")
        secret = EncryptedTextField("secret", hash_field="secret_hash")

    class Missing(models.Model):  # noqa: DJ008
        secret = EncryptedTextField("secret", hash_field="nope")

    class Right(models.Model):  # noqa: DJ008
        secret = EncryptedTextField("secret", hash_field="secret_hash")
        secret_hash = lookup_hash_field("hash")

    # when the system checks run, then the wrong order and the missing column are errors
    def ids(model: type[models.Model]) -> list[str]:
        return [m.id for m in model._meta.get_field("secret").check() if m.id]

    assert ids(Wrong) == ["fengqiao.E002"]
    assert ids(Missing) == ["fengqiao.E001"]
    assert ids(Right) == []
    assert all(isinstance(m, checks.Error) for m in Wrong._meta.get_field("secret").check())


# --- masking ----------------------------------------------------------------------------------


def test_mask_id_number() -> None:
    assert mask_id_number(ID_NUMBER) == "110***********1234"
    assert mask_id_number("") == ""
    assert mask_id_number("12345") == "*****"


def test_mask_phone() -> None:
    assert mask_phone(PHONE) == "138****5678"
    assert mask_phone(None) == ""
    assert mask_phone("12345") == "*****"


def test_mask_name() -> None:
    assert mask_name("张三丰") == "张**"


# --- logging ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证 {ID_NUMBER} 登记", "身份证 [id-number] 登记"),
        ("身份证11010119900307123X。", "身份证[id-number]。"),
        (f"phone={PHONE}", "phone=[phone]"),
        ("电话 +86 138 1234 5678", "电话 [phone]"),
        ("电话 8613812345678", "电话 [phone]"),
        ("电话 138-1234-5678", "电话 [phone]"),
        ("案件 2024000000001，账号 12345678901234567890", None),
    ],
)
def test_redact(text: str, expected: str | None) -> None:
    # None: other long numbers (case numbers, bank accounts) are left alone
    assert redact(text) == (text if expected is None else expected)


def _record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError(f"身份证号 {ID_NUMBER} 校验失败")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("fengqiao", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_logging_filter_redacts_message_and_arguments() -> None:
    # given a record whose arguments carry an ID number and a phone
    record = _record("person %s phone %s", ID_NUMBER, PHONE)

    # when the filter runs and the record is formatted
    assert RedactPersonalDataFilter().filter(record) is True
    output = logging.Formatter("%(message)s").format(record)

    # then neither value reaches the output
    assert output == "person [id-number] phone [phone]"


def test_logging_filter_redacts_traceback() -> None:
    # given logger.exception() for an exception whose message quotes an ID number
    record = _record("import failed", exc=True)

    # when the filter runs and the record is formatted
    RedactPersonalDataFilter().filter(record)
    output = logging.Formatter("%(message)s").format(record)

    # then the traceback is kept but the ID number is blanked
    assert "ValueError" in output
    assert "[id-number]" in output
    assert ID_NUMBER not in output


def test_logging_filter_survives_malformed_call() -> None:
    # given a call whose arguments do not fit the format string
    record = _record("phone %d", PHONE)

    # when the filter runs, then it neither raises nor lets the raw number through
    RedactPersonalDataFilter().filter(record)
    assert PHONE not in record.getMessage()


def test_configured_logging_redacts() -> None:
    # the filter is on the console handler of settings.LOGGING
    handler = next(h for h in logging.getLogger().handlers if h.filters)
    assert any(isinstance(f, RedactPersonalDataFilter) for f in handler.filters)


# --- request id -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abc123", True),
        ("3f2b8c1e-7d4a-4c3e-9a6b-1d2e3f4a5b6c", True),
        ("中文编号", False),
        ("１２３", False),
        ("a" * 65, False),
        ("x;drop", False),
    ],
)
def test_request_id_header(client: Client, db: None, incoming: str, kept: bool) -> None:
    # given a request with an X-Request-ID header
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    # then a safe id is echoed and anything else is replaced by a fresh hex id
    echoed = response["X-Request-ID"]
    assert (echoed == incoming) is kept
    assert echoed.isascii()
    assert len(echoed) <= 64
