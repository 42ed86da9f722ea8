"""The three files of a report, rendered from a content object built by hand: the PDF holds the
charts (PNG images that are not blank) and the Chinese text in the embedded font; the DOCX holds
every section, the charts and the tables; the XLSX a sheet per table, no cell a formula."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from fengqiao.assessment.choices import Level
from fengqiao.assessment.defaults import DEFAULT_INDICATORS
from fengqiao.reports.content import MixRow, RankRow
from fengqiao.reports.render import Rendered, render_all
from fengqiao.reports.tests.conftest import sample_content


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    content = sample_content()
    # A category whose name would run as a formula in a spreadsheet.
    hostile = MixRow('=HYPERLINK("http://x")', 1, 0)
    return render_all(replace(content, categories=[*content.categories, hostile]))


def test_the_pdf_holds_the_charts_as_images_that_are_not_blank(rendered: Rendered) -> None:
    reader = PdfReader(io.BytesIO(rendered.pdf))
    # The pages share one resource dictionary: the same image may be listed on every page.
    images = {image.data: image for page in reader.pages for image in page.images}.values()
    assert len(images) == 3  # trend, categories, handling levels
    for found in images:
        picture = Image.open(io.BytesIO(found.data)).convert("L")
        assert picture.width >= 800
        low, high = picture.getextrema()
        assert high - low > 100, "the chart has drawn marks, not one flat colour"
        # More than a frame: a good share of the picture is ink.
        dark = sum(picture.histogram()[:200])
        assert dark > picture.width * picture.height * 0.02


def test_the_pdf_holds_the_chinese_text(rendered: Rendered) -> None:
    reader = PdfReader(io.BytesIO(rendered.pdf))
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)
    for expected in (
        "测试区2026年第3季度季通报",
        "一、主要指标",
        "调处成功率",
        "调处成功数÷调处办结数×100%",
        "热点区域",
        "乙镇",
        "邻里纠纷",
        "乡镇（街道）",
        "六、工作建议",
        "建议组织开展专项排查化解",
        "万人起诉率需导入法院立案数",
        # The assessment's ranking: its status, the places, totals and what is missing.
        "五、考核排名",
        "考核排名未发布/试算",
        "乡镇（街道）考核排名",
        "1乙镇94.1285万人起诉率",
        "2甲镇75.00100—",
        "诉前调处成功率（85分）、万人起诉率（15分）",
        # Each region's score per indicator (考核得分明细), 缺数据 where missing.
        "考核得分明细（各地区各项指标得分）",
        "名次乡镇（街道）总分诉前调处成功率（85分）万人起诉率（15分）",
        "1乙镇94.1280.00缺数据",
        "2甲镇75.0060.0015.00",
        "各地主要指标",
    ):
        assert expected in text, expected
    assert "排名规则：按调处成功率" not in text


def test_the_pdf_embeds_the_cjk_font(rendered: Rendered) -> None:
    reader = PdfReader(io.BytesIO(rendered.pdf))
    programs = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            for descendant in font.get_object().get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        programs.append(descriptor[key].get_object().get_data())
    assert programs
    assert all(b"NotoSerifCJK" in program for program in programs)


def _score_table(doc: Any) -> Any:
    """The DOCX's 考核得分明细: after 名次, region and 总分, the indicators' columns."""
    return next(t for t in doc.tables if _is_score_table(t))


def _is_score_table(table: Any) -> bool:
    return table.cell(0, 2).text == "总分" and table.cell(0, 3).text != "有数据指标分值"


def test_the_docx_has_every_section_the_charts_and_the_tables(rendered: Rendered) -> None:
    doc = Document(io.BytesIO(rendered.docx))
    text = [p.text for p in doc.paragraphs]
    for heading in (
        "一、主要指标",
        "二、趋势",
        "三、类别构成与化解层级",
        "四、热点",
        "五、考核排名",
        "六、工作建议",
    ):
        assert heading in text, heading
    assert text[0] == "测试区2026年第3季度季通报"
    assert len(doc.inline_shapes) == 3
    scores = _score_table(doc)
    tables = {t.cell(0, 0).text: t for t in doc.tables if not _is_score_table(t)}
    assert tables["指标"].cell(2, 0).text == "调处成功率"
    assert tables["指标"].cell(2, 4).text == "调处成功数 ÷ 调处办结数 × 100%"
    ranking = tables["名次"]
    assert [c.text for c in ranking.rows[0].cells] == [
        "名次",
        "乡镇（街道）",
        "总分",
        "有数据指标分值",
        "缺数据指标",
    ]
    assert [c.text for c in ranking.rows[1].cells] == ["1", "乙镇", "94.12", "85", "万人起诉率"]
    # Each region's score per indicator, 缺数据 where the figure is missing.
    assert [c.text for c in scores.rows[0].cells][3:] == [
        "诉前调处成功率（85分）",
        "万人起诉率（15分）",
    ]
    assert [c.text for c in scores.rows[1].cells] == ["1", "乙镇", "94.12", "80.00", "缺数据"]
    assert "考核得分明细（各地区各项指标得分）" in text
    assert any(p.startswith("考核排名未发布/试算") for p in text)
    assert tables["地区"].cell(1, 0).text == "甲镇"
    assert any("邻里纠纷" in p for p in text if p.startswith("1. "))


def test_the_xlsx_has_a_sheet_per_table_and_no_formula(rendered: Rendered) -> None:
    book = load_workbook(io.BytesIO(rendered.xlsx))
    assert book.sheetnames == [
        "主要指标",
        "趋势",
        "类别构成",
        "化解层级",
        "热点区域",
        "热点类别",
        "乡镇（街道）考核排名",
        "各地主要指标",
        "考核得分明细",
        "对策建议",
    ]
    # Under the title and the region line, every sheet says how the ranking was reached.
    assert str(book["主要指标"].cell(3, 1).value).startswith("考核排名未发布/试算")
    figures = [[c.value for c in row] for row in book["主要指标"].iter_rows(min_row=4)]
    assert figures[0] == ["指标", "数值", "分子", "分母", "计算公式"]
    assert figures[2] == ["调处成功率", "72.5%", 58, 80, "调处成功数 ÷ 调处办结数 × 100%"]
    categories = book["类别构成"]
    hostile = [row for row in categories.iter_rows(min_row=5) if "HYPERLINK" in str(row[0].value)]
    assert hostile[0][0].data_type == "s"
    assert hostile[0][0].quotePrefix
    ranking = [[c.value for c in row] for row in book["乡镇（街道）考核排名"].iter_rows(min_row=5)]
    assert ranking == [[1, "乙镇", "94.12", "85", "万人起诉率"], [2, "甲镇", "75.00", "100", "—"]]
    scores = [[c.value for c in row] for row in book["考核得分明细"].iter_rows(min_row=4)]
    assert scores[0][3:] == ["诉前调处成功率（85分）", "万人起诉率（15分）"]
    assert scores[1] == [1, "乙镇", "94.12", "80.00", "缺数据"]


def test_a_twelve_indicator_score_table_gets_a_landscape_page(tmp_path: Any) -> None:
    """The default township scheme: 12 indicators × 8 townships, readable on a landscape A4
    page in the PDF and a landscape section in the DOCX, every indicator's name and every
    region's score printed."""
    names = [d.name for d in DEFAULT_INDICATORS if d.level == Level.TOWNSHIP]
    assert len(names) == 12
    towns = [f"{c}镇" for c in "甲乙丙丁戊己庚辛"]
    rows = [
        RankRow(
            n,
            town,
            "",
            f"{90 - n}.50",
            "85",
            ["万人起诉率"],
            [None if name == "万人起诉率" else f"{n}.{k:02d}" for k, name in enumerate(names)],
        )
        for n, town in enumerate(towns, start=1)
    ]
    content = replace(
        sample_content(),
        ranking=rows,
        ranking_indicators=[(name, "5") for name in names],
    )
    rendered = render_all(content)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    wide = [p for p in reader.pages if p.mediabox.width > p.mediabox.height]
    assert len(wide) == 1, "the score table is on one landscape page"
    text = "".join(wide[0].extract_text().split())
    assert "考核得分明细" in text
    for name in names:
        assert name in text, name
    for n, town in enumerate(towns, start=1):
        # Place, region, total, then the first indicator's score (诉前调处成功数: n.00).
        assert f"{n}{town}{90 - n}.50{n}.00" in text, town
    assert text.count("缺数据") >= len(towns)
    # The rest of the report stays portrait.
    assert all(p.mediabox.width < p.mediabox.height for p in reader.pages if p not in wide)

    doc = Document(io.BytesIO(rendered.docx))
    orientations = [s.page_width > s.page_height for s in doc.sections]
    assert orientations == [False, True, False]
    scores = _score_table(doc)
    assert len(scores.columns) == 15
    assert scores.cell(0, 3).text == "诉前调处成功数（5分）"
    assert scores.cell(8, 1).text == "辛镇"
