"""Every write of the assessment: the scheme (created from the defaults, its indicators edited),
the 人工评分 of its manual indicators and the publication of a ranking. Each is atomic, locks
the scheme it changes and writes its audit event in the same transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.assessment import hooks, policy
from fengqiao.assessment.choices import (
    MEASURE_DIRECTIONS,
    MEASURE_KEYS,
    Direction,
    Level,
    PeriodKind,
    Rule,
)
from fengqiao.assessment.defaults import DEFAULT_INDICATORS
from fengqiao.assessment.models import Indicator, ManualScore, Publication, Scheme
from fengqiao.assessment.selectors import (
    compute_ranking,
    current_publication,
    indicators_of,
    ranked_regions,
)
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core import validators as v
from fengqiao.regions.choices import RegionLevel
from fengqiao.regions.models import Region
from fengqiao.stats.measures import LABELS
from fengqiao.stats.periods import Period


class AssessmentError(Exception):
    """A write the rules refuse; the message is shown to the user."""


@dataclass(frozen=True)
class IndicatorData:
    level: str
    position: int
    name: str
    basis: str
    measure: str
    weight: Decimal
    direction: str
    rule: str
    floor: Decimal | None = None
    target: Decimal | None = None


def check_indicator(data: IndicatorData) -> IndicatorData:
    """The indicator as it may be stored, else AssessmentError naming what is wrong."""
    if data.level not in Level.values:
        raise AssessmentError(_("请选择考核对象。"))
    if data.direction not in Direction.values or data.rule not in Rule.values:
        raise AssessmentError(_("请选择方向和计分规则。"))
    if data.rule != Rule.MANUAL and data.measure not in MEASURE_KEYS:
        raise AssessmentError(_("请选择统计指标（人工评分的指标无需选择）。"))
    natural = MEASURE_DIRECTIONS.get(data.measure)
    if data.rule != Rule.MANUAL and natural is not None and data.direction != natural:
        raise AssessmentError(
            _("“%(m)s”应为“%(d)s”。") % {"m": LABELS[data.measure], "d": Direction(natural).label}
        )
    name = data.name.strip()
    if not name or len(name) > 60:
        raise AssessmentError(_("指标名称应为1至60个字。"))
    _line(name)
    _line(data.basis)
    if len(data.basis) > 200:
        raise AssessmentError(_("依据不超过200字。"))
    if not Decimal(0) < data.weight <= Decimal(100):
        raise AssessmentError(_("分值应大于0且不超过100。"))
    if not 1 <= data.position <= 99:
        raise AssessmentError(_("序号应在1至99之间。"))
    if data.rule == Rule.RANK:
        return IndicatorData(**{**asdict(data), "name": name, "floor": None, "target": None})
    if data.rule == Rule.MANUAL:
        # The score entered is the score: no measure, no bounds, more is better.
        return IndicatorData(
            **{
                **asdict(data),
                "name": name,
                "measure": "",
                "direction": Direction.HIGHER,
                "floor": None,
                "target": None,
            }
        )
    if data.floor is None or data.target is None:
        raise AssessmentError(_("线性计分须填写零分值和满分值。"))
    if data.direction == Direction.HIGHER and not data.target > data.floor:
        raise AssessmentError(_("越高越好的指标，满分值应高于零分值。"))
    if data.direction == Direction.LOWER and not data.target < data.floor:
        raise AssessmentError(_("越低越好的指标，满分值应低于零分值。"))
    return IndicatorData(**{**asdict(data), "name": name})


def _line(text: str) -> None:
    try:
        v.validate_single_line(text)
    except ValidationError as exc:
        raise AssessmentError(" ".join(exc.messages)) from exc


def _snapshot(indicator: Indicator) -> dict[str, Any]:
    return {
        "level": indicator.level,
        "name": indicator.name,
        "measure": indicator.measure,
        "weight": str(indicator.weight),
        "direction": indicator.direction,
        "rule": indicator.rule,
        "floor": None if indicator.floor is None else str(indicator.floor),
        "target": None if indicator.target is None else str(indicator.target),
    }


def _manage(actor: Any, county: Region) -> None:
    if not policy.may_manage(actor, county):
        raise PermissionDenied(_("考核方案由县级综治中心维护。"))


@transaction.atomic
def scheme_create_default(*, actor: Any, county: Region, year: int, check: bool = True) -> Scheme:
    """The county's scheme for ``year``, created from the defaults of the seeds when it has
    none (the existing one otherwise: a second click changes nothing). ``check=False`` is for
    the demo seed, which acts for the platform itself."""
    if check:
        _manage(actor, county)
    if county.level != RegionLevel.COUNTY:
        raise AssessmentError(_("考核方案按区县制定。"))
    if not 2000 <= year <= 2099:
        raise AssessmentError(_("考核年度应在2000至2099年之间。"))
    existing = Scheme.objects.select_for_update().filter(region=county, year=year).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            scheme = Scheme.objects.create(
                region=county,
                year=year,
                name=_("%(county)s%(year)d年度矛盾纠纷多元化解考核方案")
                % {"county": county.name, "year": year},
                updated_by=actor,
            )
    except IntegrityError:
        # Created meanwhile by a concurrent click.
        return Scheme.objects.get(region=county, year=year)
    positions: dict[str, int] = {}
    rows = []
    for d in DEFAULT_INDICATORS:
        positions[d.level] = positions.get(d.level, 0) + 1
        rows.append(
            Indicator(
                scheme=scheme,
                level=d.level,
                position=positions[d.level],
                name=d.name,
                basis=d.basis,
                measure=d.measure,
                weight=d.weight,
                direction=d.direction,
                rule=d.rule,
                floor=d.floor,
                target=d.target,
            )
        )
    Indicator.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        event_type=EventType.ASSESSMENT_SCHEME_CHANGED,
        obj=scheme,
        after={"created": "default", "indicators": len(rows)},
    )
    return scheme


@transaction.atomic
def indicator_save(
    *, actor: Any, scheme: Scheme, data: IndicatorData, indicator: Indicator | None = None
) -> Indicator:
    """Add an indicator to ``scheme`` or change ``indicator`` of it."""
    locked = Scheme.objects.select_for_update().select_related("region").get(pk=scheme.pk)
    _manage(actor, locked.region)
    clean = check_indicator(data)
    before = None
    if indicator is None:
        indicator = Indicator(scheme=locked)
    else:
        indicator = Indicator.objects.select_for_update().get(pk=indicator.pk, scheme=locked)
        before = _snapshot(indicator)
    for field, value in asdict(clean).items():
        setattr(indicator, field, value)
    indicator.save()
    locked.updated_at = timezone.now()
    locked.updated_by = actor
    locked.save(update_fields=["updated_at", "updated_by"])
    audit_record(
        actor=actor,
        event_type=EventType.ASSESSMENT_SCHEME_CHANGED,
        obj=locked,
        before=before,
        after={"indicator": indicator.pk, **_snapshot(indicator)},
    )
    return indicator


@transaction.atomic
def indicator_delete(*, actor: Any, indicator: Indicator) -> None:
    locked = Scheme.objects.select_for_update().select_related("region").get(pk=indicator.scheme_id)
    _manage(actor, locked.region)
    found = Indicator.objects.filter(pk=indicator.pk, scheme=locked).first()
    if found is None:
        return
    before = {
        "indicator": found.pk,
        **_snapshot(found),
        "manual_scores": ManualScore.objects.filter(indicator=found).count(),
    }
    found.delete()
    locked.updated_at = timezone.now()
    locked.updated_by = actor
    locked.save(update_fields=["updated_at", "updated_by"])
    audit_record(
        actor=actor,
        event_type=EventType.ASSESSMENT_SCHEME_CHANGED,
        obj=locked,
        before=before,
        after={"deleted": True},
    )


def _manual_snapshot(entry: ManualScore) -> dict[str, Any]:
    return {
        "manual_score": entry.pk,
        "indicator": entry.indicator_id,
        "region": entry.region_id,
        "period": [entry.period_start.isoformat(), entry.period_end.isoformat()],
        "score": str(entry.score),
        "note": entry.note,
    }


@transaction.atomic
def manual_score_set(
    *,
    actor: Any,
    indicator: Indicator,
    region: Region,
    period: Period,
    score: Decimal,
    note: str,
) -> ManualScore:
    """人工评分: enter (or correct) ``region``'s score on the manual ``indicator`` for the
    quarter or year ``period``, 0 to the indicator's weight, with the evidence judged in
    ``note``. Audited as a change of the scheme; nothing is saved when anything is refused.
    A published ranking keeps the scores it was published with."""
    scheme = Scheme.objects.select_for_update().select_related("region").get(pk=indicator.scheme_id)
    if not policy.may_score(actor, scheme.region):
        raise PermissionDenied(_("人工评分由县级综治中心录入。"))
    locked = Indicator.objects.filter(pk=indicator.pk, scheme=scheme).first()
    if locked is None or locked.rule != Rule.MANUAL:
        raise AssessmentError(_("该指标不是人工评分指标。"))
    if period.kind not in PeriodKind.values or period.start.year != scheme.year:
        raise AssessmentError(_("评分期间应为%(y)d年的某一季度或全年。") % {"y": scheme.year})
    if region.pk not in {r.pk for r in ranked_regions(scheme.region, locked.level)}:
        raise AssessmentError(
            _("请选择本区县参加该项考核的%(l)s。") % {"l": Level(locked.level).label}
        )
    try:
        value = Decimal(score)
    except ArithmeticError:
        value = Decimal("NaN")
    if not (
        value.is_finite()
        and Decimal(0) <= value <= locked.weight
        and value == value.quantize(Decimal("0.01"))
    ):
        raise AssessmentError(
            _("评分应在0至%(w)s分之间（本指标分值%(w)s分），最多两位小数。") % {"w": locked.weight}
        )
    value = value.quantize(Decimal("0.01"))
    note = note.strip()
    if not note or len(note) > 200:
        raise AssessmentError(_("请写明评分依据（如文书名称、采纳或批示情况），不超过200字。"))
    _line(note)
    entry = (
        ManualScore.objects.select_for_update()
        .filter(
            indicator=locked,
            region=region,
            period_start=period.start,
            period_end=period.end,
        )
        .first()
    )
    before = None
    if entry is not None:
        if entry.score == value and entry.note == note:
            return entry  # a second click changes nothing
        before = _manual_snapshot(entry)
    else:
        entry = ManualScore(
            indicator=locked, region=region, period_start=period.start, period_end=period.end
        )
    entry.score, entry.note = value, note
    entry.entered_by, entry.entered_at = actor, timezone.now()
    entry.save()
    audit_record(
        actor=actor,
        event_type=EventType.ASSESSMENT_SCHEME_CHANGED,
        obj=scheme,
        before=before,
        after=_manual_snapshot(entry),
    )
    return entry


@transaction.atomic
def manual_score_clear(
    *,
    actor: Any,
    indicator: Indicator,
    region: Region,
    period: Period,
    reason: str,
) -> None:
    """清除评分: remove ``region``'s 人工评分 on ``indicator`` for ``period`` (it was entered for
    the wrong region or period, or the evidence fell away), with the reason; the region is then
    缺数据 on it again, never 0. Asked of the same policy as entering one; refused once the
    period's ranking of the indicator's level has been published. Audited with the score
    removed."""
    scheme = Scheme.objects.select_for_update().select_related("region").get(pk=indicator.scheme_id)
    locked = Indicator.objects.filter(pk=indicator.pk, scheme=scheme).first()
    if locked is None or locked.rule != Rule.MANUAL:
        raise AssessmentError(_("该指标不是人工评分指标。"))
    refusal = policy.clear_refusal(actor, scheme.region, locked.level, period)
    if refusal == policy.NOT_PERMITTED:
        raise PermissionDenied(_("人工评分由县级综治中心录入。"))
    if refusal is not None:
        raise AssessmentError(refusal)
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise AssessmentError(_("请写明清除评分的理由，不超过200字。"))
    _line(reason)
    entry = (
        ManualScore.objects.select_for_update()
        .filter(indicator=locked, region=region, period_start=period.start, period_end=period.end)
        .first()
    )
    if entry is None:
        raise AssessmentError(
            _("%(r)s %(p)s没有人工评分，无需清除。") % {"r": region.name, "p": period.label}
        )
    before = _manual_snapshot(entry)
    entry.delete()
    audit_record(
        actor=actor,
        event_type=EventType.ASSESSMENT_SCHEME_CHANGED,
        obj=scheme,
        before=before,
        after={"manual_score": before["manual_score"], "cleared": True, "reason": reason},
    )


class Published(NamedTuple):
    """What 发布 did: the current publication, whether this call made it, and what followed
    it in the apps above (``hooks.ranking_published``: the reports queued again), in
    sentences for the publisher."""

    publication: Publication
    made: bool
    followups: list[str]


def weight_total(scheme: Scheme, level: str) -> Decimal:
    return sum((i.weight for i in indicators_of(scheme, level)), Decimal(0))


@transaction.atomic
def ranking_publish(
    *,
    actor: Any,
    county: Region,
    level: str,
    period: Period,
    republish: bool = False,
    expected_version: int | None = None,
    reason: str = "",
) -> Published:
    """发布: store the ranking of ``period`` as computed now, with its inputs. Publishing what
    is already published returns it unchanged (a double click publishes once); republishing
    is explicit (``republish`` with a reason) and, when ``expected_version`` is given, happens
    only over that version (a double click of 重新发布 republishes once). A new version is
    announced in the same transaction (``hooks.ranking_published``): the reports that print
    this period's ranking are queued again, so none keeps showing the one it replaced."""
    if not policy.may_publish(actor, county):
        raise PermissionDenied(_("考核排名由县级综治中心发布。"))
    if level not in Level.values or period.kind not in PeriodKind.values:
        raise AssessmentError(_("只能发布季度或年度的乡镇、村（社区）排名。"))
    if period.end >= timezone.localdate():
        raise AssessmentError(_("%(p)s尚未结束，不能发布。") % {"p": period.label})
    scheme = (
        Scheme.objects.select_for_update().filter(region=county, year=period.start.year).first()
    )
    if scheme is None:
        raise AssessmentError(_("%(y)d年度尚无考核方案。") % {"y": period.start.year})
    total = weight_total(scheme, level)
    if total != Decimal(100):
        raise AssessmentError(
            _("该考核对象的指标分值合计为%(t)s分，应为100分，请先调整考核方案。") % {"t": total}
        )
    current = current_publication(county, level, period)
    reason = reason.strip()
    if current is not None:
        if not republish:
            return Published(current, False, [])
        if expected_version is not None and current.version != expected_version:
            return Published(current, False, [])
        if not reason or len(reason) > 200:
            raise AssessmentError(_("重新发布须写明原因（不超过200字）。"))
        _line(reason)
    data = compute_ranking(scheme, county, level, period)
    version = 1
    if current is not None:
        version = current.version + 1
        Publication.objects.filter(pk=current.pk).update(is_current=False)
    publication = Publication.objects.create(
        scheme=scheme,
        region=county,
        level=level,
        period_kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        version=version,
        reason=reason if current is not None else "",
        rows=data,
        published_by=actor,
    )
    followups = hooks.ranking_published(publication, actor)
    audit_record(
        actor=actor,
        event_type=(
            EventType.ASSESSMENT_REPUBLISHED
            if current is not None
            else EventType.ASSESSMENT_PUBLISHED
        ),
        obj=publication,
        object_repr=f"{county.name} {period.label} {Level(level).label}",
        before=({"version": current.version, "ranks": _ranks(current.rows)} if current else None),
        after={
            "version": version,
            "reason": publication.reason,
            "ranks": _ranks(data),
            "followups": followups,
        },
    )
    return Published(publication, True, followups)


def _ranks(data: dict[str, Any]) -> dict[str, Any]:
    return {str(r["region_id"]): [r["rank"], r["total"]] for r in data["rows"]}
