"""Files as an attacker (or a careless phone) would hand them in, built here byte by byte or with
the libraries the platform reads them with, and their honest counterparts."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from openpyxl import Workbook
from PIL import ExifTags, Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
GPS = {1: "N", 2: (30.0, 15.0, 7.5), 3: "E", 4: (120.0, 9.0, 1.0)}


def jpeg(width: int = 64, height: int = 48, *, gps: bool = False, orientation: int = 1) -> bytes:
    """A real JPEG; with ``gps`` it carries the camera's EXIF position and a comment."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[0x0112] = orientation
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"taken-at-home" if gps else b"")
    return out.getvalue()


def jpeg_with_html() -> bytes:
    """A decodable JPEG with a web page and its script after the image (a polyglot)."""
    return jpeg() + HTML


def jpeg_header_then_html() -> bytes:
    """The JPEG magic followed by a web page: no image at all."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + HTML


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int = 40, height: int = 30, *, text: bytes = b"") -> bytes:
    image = Image.new("RGBA", (width, height), (10, 120, 10, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    data = out.getvalue()
    if text:  # a tEXt chunk before IEND
        data = data[:-12] + _png_chunk(b"tEXt", b"Comment\0" + text) + data[-12:]
    return data


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width``×``height`` pixels, with a few bytes of image data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 1024))
        + _png_chunk(b"IEND", b"")
    )


def _pdf(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    return writer


def pdf() -> bytes:
    """An ordinary one-page PDF (a scan would be no different to the check)."""
    return _pdf(_writer())


def pdf_with_javascript() -> bytes:
    """Document-level JavaScript (/Names /JavaScript), run by a viewer on opening."""
    writer = _writer()
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('hi');"),
        }
    )
    names = ArrayObject([TextStringObject("start"), writer._add_object(script)])
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): DictionaryObject({NameObject("/Names"): names})}
    )
    return _pdf(writer)


def _open_action(action: dict[str, str]) -> bytes:
    writer = _writer()
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {
            NameObject(k): NameObject(v) if v.startswith("/") else TextStringObject(v)
            for k, v in action.items()
        }
    )
    return _pdf(writer)


def pdf_open_action_javascript() -> bytes:
    return _open_action({"/S": "/JavaScript", "/JS": "app.launchURL('http://example.invalid');"})


def pdf_open_action_launch() -> bytes:
    return _open_action({"/S": "/Launch", "/F": "cmd.exe"})


def pdf_with_embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("发票.exe", b"MZ\x90\x00" + b"\0" * 64)
    return _pdf(writer)


def pdf_encrypted() -> bytes:
    writer = _writer()
    writer.encrypt(user_password="", owner_password="owner")
    return _pdf(writer)


def pdf_hand_written_escaped_javascript() -> bytes:
    """A PDF written by hand whose open action's names are hex-escaped (/J#61vaScript is
    /JavaScript): a search of the bytes for "/JavaScript" or "/JS" misses it."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>",
    ]
    body = b"%PDF-1.7\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Root 1 0 R /Size %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    assert b"JavaScript" not in body
    assert b"/JS" not in body
    return body


def xlsx() -> bytes:
    book = Workbook()
    book.active.append(["名称", "单位代码"])  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bomb(uncompressed: int = 150 * 1024 * 1024) -> bytes:
    """A workbook whose sheet inflates to ``uncompressed`` bytes from a few hundred KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with zipfile.ZipFile(io.BytesIO(xlsx())) as honest:
            for entry in honest.infolist():
                if entry.filename != "xl/worksheets/sheet1.xml":
                    archive.writestr(entry.filename, honest.read(entry.filename))
        chunk = b" " * (1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(uncompressed // len(chunk)):
                sheet.write(chunk)
    return out.getvalue()


def xlsx_with_macro() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with zipfile.ZipFile(io.BytesIO(xlsx())) as honest:
            for entry in honest.infolist():
                archive.writestr(entry.filename, honest.read(entry.filename))
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 512)
    return out.getvalue()


def zip_not_xlsx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "不是工作簿")
    return out.getvalue()
