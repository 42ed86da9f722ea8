"""Dates in a sane range (issue 13, item 1): a year typed as 0001 once stored a case that broke
the case list, the case page and the API for everyone whose scope held it (PostgreSQL read it
back as 1 BC: "timestamp too small"). Forms and the API refuse such a date in Chinese, and the
database refuses it from any other path."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from fengqiao.core.validators import BEIJING
from fengqiao.disputes.forms import IntakeForm
from fengqiao.disputes.models import CalendarOverride, Case, RepeatReport
from fengqiao.disputes.tests.factories import handled_case
from fengqiao.disputes.tests.test_views_common import east_case
from fengqiao.disputes.tests.test_views_intake import _intake
from fengqiao.mediation.forms import AgreeForm, ExpertOpinionForm, SessionForm
from fengqiao.mediation.models import Agreement, ExpertOpinion, MediationSession
from fengqiao.orgs.models import MediatorProfile, Membership, TrainingRecord
from fengqiao.web.tests.html import page_text

YEAR_ONE = "0001-01-01T00:00"
TOO_EARLY = "时间不能早于1949-10-01。"  # after the field's name: 发生时间, 调解时间…
IN_FUTURE = "时间不能晚于当前时间。"


def _soon() -> str:
    return (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")


# --- Web forms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (YEAR_ONE, TOO_EARLY),
        ("1949-09-30T23:59", TOO_EARLY),
        ("9999-12-31T23:59", IN_FUTURE),
        ("2025-01-01T00:00:00+16:00", "时区偏移超出范围"),
    ],
)
def test_intake_page_refuses_an_occurred_at_out_of_range(
    cast: Any, world: Any, client_for: Any, value: str, message: str
) -> None:
    # when the dispatcher types a year such as 0001 into 发生时间
    response = client_for(cast.dispatcher).post(
        "/cases/new/", {**_intake(world, occurred_at=value), "confirm_new": "1"}
    )
    # then the page says why, in Chinese, and nothing is registered
    assert response.status_code == 400
    assert message in page_text(response)
    assert not Case.objects.exists()


def test_intake_page_takes_the_founding_day_and_now(cast: Any, world: Any, client_for: Any) -> None:
    for value in ("1949-10-01T00:00", timezone.localtime().strftime("%Y-%m-%dT%H:%M")):
        form = IntakeForm(data=_intake(world, occurred_at=value), user=cast.dispatcher)
        assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("form_class", "field", "value", "message"),
    [
        (SessionForm, "held_at", YEAR_ONE, TOO_EARLY),
        (SessionForm, "held_at", "2025-01-01T00:00:00-16:30", "时区偏移超出范围"),
        (ExpertOpinionForm, "given_at", YEAR_ONE, TOO_EARLY),
        (ExpertOpinionForm, "given_at", "9999-01-01T00:00", IN_FUTURE),
        (AgreeForm, "performance_deadline", "0001-01-01", "日期不能早于1949-10-01。"),
        (AgreeForm, "performance_deadline", "2300-01-01", "日期不能晚于"),
    ],
)
def test_mediation_forms_refuse_times_out_of_range(
    cast: Any, world: Any, form_class: Any, field: str, value: str, message: str
) -> None:
    case = handled_case(cast, world)
    form = form_class(data={field: value}, case=case, user=cast.mediator_east)
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors[field]


def test_a_performance_deadline_may_lie_years_ahead(cast: Any, world: Any) -> None:
    case = handled_case(cast, world)
    day = (timezone.localdate() + timedelta(days=365 * 10)).isoformat()
    form = AgreeForm(data={"performance_deadline": day}, case=case, user=cast.mediator_east)
    form.is_valid()
    assert "performance_deadline" not in form.errors


def test_case_list_drops_a_filter_day_out_of_range(cast: Any, world: Any, client_for: Any) -> None:
    east_case(cast, world)
    response = client_for(cast.dispatcher).get("/cases/", {"since": "0001-01-01"})
    assert response.status_code == 200
    assert "邻里排水沟纠纷" in page_text(response)


# --- The database refuses what slipped past -----------------------------------------------------

TOO_EARLY_AT = datetime(1949, 9, 30, 23, 59, tzinfo=BEIJING)
TOO_LATE_AT = datetime(2101, 1, 1, tzinfo=BEIJING)


def _refused(update: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        update()


@pytest.mark.parametrize("when", [TOO_EARLY_AT, TOO_LATE_AT])
def test_database_refuses_a_dispute_time_out_of_range(cast: Any, world: Any, when: Any) -> None:
    case = east_case(cast, world, occurred_at=timezone.now() - timedelta(days=1))
    _refused(lambda: Case.objects.filter(pk=case.pk).update(occurred_at=when))
    report = RepeatReport.objects.create(
        case=case, channel=case.channel, category=case.category, region=case.region,
        title="重复", parties_json="[]", fingerprint="x",
    )  # fmt: skip
    _refused(lambda: RepeatReport.objects.filter(pk=report.pk).update(occurred_at=when))
    # the bounds themselves and an unknown time are stored
    Case.objects.filter(pk=case.pk).update(occurred_at=datetime(1949, 10, 1, tzinfo=BEIJING))
    Case.objects.filter(pk=case.pk).update(occurred_at=None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="year 1 at +08:00 is 1 BC in UTC")
def test_postgresql_refuses_year_one(cast: Any, world: Any) -> None:
    case = east_case(cast, world)
    year_one = datetime(1, 1, 1, tzinfo=BEIJING)
    _refused(lambda: Case.objects.filter(pk=case.pk).update(occurred_at=year_one))


def test_database_refuses_mediation_and_roster_dates_out_of_range(cast: Any, world: Any) -> None:
    case = handled_case(cast, world)
    session = MediationSession.objects.create(
        case=case, held_at=timezone.now(), mode="in_person", record="记录"
    )
    _refused(lambda: MediationSession.objects.filter(pk=session.pk).update(held_at=TOO_EARLY_AT))
    opinion = ExpertOpinion.objects.create(
        case=case, expert=world.mediator_east_person, field="土地", opinion="意见"
    )
    _refused(lambda: ExpertOpinion.objects.filter(pk=opinion.pk).update(given_at=TOO_LATE_AT))
    agreement = Agreement.objects.create(case=case, kind="oral", terms="赔偿")
    _refused(
        lambda: Agreement.objects.filter(pk=agreement.pk).update(
            performance_deadline=date(2101, 1, 1)
        )
    )
    _refused(lambda: CalendarOverride.objects.create(day=date(1900, 1, 1), is_workday=True))
    _refused(lambda: Membership.objects.update(started_on=date(1899, 12, 31)))
    person = world.mediator_east_person
    _refused(lambda: MediatorProfile.objects.create(person=person, certified_on=date(2101, 1, 1)))
    _refused(
        lambda: TrainingRecord.objects.create(
            person=person, held_on=date(1, 1, 1), kind="practical"
        )
    )
