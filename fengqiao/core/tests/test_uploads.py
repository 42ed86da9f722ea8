"""Each hostile file is refused (or defused) by what it is, not by its first bytes; honest
files pass, images stored as their decoded re-encoding."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable

import pytest
from PIL import ExifTags, Image

from fengqiao.core import uploads
from fengqiao.core.tests import hostile
from fengqiao.mediation.choices import EvidenceType


def _refused(data: bytes, name: str) -> str:
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_evidence(data, name)
    return str(refused.value)


def test_the_kinds_are_the_evidence_types() -> None:
    assert {uploads.JPEG, uploads.PNG, uploads.PDF} == set(EvidenceType.values)


def test_a_jpeg_with_a_web_page_after_it_is_stored_without_the_page() -> None:
    data = hostile.jpeg_with_html()
    checked = uploads.check_evidence(data, "现场.jpg")
    assert checked.kind == uploads.JPEG
    assert b"<script" not in checked.data
    assert b"<html" not in checked.data
    assert checked.original_sha256 == hashlib.sha256(data).hexdigest()
    assert checked.sha256 == hashlib.sha256(checked.data).hexdigest() != checked.original_sha256
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)


def test_a_jpeg_header_followed_by_a_web_page_is_refused() -> None:
    assert "图片无法解码" in _refused(hostile.jpeg_header_then_html(), "照片.jpg")


def test_a_photo_loses_its_gps_position_and_comment_and_stays_upright() -> None:
    # given a phone photo 64×48 stored sideways (EXIF orientation 6: turn 90° to view)
    data = hostile.jpeg(gps=True, orientation=6)
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    checked = uploads.check_evidence(data, "photo.JPEG")
    assert b"PhoneMaker" not in checked.data
    assert b"taken-at-home" not in checked.data
    assert b"Exif" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as stored:
        assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert stored.size == (48, 64)  # turned as the viewer would show it


def test_a_png_keeps_its_pixels_and_loses_its_text() -> None:
    data = hostile.png(text=b"secret note")
    checked = uploads.check_evidence(data, "图.png")
    assert b"secret note" not in checked.data
    with Image.open(io.BytesIO(data)) as before, Image.open(io.BytesIO(checked.data)) as after:
        assert after.mode == before.mode == "RGBA"
        assert after.tobytes() == before.tobytes()


@pytest.mark.parametrize("side", [100_000, 10_000])
def test_a_png_claiming_a_huge_size_is_refused_from_its_header(side: int) -> None:
    started = time.perf_counter()
    assert "图片尺寸过大" in _refused(hostile.png_claiming(side, side), "bomb.png")
    # Refused from the header: decoding 10⁸–10¹⁰ pixels would take seconds and gigabytes.
    assert time.perf_counter() - started < 1


def test_an_image_over_the_pixel_limit_but_under_pillows_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 40 * 30 - 1)
    message = _refused(hostile.png(40, 30), "a.png")
    assert "图片尺寸过大" in message
    assert "40×30" in message


def test_an_ordinary_pdf_is_kept_as_it_was_handed_in() -> None:
    data = hostile.pdf()
    checked = uploads.check_evidence(data, "调解协议.pdf")
    assert checked.kind == uploads.PDF
    assert checked.data == data
    assert checked.sha256 == checked.original_sha256


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (hostile.pdf_with_javascript, "含有脚本"),
        (hostile.pdf_open_action_javascript, "含有脚本"),
        (hostile.pdf_hand_written_escaped_javascript, "含有脚本"),
        (hostile.pdf_open_action_launch, "启动程序"),
        (hostile.pdf_with_embedded_file, "内嵌了其他文件"),
        (hostile.pdf_encrypted, "已加密"),
    ],
)
def test_a_pdf_with_active_or_hidden_content_is_refused(
    build: Callable[[], bytes], says: str
) -> None:
    assert says in _refused(build(), "材料.pdf")


def test_a_pdf_header_on_anything_else_is_refused() -> None:
    assert "PDF文件无法读取" in _refused(b"%PDF-1.7\n" + hostile.HTML, "a.pdf")


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (hostile.jpeg(), "a.png", "不符"),
        (hostile.HTML, "a.jpg", "只接受"),
        (hostile.pdf(), "a.jpg", "不符"),
    ],
)
def test_the_name_and_the_bytes_agree(data: bytes, name: str, says: str) -> None:
    assert says in _refused(data, name)


def test_a_read_stops_at_the_limit_whatever_the_file_claims() -> None:
    with pytest.raises(uploads.UploadRefused, match="文件过大：证据材料不能超过1MB"):
        uploads.read_limited(io.BytesIO(b"\0" * (1024 * 1024 + 1)), 1024 * 1024, "证据材料")
    with pytest.raises(uploads.UploadRefused, match="文件为空"):
        uploads.read_limited(io.BytesIO(b""), 10, "证据材料")


# --- Workbooks ----------------------------------------------------------------------------------


def test_an_honest_workbook_passes_and_is_left_at_its_start() -> None:
    file = io.BytesIO(hostile.xlsx())
    file.seek(5)
    uploads.check_xlsx(file)
    assert file.tell() == 0


@pytest.mark.parametrize(
    ("build", "says"),
    [
        (hostile.xlsx_bomb, "解压后过大"),
        (hostile.xlsx_with_macro, "含有宏"),
        (hostile.zip_not_xlsx, "无法读取该文件"),
        (hostile.jpeg, "无法读取该文件"),
    ],
)
def test_a_hostile_workbook_is_refused_before_it_is_opened(
    build: Callable[[], bytes], says: str
) -> None:
    data = build()
    assert len(data) < 1024 * 1024  # small as uploaded: the bomb is in what it inflates to
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check_xlsx(io.BytesIO(data))
    assert says in str(refused.value)


def test_text_uploads_are_utf8_within_their_limit() -> None:
    assert uploads.read_text(io.BytesIO("\ufeff{}".encode()), 10, "文件") == "{}"
    with pytest.raises(uploads.UploadRefused, match="UTF-8"):
        uploads.read_text(io.BytesIO("节假日".encode("gbk")), 10, "文件")
