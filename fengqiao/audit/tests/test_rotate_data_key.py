from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from fengqiao.accounts.models import User
from fengqiao.accounts.tests.factories import PASSWORD, UserFactory
from fengqiao.audit.choices import EventType
from fengqiao.audit.models import AuditEvent
from fengqiao.core import crypto
from fengqiao.core.fields import EncryptedTextField
from fengqiao.core.services import encrypted_fields
from fengqiao.orgs.models import Person
from fengqiao.orgs.services import person_create
from fengqiao.regions.models import Region
from fengqiao.regions.tests.factories import make_region

KEY_A = "a1" * 16
KEY_B = "b2" * 16
KEY_C = "c3" * 16
KID_A = crypto.key_id(bytes.fromhex(KEY_A))
KID_B = crypto.key_id(bytes.fromhex(KEY_B))

PEOPLE = [
    ("110101199003071234", "13812345678"),
    ("11010119850101002X", "13900001111"),
    ("330106200001011111", ""),
]

under_a = override_settings(FENGQIAO_DATA_KEY=KEY_A, FENGQIAO_DATA_KEYS_OLD=[])
rotating = override_settings(FENGQIAO_DATA_KEY=KEY_B, FENGQIAO_DATA_KEYS_OLD=[KEY_A])
under_b_only = override_settings(FENGQIAO_DATA_KEY=KEY_B, FENGQIAO_DATA_KEYS_OLD=[])


@pytest.fixture
def region(db: None) -> Region:
    return make_region("990000000000", "示例省")


@pytest.fixture
def people_under_a(region: Region) -> list[Person]:
    with under_a:
        return [
            person_create(
                actor=None, name=f"人员{i}", gender="M", region=region, id_number=i_n, phone=ph
            )
            for i, (i_n, ph) in enumerate(PEOPLE)
        ]


@pytest.fixture
def user_under_a(db: None) -> User:
    with under_a:
        user = UserFactory(username="zhang")
        user.phone = "13700000000"
        user.totp_secret = "JBSWY3DPEHPK3PXP"
        user.save()
    return user


def _raw(model: type, pk: int, column: str) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_data_key", *args, stdout=out)
    return out.getvalue()


def test_every_encrypted_column_is_found() -> None:
    found = {
        f"{model._meta.label}.{f.name}" for model, fs in encrypted_fields().items() for f in fs
    }
    assert {
        "orgs.Person.id_number",
        "orgs.Person.phone",
        "accounts.User.phone",
        "accounts.User.totp_secret",
    } <= found
    assert all(isinstance(f, EncryptedTextField) for fs in encrypted_fields().values() for f in fs)


def test_rotation_moves_every_value_to_the_new_key(
    people_under_a: list[Person], user_under_a: User
) -> None:
    # given values written under key A
    assert _raw(Person, people_under_a[0].pk, "id_number").startswith(f"sm4gcm:{KID_A}:")

    # when the key becomes B (A kept as old) and the command runs in small batches
    with rotating:
        output = _rotate("--batch-size", "2")

    # then it reports what it did per column and in total
    assert "orgs.Person.id_number：检查 3 条，重新加密 3 条，重算检索码 3 条" in output
    assert "orgs.Person.phone：检查 3 条，重新加密 2 条，重算检索码 2 条" in output
    assert "accounts.User.totp_secret：检查 1 条，重新加密 1 条，重算检索码 0 条" in output
    assert "合计：重新加密 7 条，重算检索码 6 条" in output
    # and every stored value is now under B
    for person in people_under_a:
        assert _raw(Person, person.pk, "id_number").startswith(f"sm4gcm:{KID_B}:")
    assert _raw(Person, people_under_a[2].pk, "phone") == ""
    assert _raw(User, user_under_a.pk, "totp_secret").startswith(f"sm4gcm:{KID_B}:")

    # when key A is dropped altogether
    with under_b_only:
        # then every value still decrypts and every lookup hash finds its row
        for person, (id_number, phone) in zip(people_under_a, PEOPLE, strict=True):
            fresh = Person.objects.get(pk=person.pk)
            assert (fresh.id_number, fresh.phone) == (id_number, phone)
            assert Person.objects.get(id_number_hash=crypto.lookup_hash(id_number)) == person
            if phone:
                assert Person.objects.get(phone_hash=crypto.lookup_hash(phone)) == person
        assert Person.objects.get(pk=people_under_a[2].pk).phone_hash == ""
        user = User.objects.get(pk=user_under_a.pk)
        assert (user.phone, user.totp_secret) == ("13700000000", "JBSWY3DPEHPK3PXP")
        assert User.objects.get(phone_hash=crypto.lookup_hash("13700000000")) == user
        # and columns the rotation does not own are untouched
        assert user.check_password(PASSWORD)
        assert [p.name for p in Person.objects.order_by("pk")] == ["人员0", "人员1", "人员2"]


