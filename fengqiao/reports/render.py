"""A report's content into its three files: PDF (an HTML template through the documents app's
WeasyPrint pipeline, the Chinese font embedded, the charts as PNG ``data:`` images), DOCX
(python-docx: the same sections, the charts as pictures, the tables as tables) and XLSX (a sheet
per table, written through ``core.xlsx`` so no cell is a formula)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from fengqiao.core.xlsx import tables_workbook
from fengqiao.documents.render import CJK_FAMILY, html_to_pdf, render_html
from fengqiao.reports import charts
from fengqiao.reports.content import Figure, MixRow, ReportContent, format_value

TEMPLATE = "reports/report_pdf.html"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    png: bytes

    @property
    def uri(self) -> str:
        return charts.data_uri(self.png)


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    docx: bytes
    xlsx: bytes


def report_charts(content: ReportContent) -> list[Chart]:
    """The trend, the category mix and the handling levels."""
    labels = [p.label for p in content.trend]
    return [
        Chart(
            "trend",
            _("受理与化解趋势"),
            charts.bar_chart(
                _("受理与化解趋势（件）"),
                labels,
                [
                    charts.Series(_("受理"), [p.intake for p in content.trend]),
                    charts.Series(_("调处成功"), [p.resolved for p in content.trend]),
                ],
            ),
        ),
        Chart(
            "categories",
            _("纠纷类别构成"),
            charts.share_chart(
                _("纠纷类别构成（件）"),
                [r.label for r in content.categories],
                [r.count for r in content.categories],
            ),
        ),
        Chart(
            "levels",
            _("化解层级"),
            charts.share_chart(
                _("化解层级（件）"),
                [r.label for r in content.levels],
                [r.count for r in content.levels],
            ),
        ),
    ]


def _percent(value: Any) -> str:
    return "—" if value is None else f"{value}%"


def _change(row: MixRow) -> str:
    return "—" if row.change is None else f"{row.change:+}%"


# The tables every format prints: (title, header, rows) built once from the content.
Table = tuple[str, list[str], list[list[Any]]]


def figure_table(figures: Sequence[Figure]) -> Table:
    return (
        _("主要指标"),
        [_("指标"), _("数值"), _("分子"), _("分母"), _("计算公式")],
        [
            [
                f.label,
                f.display,
                "" if f.numerator is None else f.numerator,
                "" if f.denominator is None else f.denominator,
                f.formula,
            ]
            for f in figures
        ],
    )


def tables(content: ReportContent) -> list[Table]:
    found: list[Table] = [
        figure_table(content.figures),
        (
            _("趋势"),
            [_("时段"), _("受理（件）"), _("调处成功（件）")],
            [[p.label, p.intake, p.resolved] for p in content.trend],
        ),
        (
            _("类别构成"),
            [_("类别"), _("本期（件）"), _("占比"), _("上期（件）"), _("变化")],
            [
                [r.label, r.count, _percent(r.share), r.previous, _change(r)]
                for r in content.categories
            ],
        ),
        (
            _("化解层级"),
            [_("层级"), _("化解（件）"), _("占比")],
            [[r.label, r.count, _percent(r.share)] for r in content.levels],
        ),
        (
            _("热点区域"),
            [_("区域"), _("本期（件）"), _("上期（件）"), _("增加（件）"), _("变化")],
            [[r.label, r.count, r.previous, r.increase, _change(r)] for r in content.hot_regions],
        ),
        (
            _("热点类别"),
            [_("类别"), _("本期（件）"), _("上期（件）"), _("增加（件）"), _("变化")],
            [
                [r.label, r.count, r.previous, r.increase, _change(r)]
                for r in content.hot_categories
            ],
        ),
    ]
    if content.ranked:
        found.append(ranking_table(content))
        found.append(region_table(content))
    return found


def ranking_table(content: ReportContent) -> Table:
    """The assessment's ranking as the assessment page shows it: place, region, total, the
    weight that had a figure and the indicators without one (缺数据)."""
    community = any(r.township for r in content.ranking)
    header = [_("名次"), content.ranking_of]
    if community:
        header.append(_("所属乡镇"))
    header += [_("总分"), _("有数据指标分值"), _("缺数据指标")]
    rows: list[list[Any]] = []
    for r in content.ranking:
        line: list[Any] = [r.rank or "—", r.label]
        if community:
            line.append(r.township)
        line += [r.total or "—", r.counted_weight, "、".join(r.missing) or "—"]
        rows.append(line)
    return (_("%(of)s考核排名") % {"of": content.ranking_of}, header, rows)


def score_table(content: ReportContent) -> Table:
    """Each indicator's score per region (缺数据 where the figure is missing): the region ×
    indicator table of the PDF, the DOCX and the XLSX."""
    header = [_("名次"), content.ranking_of, _("总分")]
    header += [_("%(n)s（%(w)s分）") % {"n": n, "w": w} for n, w in content.ranking_indicators]
    return (
        _("考核得分明细"),
        header,
        [
            [r.rank or "—", r.label, r.total or "—", *(s or _("缺数据") for s in r.scores)]
            for r in content.ranking
        ],
    )


# Above this many indicators the score table gets a landscape page (PDF) or section (DOCX):
# the default township scheme's 12 columns of indicators do not fit a portrait A4 readably.
LANDSCAPE_INDICATORS = 5


def scores_landscape(content: ReportContent) -> bool:
    return len(content.ranking_indicators) > LANDSCAPE_INDICATORS


def indicator_line(content: ReportContent) -> str:
    return _("考核指标及分值：%(list)s。各项得分见“考核得分明细”表（“缺数据”的指标不计分）。") % {
        "list": "、".join(f"{n}（{w}分）" for n, w in content.ranking_indicators)
    }


def region_table(content: ReportContent) -> Table:
    header = [_("地区")]
    if content.regions:
        header += [f.label for f in content.regions[0].figures]
    return (
        _("各地主要指标"),
        header,
        [[r.label, *(f.display for f in r.figures)] for r in content.regions],
    )


def render_pdf(content: ReportContent, chart_list: list[Chart]) -> bytes:
    source = render_html(
        TEMPLATE,
        {
            "c": content,
            "charts": {chart.key: chart for chart in chart_list},
            "tables": {t[0]: t for t in tables(content)},
            "ranking": ranking_table(content) if content.ranked else None,
            "regions": region_table(content) if content.ranked else None,
            "indicator_line": indicator_line(content) if content.ranking else "",
            "scores": score_table(content) if content.ranked and content.ranking else None,
            "scores_landscape": scores_landscape(content),
            "format_value": format_value,
        },
    )
    return html_to_pdf(source)


def render_docx(content: ReportContent, chart_list: list[Chart]) -> bytes:
    """The report for editing in WPS or Word: the same sections as the PDF, the charts as
    PNG pictures, every table as a Word table."""
    from docx import Document
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = CJK_FAMILY
    normal.font.size = Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FAMILY)
    by_title = {t[0]: t for t in tables(content)}
    by_key = {chart.key: chart for chart in chart_list}

    def table(found: Table, size: Any = None) -> None:
        _title, header, rows = found
        grid = doc.add_table(rows=1 + len(rows), cols=len(header))
        grid.style = "Table Grid"
        for c, text in enumerate(header):
            grid.cell(0, c).text = str(text)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                grid.cell(r, c).text = str(value)
        if size is not None:
            for cell in (cell for line in grid.rows for cell in line.cells):
                for run in (run for p in cell.paragraphs for run in p.runs):
                    run.font.size = size

    def orient(landscape: bool) -> None:
        """A new section, on a landscape or portrait A4 page."""
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        width, height = Cm(21), Cm(29.7)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (height, width) if landscape else (width, height)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(1.5) if landscape else Cm(2.5))

    def picture(key: str) -> None:
        doc.add_picture(io.BytesIO(by_key[key].png), width=Cm(16))

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(content.title)
    run.bold = True
    run.font.size = Pt(18)
    doc.add_paragraph(
        _("区域：%(region)s　时段：%(period)s（%(start)s至%(end)s）　对比：%(previous)s")
        % {
            "region": content.region_name,
            "period": content.period_label,
            "start": content.period_start,
            "end": content.period_end,
            "previous": content.previous_label,
        }
    )
    sections = content.sections
    doc.add_heading(sections[0], level=2)
    table(by_title[_("主要指标")])
    doc.add_heading(sections[1], level=2)
    picture("trend")
    table(by_title[_("趋势")])
    doc.add_heading(sections[2], level=2)
    picture("categories")
    table(by_title[_("类别构成")])
    picture("levels")
    table(by_title[_("化解层级")])
    doc.add_heading(sections[3], level=2)
    doc.add_paragraph(_("热点区域（较上期增加最多）"))
    table(by_title[_("热点区域")])
    doc.add_paragraph(_("热点类别（较上期增加最多）"))
    table(by_title[_("热点类别")])
    doc.add_heading(sections[4], level=2)
    if content.ranked:
        doc.add_paragraph(content.ranking_status)
        if content.ranking:
            table(ranking_table(content))
            doc.add_paragraph(indicator_line(content))
            wide = scores_landscape(content)
            if wide:
                orient(landscape=True)
            doc.add_paragraph(_("考核得分明细（各地区各项指标得分）"))
            table(score_table(content), size=Pt(8) if wide else Pt(9))
            if wide:
                orient(landscape=False)
        doc.add_paragraph(_("各地主要指标（按区划顺序，不作排名）"))
        table(region_table(content))
    else:
        doc.add_paragraph(_("本报表类型不含考核排名（季通报、年考核和年度报告含考核排名）。"))
    doc.add_heading(sections[5], level=2)
    for n, sentence in enumerate(content.recommendations, start=1):
        doc.add_paragraph(f"{n}. {sentence}")
    if content.notes:
        doc.add_heading(_("说明"), level=2)
        for note in content.notes:
            doc.add_paragraph(note)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_xlsx(content: ReportContent) -> bytes:
    """A sheet per table, each under the report's title, region, period and generation time;
    then the recommendations (``core.xlsx``: no cell is a formula)."""
    preamble = [
        content.title,
        _("区域：%(region)s；时段：%(start)s至%(end)s；生成时间：%(at)s")
        % {
            "region": content.region_name,
            "start": content.period_start,
            "end": content.period_end,
            "at": content.generated_at.strftime("%Y-%m-%d %H:%M"),
        },
    ]
    if content.ranked:
        preamble.append(content.ranking_status)
    recommendations: Table = (
        _("对策建议"),
        [_("序号"), _("建议")],
        [[n, s] for n, s in enumerate(content.recommendations, 1)],
    )
    scores = [score_table(content)] if content.ranked and content.ranking else []
    return tables_workbook([*tables(content), *scores, recommendations], preamble=preamble)


def render_all(content: ReportContent) -> Rendered:
    chart_list = report_charts(content)
    return Rendered(
        pdf=render_pdf(content, chart_list),
        docx=render_docx(content, chart_list),
        xlsx=render_xlsx(content),
    )
