"""Templates to PDF (WeasyPrint) and to DOCX (python-docx), with the Chinese font embedded.

The PDF's Chinese glyphs come from Noto Serif CJK (Debian's ``fonts-noto-cjk``, installed by
``bin/system-packages``), found at runtime with ``fc-match`` and named in an ``@font-face`` rule
by its file path; WeasyPrint embeds the glyphs the document uses. Nothing is fetched from the
network: the renderer loads only those font files and ``data:`` URLs (the QR code).
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import qrcode
import qrcode.image.svg
from django.template.loader import render_to_string
from lxml import html as lxml_html
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetchingError

CJK_FAMILY = "Noto Serif CJK SC"
# The family name the document's CSS uses for its text.
DOCUMENT_FONT = "FengqiaoDocument"
# The id of the element where a signed document's seal goes (its template's seal block).
SEAL_ANCHOR = "fq-seal"
# CSS pixels (WeasyPrint's layout unit) to PDF points.
PX_TO_PT = 0.75


@cache
def cjk_fonts() -> dict[str, Path]:
    """The Noto Serif CJK SC font files fontconfig knows, by CSS weight ("normal", "bold");
    empty when the font is not installed (fc-match always answers with some font: only one of
    the asked family counts)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return {}
    fonts = {}
    for weight, pattern in (("normal", CJK_FAMILY), ("bold", f"{CJK_FAMILY}:bold")):
        result = subprocess.run(  # noqa: S603 - fixed program and arguments
            [fc_match, "-f", "%{family}\n%{file}", pattern],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
        lines = result.stdout.splitlines()
        if result.returncode == 0 and len(lines) >= 2 and CJK_FAMILY in lines[0]:
            path = Path(lines[1])
            if path.is_file():
                fonts[weight] = path
    return fonts


def font_css(fonts: dict[str, Path]) -> str:
    """The ``@font-face`` rules naming the CJK font files (none when there is no font).

    WeasyPrint loads a font collection (.ttc) by its first face, the Japanese one; the
    simplified-Chinese glyph forms come from the font's ``locl`` feature, which the templates'
    ``<html lang="zh-Hans">`` selects."""
    return "".join(
        f'@font-face {{ font-family: "{DOCUMENT_FONT}"; font-weight: {weight}; '
        f'src: url("{path.as_uri()}"); }}\n'
        for weight, path in fonts.items()
    )


class LocalOnlyFetcher(URLFetcher):
    """Loads ``data:`` URLs (the QR code) and the font files it was given, and nothing else: a
    document's text cannot make the renderer read another file or open a connection."""

    def __init__(self, font_files: set[str]) -> None:
        super().__init__(allowed_protocols={"data", "file"})
        self.font_files = font_files

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("data:") or url in self.font_files:
            return super().fetch(url, headers)
        raise URLFetchingError(f"not loaded: {url[:80]}")


def qr_data_uri(text: str) -> str:
    """``text`` as a QR code, an SVG in a ``data:`` URL (no Pillow, no file)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(text)
    code.make(fit=True)
    svg = code.make_image().to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def render_html(template: str, context: dict[str, Any]) -> str:
    return render_to_string(template, context)


_per_thread = threading.local()


def _font_setup(embed_cjk_font: bool) -> tuple[CSS, FontConfiguration, LocalOnlyFetcher]:
    """The fonts' stylesheet, configuration and fetcher, made once per thread and reused for
    every document it renders: a ``FontConfiguration`` copies each font file it is given into
    its own cache (26 MB for each weight of Noto Serif CJK), which cost more than laying out a
    page when it was done for every document. (Per thread: a configuration holds Pango
    objects, which are not shared between threads.)"""
    setups: dict[bool, tuple[CSS, FontConfiguration, LocalOnlyFetcher]]
    setups = _per_thread.__dict__.setdefault("setups", {})
    if embed_cjk_font not in setups:
        fonts = cjk_fonts() if embed_cjk_font else {}
        fetcher = LocalOnlyFetcher({path.as_uri() for path in fonts.values()})
        font_config = FontConfiguration()
        stylesheet = CSS(string=font_css(fonts), font_config=font_config, url_fetcher=fetcher)
        setups[embed_cjk_font] = (stylesheet, font_config, fetcher)
    return setups[embed_cjk_font]


@dataclass(frozen=True)
class PdfBox:
    """A rectangle on a page of a PDF: the page's index and (x1, y1, x2, y2) in points from
    the page's bottom left corner."""

    page: int
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class RenderedPdf:
    pdf: bytes
    # Where the element with id ``SEAL_ANCHOR`` was laid out (its last page), if anywhere.
    seal: PdfBox | None


def render_pdf(source: str, *, embed_cjk_font: bool = True) -> RenderedPdf:
    """The PDF of ``source`` (a whole HTML page) and where its seal block was laid out.
    ``embed_cjk_font=False`` leaves the document font undefined (for tests comparing against a
    render without the Chinese font)."""
    stylesheet, font_config, fetcher = _font_setup(embed_cjk_font)
    document = HTML(string=source, url_fetcher=fetcher, base_url=None).render(
        stylesheets=[stylesheet], font_config=font_config
    )
    seal = None
    for index, page in enumerate(document.pages):
        anchor = page.anchors.get(SEAL_ANCHOR)
        if anchor is not None:
            x1, top, x2, bottom = (float(v) * PX_TO_PT for v in anchor)
            height = float(page.height) * PX_TO_PT
            seal = PdfBox(page=index, box=(x1, height - bottom, x2, height - top))
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # write_pdf returns the bytes when given no target
        raise TypeError("WeasyPrint returned no PDF")
    return RenderedPdf(pdf=pdf, seal=seal)


def html_to_pdf(source: str, *, embed_cjk_font: bool = True) -> bytes:
    """The PDF of ``source`` (a whole HTML page); see ``render_pdf``."""
    return render_pdf(source, embed_cjk_font=embed_cjk_font).pdf


# --- DOCX --------------------------------------------------------------------------------------

BLOCK_TAGS = {"h1", "h2", "h3", "p", "table", "li"}


def html_to_docx(source: str) -> bytes:
    """A DOCX of the page's text for editing in WPS or Word: headings, paragraphs, list items
    and tables in document order (images, the QR code included, are left out)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    tree = lxml_html.fromstring(source)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = CJK_FAMILY
    normal.font.size = Pt(12)
    # Word takes East Asian text's font from w:eastAsia, not from the font name.
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), CJK_FAMILY)
    body = tree.find("body")
    for element in (body if body is not None else tree).iter(*BLOCK_TAGS):
        if element.tag == "table":
            rows = element.findall(".//tr")
            if not rows:
                continue
            width = max(len(row.findall("./td") + row.findall("./th")) for row in rows)
            table = doc.add_table(rows=len(rows), cols=max(width, 1))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row.xpath("./td|./th")):
                    table.cell(r, c).text = _text(cell)
            continue
        if element.xpath("ancestor::table") or element.xpath("ancestor::li"):
            continue
        text = _text(element)
        if not text:
            continue
        if element.tag == "h1":
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(text)
            run.bold = True
            run.font.size = Pt(18)
        elif element.tag in ("h2", "h3"):
            paragraph = doc.add_paragraph()
            paragraph.add_run(text).bold = True
        else:
            doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _text(element: Any) -> str:
    return " ".join(str(element.text_content()).split())
