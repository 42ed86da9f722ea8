"""The reports' charts, drawn on the server with Pillow into PNG: the same image goes into the
PDF (a ``data:`` URL, which the documents renderer loads) and into the DOCX (an inline
picture). The labels are set in the Noto Serif CJK SC face the documents app finds
(``documents.render.cjk_fonts``); nothing is fetched.

Drawn at twice the printed size so the PDF stays sharp when printed.
"""

from __future__ import annotations

import base64
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from fengqiao.documents.render import CJK_FAMILY, cjk_fonts

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1600, 720
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 140, 60, 90, 120
BACKGROUND = (255, 255, 255)
INK = (40, 40, 40)
GRID = (215, 215, 215)
# Two series (受理, 化解) and the slices of a share chart.
PALETTE = [
    (52, 101, 164),
    (204, 102, 51),
    (78, 154, 6),
    (117, 80, 123),
    (193, 125, 17),
    (32, 128, 128),
    (164, 0, 0),
    (136, 138, 133),
]
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int) -> Font:
    """The simplified-Chinese face of the CJK collection at ``size`` pixels; Pillow's own
    font (no Chinese glyphs) with a warning when the CJK font is not installed."""
    path = cjk_fonts().get("normal")
    if path is not None:
        for index in range(8):
            try:
                face = ImageFont.truetype(str(path), size, index=index)
            except OSError:
                break
            if face.getname()[0] == CJK_FAMILY:
                return face
        return ImageFont.truetype(str(path), size)
    logger.warning("charts: %s not installed, chart labels lack Chinese glyphs", CJK_FAMILY)
    return ImageFont.load_default(size)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]


def _canvas(title: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.text((WIDTH // 2, 24), title, fill=INK, font=_font(40), anchor="mt")
    return image, draw


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _nice_max(value: float) -> float:
    """A round axis maximum at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 1.0
    while magnitude * 10 <= value:
        magnitude *= 10
    for step in (1, 2, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def _legend(draw: ImageDraw.ImageDraw, names: Sequence[str]) -> None:
    x = WIDTH - MARGIN_RIGHT
    for i, name in reversed(list(enumerate(names))):
        width = int(draw.textlength(name, font=_font(28)))
        x -= width
        draw.text((x, 64), name, fill=INK, font=_font(28), anchor="lm")
        x -= 40
        draw.rectangle((x, 52, x + 28, 76), fill=PALETTE[i % len(PALETTE)])
        x -= 30


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series]) -> bytes:
    """Vertical bars, one group per label and one bar per series, with a value axis."""
    image, draw = _canvas(title)
    top, bottom = MARGIN_TOP + 20, HEIGHT - MARGIN_BOTTOM
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    peak = _nice_max(max((v for s in series for v in s.values), default=0))
    small = _font(24)
    for i in range(6):
        y = bottom - (bottom - top) * i / 5
        draw.line((left, y, right, y), fill=GRID, width=2)
        draw.text((left - 12, y), f"{peak * i / 5:g}", fill=INK, font=small, anchor="rm")
    draw.line((left, top, left, bottom), fill=INK, width=2)
    draw.line((left, bottom, right, bottom), fill=INK, width=2)
    groups = max(len(labels), 1)
    slot = (right - left) / groups
    bar = max(slot * 0.8 / max(len(series), 1), 1)
    every = max(1, groups // 16)  # at most ~16 labels under the axis
    for g, label in enumerate(labels):
        x0 = left + slot * g + slot * 0.1
        for s, one in enumerate(series):
            value = one.values[g] if g < len(one.values) else 0
            height = (bottom - top) * (value / peak)
            draw.rectangle(
                (x0 + bar * s, bottom - height, x0 + bar * (s + 1) - 2, bottom),
                fill=PALETTE[s % len(PALETTE)],
            )
        if g % every == 0:
            draw.text(
                (left + slot * (g + 0.5), bottom + 14), label, fill=INK, font=small, anchor="mt"
            )
    _legend(draw, [s.name for s in series])
    return _png(image)


def share_chart(title: str, labels: Sequence[str], values: Sequence[float]) -> bytes:
    """Horizontal bars of shares, largest first as given, each with its count and percent."""
    image, draw = _canvas(title)
    rows = list(zip(labels, values, strict=True))[:10]
    total = sum(values) or 1
    peak = max((v for _l, v in rows), default=0) or 1
    top, bottom = MARGIN_TOP + 10, HEIGHT - 40
    left, right = 330, WIDTH - 260
    step = (bottom - top) / max(len(rows), 1)
    font = _font(28)
    for i, (label, value) in enumerate(rows):
        y = top + step * i + step / 2
        draw.text((left - 16, y), label[:10], fill=INK, font=font, anchor="rm")
        length = (right - left) * value / peak
        draw.rectangle(
            (left, y - step * 0.35, left + max(length, 2), y + step * 0.35),
            fill=PALETTE[i % len(PALETTE)],
        )
        draw.text(
            (left + length + 14, y),
            f"{value:g}（{value * 100 / total:.1f}%）",
            fill=INK,
            font=font,
            anchor="lm",
        )
    if not rows:
        draw.text((WIDTH // 2, HEIGHT // 2), _("本期无数据"), fill=INK, font=font, anchor="mm")
    return _png(image)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
