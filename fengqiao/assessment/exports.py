"""XLSX export of a ranking: watermarked with who exported it and when, and audited (as the
队伍建设 reports are: ``orgs.exports``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fengqiao.assessment.choices import Level
from fengqiao.assessment.selectors import Ranking, period_code
from fengqiao.audit.choices import EventType
from fengqiao.audit.services import audit_record
from fengqiao.core.xlsx import table_workbook
from fengqiao.orgs.exports import ExportedFile, watermark_for


def ranking_export(*, actor: Any, ranking: Ranking) -> ExportedFile:
    """The lines ``actor`` sees of ``ranking``: place, region, total, and per indicator the
    figure and the score ("缺少数据" where the figure is missing)."""
    now = timezone.localtime()
    level = Level(ranking.level)
    title = _("%(county)s%(period)s%(level)s考核排名") % {
        "county": ranking.county.name,
        "period": ranking.period.label,
        "level": level.label,
    }
    status = (
        _("已发布（第%(v)d版，%(t)s）")
        % {
            "v": ranking.publication.version,
            "t": timezone.localtime(ranking.publication.published_at).strftime("%Y-%m-%d %H:%M"),
        }
        if ranking.published and ranking.publication is not None
        else _("实时计算，未发布")
    )
    indicators = ranking.data["indicators"]
    header = [_("名次"), _("地区")]
    if ranking.level == Level.COMMUNITY:
        header.append(_("所属乡镇"))
    header += [_("总分"), _("可计分权重")]
    for ind in indicators:
        header += [
            f"{ind['name']}",
            _("%(n)s得分（%(w)s分）") % {"n": ind["name"], "w": ind["weight"]},
        ]
    missing = _("缺少数据")
    rows = []
    for row in ranking.rows:
        line: list[Any] = [row["rank"] or "—", row["name"]]
        if ranking.level == Level.COMMUNITY:
            line.append(row["township"])
        line += [row["total"] or "—", row["counted_weight"]]
        for score in row["scores"]:
            line += [
                score["display"] if score["value"] is not None else missing,
                score["score"] or missing,
            ]
        rows.append(line)
    content = table_workbook(
        title[:31],
        header,
        rows,
        preamble=[
            title,
            watermark_for(actor, now),
            _("方案：%(s)s；%(st)s") % {"s": ranking.data["scheme"], "st": status},
        ],
        width=16,
    )
    audit_record(
        actor=actor,
        event_type=EventType.DATA_EXPORTED,
        object_type="assessment.ranking",
        object_id=f"{ranking.county.pk}:{ranking.level}:{period_code(ranking.period)}",
        object_repr=title,
        after={
            "rows": len(rows),
            "published": ranking.published,
        },
    )
    return ExportedFile(
        f"assessment-{ranking.level}-{period_code(ranking.period)}-{now:%Y%m%d%H%M}.xlsx", content
    )
