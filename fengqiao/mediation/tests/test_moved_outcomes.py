"""调解协议, 调解不成记录 and 回访 moved from disputes to mediation (migrations mediation 0002 and
disputes 0017): the same tables and rows, read through mediation's models and the case."""

from __future__ import annotations

import importlib
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from fengqiao.accounts.models import Role
from fengqiao.disputes.models import Case
from fengqiao.disputes.tests.factories import start_mediation
from fengqiao.mediation.choices import AgreementKind
from fengqiao.mediation.models import Agreement, Failure, FollowUp
from fengqiao.mediation.outcomes import case_agree
from fengqiao.mediation.tests.factories import accepted_case


def test_the_tables_keep_their_names() -> None:
    tables = {m: m._meta.db_table for m in (Agreement, Failure, FollowUp)}
    assert tables == {
        Agreement: "disputes_agreement",
        Failure: "disputes_failure",
        FollowUp: "disputes_followup",
    }
    assert all(m._meta.app_label == "mediation" for m in tables)


def test_an_agreement_is_reached_through_its_case(cast: Any, world: Any) -> None:
    case = accepted_case(cast=cast, world=world)
    start_mediation(case, cast.mediator_east)
    case_agree(
        actor=cast.mediator_east,
        case_id=case.pk,
        version=None,
        kind=AgreementKind.ORAL,
        terms="当场赔付",
    )
    case = Case.objects.select_related("agreement").get(pk=case.pk)
    assert case.agreement.terms == "当场赔付"
    with connection.cursor() as cursor:
        cursor.execute("SELECT terms FROM disputes_agreement WHERE case_id = %s", [case.pk])
        assert cursor.fetchone() == ("当场赔付",)


def test_the_content_types_move_with_their_permissions(db: None) -> None:
    move = importlib.import_module(
        "fengqiao.mediation.migrations.0002_agreement_failure_followup"
    ).move_content_types
    # Given a database from before the move: the follow-up's content type is disputes', and a
    # role holds one of its permissions
    ContentType.objects.filter(app_label="mediation", model="followup").delete()
    old = ContentType.objects.create(app_label="disputes", model="followup")
    view = Permission.objects.create(content_type=old, codename="view_followup", name="查看回访")
    role = Role.objects.create(code="visit_reader", name="回访查看")
    role.permissions.add(view)

    # When the migration runs
    move(apps, None)

    # Then the content type, its permission and the role's grant are mediation's
    old.refresh_from_db()
    assert (old.app_label, old.model) == ("mediation", "followup")
    assert role.permissions.get().natural_key() == ("view_followup", "mediation", "followup")
    ContentType.objects.clear_cache()