def test_rotation_is_audited(people_under_a: list[Person]) -> None:
    with rotating:
        _rotate()
    event = AuditEvent.objects.get(event_type=EventType.DATA_KEY_ROTATED)
    assert event.object_id == KID_B
    assert event.after is not None
    assert event.after["reencrypted"] == 5
    assert event.after["failed"] == 0
    assert event.after["fields"]["orgs.Person.id_number"] == {
        "checked": 3,
        "reencrypted": 3,
        "rehashed": 3,
        "failed": 0,
    }


def test_second_run_changes_nothing(people_under_a: list[Person]) -> None:
    # given a completed rotation
    with rotating:
        _rotate()
        tokens = [_raw(Person, p.pk, "id_number") for p in people_under_a]

        # when it is run again
        output = _rotate()

    # then nothing is rewritten
    assert "合计：重新加密 0 条，重算检索码 0 条" in output
    assert [_raw(Person, p.pk, "id_number") for p in people_under_a] == tokens


def test_stale_hash_under_the_new_key_is_repaired(people_under_a: list[Person]) -> None:
    # given a row already re-encrypted under B whose hash is still A's (an interrupted or
    # hand-made re-encryption: QuerySet.update does not refresh hashes)
    person = people_under_a[0]
    id_number = PEOPLE[0][0]
    with rotating:
        Person.objects.filter(pk=person.pk).update(id_number=id_number)
        assert _raw(Person, person.pk, "id_number").startswith(f"sm4gcm:{KID_B}:")
        assert not Person.objects.filter(id_number_hash=crypto.lookup_hash(id_number)).exists()

        # when the rotation runs
        output = _rotate()

        # then that row is counted as re-hashed, not re-encrypted, and is found again
        assert "orgs.Person.id_number：检查 3 条，重新加密 2 条，重算检索码 3 条" in output
        assert Person.objects.get(id_number_hash=crypto.lookup_hash(id_number)) == person


def test_value_under_an_unknown_key_is_reported_and_left_alone(
    region: Region, people_under_a: list[Person]
) -> None:
    # given one value written under a key C that is not configured any more
    with override_settings(FENGQIAO_DATA_KEY=KEY_C, FENGQIAO_DATA_KEYS_OLD=[]):
        stray = person_create(
            actor=None, name="遗留", gender="F", region=region, id_number="110101197001010011"
        )
    token = _raw(Person, stray.pk, "id_number")

    # when the rotation runs
    with rotating, pytest.raises(CommandError) as excinfo:
        _rotate()

    # then it names the value, leaves it as it was, and still rotated everything else
    assert f"orgs.Person.id_number pk={stray.pk}" in str(excinfo.value)
    assert "FENGQIAO_DATA_KEYS_OLD" in str(excinfo.value)
    assert _raw(Person, stray.pk, "id_number") == token
    for person in people_under_a:
        assert _raw(Person, person.pk, "id_number").startswith(f"sm4gcm:{KID_B}:")
    event = AuditEvent.objects.get(event_type=EventType.DATA_KEY_ROTATED)
    assert event.after is not None
    assert event.after["failed"] == 1


def test_bad_batch_size_is_refused(db: None) -> None:
    with pytest.raises(CommandError, match="batch-size"):
        _rotate("--batch-size", "0")


def test_actor_is_recorded(people_under_a: list[Person]) -> None:
    admin = UserFactory(username="sysadmin", real_name="系统管理员")
    with rotating:
        _rotate("--actor", "sysadmin")
    event = AuditEvent.objects.get(event_type=EventType.DATA_KEY_ROTATED)
    assert event.actor == admin
