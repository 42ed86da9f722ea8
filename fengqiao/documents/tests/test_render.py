"""The 调解协议书 renders to a PDF whose Chinese is real, embedded glyphs, and to a DOCX."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from docx import Document
from PIL import Image, ImageChops
from pypdf import PdfReader

from fengqiao.documents.render import cjk_fonts, html_to_docx, html_to_pdf, render_html

TEMPLATE = "documents/mediation_agreement.html"
SCALE = 2  # 144 dpi


def _page_image(pdf: bytes) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    try:
        return document[0].render(scale=SCALE).to_pil().convert("L")
    finally:
        document.close()


def _char_box(pdf: bytes, text: str) -> tuple[int, int, int, int]:
    """The pixel box (left, top, right, bottom) of ``text`` on page 1 of the image."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        height = page.get_height()
        textpage = page.get_textpage()
        full = textpage.get_text_range()
        # The title is letter-spaced: the text page holds spaces between its characters.
        indexed = [(i, c) for i, c in enumerate(full) if not c.isspace()]
        start = "".join(c for _i, c in indexed).index(text)
        chars = [i for i, _c in indexed[start : start + len(text)]]
        boxes = [textpage.get_charbox(i) for i in chars]
    finally:
        document.close()
    left = min(b[0] for b in boxes)
    right = max(b[2] for b in boxes)
    bottom = min(b[1] for b in boxes)
    top = max(b[3] for b in boxes)
    return (
        int(left * SCALE) - 2,
        int((height - top) * SCALE) - 2,
        int(right * SCALE) + 2,
        int((height - bottom) * SCALE) + 2,
    )


def _ink(image: Image.Image) -> float:
    """The share of dark pixels."""
    histogram = image.histogram()
    return sum(histogram[:128]) / max(1, image.width * image.height)


def _render_without_cjk_font(source: str, tmp_path: Path) -> bytes:
    """The same page rendered in a process whose fontconfig knows a single Latin font (none
    at all crashes Pango) and without the document's ``@font-face``: what a machine without
    the Chinese font would print."""

    def files(pattern: str) -> list[str]:
        listed = subprocess.run(  # noqa: S603 - fixed program and arguments
            ["fc-list", "-f", "%{file}\n", pattern],  # noqa: S607 - fontconfig's own tool
            capture_output=True,
            text=True,
            check=True,
        )
        return sorted(set(listed.stdout.split()))

    chinese = set(files(":lang=zh"))
    latin = [f for f in files(":lang=en") if f not in chinese and f.endswith(".ttf")]
    assert latin, "a Latin-only font to render with"
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    (fonts / "latin.ttf").symlink_to(latin[0])
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        f'<?xml version="1.0"?><fontconfig><dir>{fonts}</dir>'
        f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    code = (
        "import sys\n"
        "from fengqiao.documents.render import html_to_pdf\n"
        "sys.stdout.buffer.write(html_to_pdf(sys.stdin.read(), embed_cjk_font=False))\n"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        input=source.encode("utf-8"),
        capture_output=True,
        env=env,
        check=True,
        timeout=120,
    )
    return result.stdout


@pytest.fixture(scope="module")
def source() -> str:
    from fengqiao.documents.tests.conftest import agreement_context

    return render_html(TEMPLATE, agreement_context())


@pytest.fixture(scope="module")
def pdf(source: str) -> bytes:
    return html_to_pdf(source)


def test_the_cjk_font_is_found() -> None:
    fonts = cjk_fonts()
    assert "NotoSerifCJK" in fonts["normal"].name
    assert "NotoSerifCJK" in fonts["bold"].name


def test_pdf_text_holds_the_chinese(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    flat = "".join(text.split())
    for expected in (
        "人民调解协议书",
        "欧阳明轩",
        "司马静怡",
        "围墙是否越过宅基地界线",
        "被申请人拆除越界部分围墙",
        "履行期限：二〇二七年一月三十一日前",
        "人民调解员（签名）",
        "枫桥镇人民调解委员会",
        "/verify/test-public-id",
    ):
        assert expected in flat, expected


def test_the_cjk_font_is_embedded(pdf: bytes) -> None:
    embedded = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        program = descriptor[key].get_object().get_data()
                        embedded.append(b"NotoSerifCJK" in program and len(program) > 10_000)
    assert embedded
    assert all(embedded), "every font of the page is the embedded Noto Serif CJK program"


def test_rendered_glyphs_are_chinese_not_blank_nor_boxes(
    pdf: bytes, source: str, tmp_path: Path
) -> None:
    image = _page_image(pdf)
    title = _char_box(pdf, "人民调解协议书")
    crop = image.crop(title)
    assert _ink(crop) > 0.15, "the title's glyphs are drawn (missing-glyph boxes ink about 5%)"
    # Two different characters have different shapes (missing-glyph boxes are all alike).
    first, last = _char_box(pdf, "人"), _char_box(pdf, "书")
    width = min(first[2] - first[0], last[2] - last[0])
    height = min(first[3] - first[1], last[3] - last[1])
    a = image.crop((first[0], first[1], first[0] + width, first[1] + height))
    b = image.crop((last[0], last[1], last[0] + width, last[1] + height))
    assert ImageChops.difference(a, b).getbbox() is not None
    # The same page where the Chinese font is unavailable looks different in the same place.
    without = _page_image(_render_without_cjk_font(source, tmp_path)).crop(title)
    diff = ImageChops.difference(crop, without)
    changed = sum(diff.histogram()[32:]) / (crop.width * crop.height)
    assert changed > 0.05, "the glyphs come from the embedded font, not a fallback"


def test_docx_holds_the_chinese_text(source: str) -> None:
    document = Document(io.BytesIO(html_to_docx(source)))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = "\n".join(paragraphs + cells)
    assert paragraphs[0] == "人民调解协议书"
    for expected in (
        "申请人：欧阳明轩，男，汉族，住本县枫桥镇",
        "纠纷主要事实",
        "被申请人砌墙越界约三十厘米，应承担主要责任。",
        "被申请人拆除越界部分围墙。",
        "履行地点：枫桥镇双方宅基地",
        "人民调解员（签名）：调解员甲",
    ):
        assert expected in text, expected


def test_the_renderer_loads_no_file_or_url(context: dict[str, Any], tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not to be read")
    page = render_html(TEMPLATE, context).replace(
        "</body>", f'<img src="{secret.as_uri()}"><img src="http://192.0.2.1/x.png"></body>'
    )
    pdf = html_to_pdf(page)
    reader = PdfReader(io.BytesIO(pdf))
    images = [img for p in reader.pages for img in p.images]
    assert len(images) == 0  # the QR code is vector (SVG): no raster image at all
