"""What an uploaded file must be before the platform keeps or reads it — one place for every
upload path (证据材料, the 单位/名册 workbooks, the 节假日 JSON).

A file's first bytes say only what it claims to be: a JPEG header followed by an HTML page, a
PDF that runs JavaScript when opened, or a PNG whose header claims 100000×100000 pixels (40 GB
once decoded) all start with the right magic. So:

- images are decoded (Pillow, only the format their magic announces, at most
  ``MAX_IMAGE_PIXELS`` pixels, checked from the header before any pixel is decoded) and what is
  stored is the decoded image encoded again: whatever followed the image (a page, a script,
  a second file) and its metadata (EXIF with GPS position, comments) are gone; the EXIF
  orientation is applied first so a photo stays upright;
- PDFs are parsed (pypdf) and refused when encrypted (they cannot be inspected), or when any
  object reachable from the document holds JavaScript, an action that starts a program,
  submits or imports data or opens an embedded document, an embedded file or an XFA form;
- workbooks are checked as ZIP archives before ``core/xlsx.py`` opens them: a bounded number
  of entries and total uncompressed size (a zip bomb is refused unread; Python's ``zipfile``
  also stops an entry at its declared size), the parts of an .xlsx present, no VBA macros.

The SHA-256 of the bytes as received is returned beside the stored bytes' digest: the first is
the evidence of what was handed in, the second checks the stored file.
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

from fengqiao.core.bodylimit import human_size

JPEG, PNG, PDF = "image/jpeg", "image/png", "application/pdf"
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"%PDF-", PDF),
)
EXTENSIONS: dict[str, tuple[str, ...]] = {
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    PDF: (".pdf",),
}
PILLOW_FORMAT = {JPEG: "JPEG", PNG: "PNG"}
# 50 million pixels: a phone's 50 MP mode (8160×6144); decoding one takes about 150 MB.
MAX_IMAGE_PIXELS = 50_000_000
JPEG_QUALITY = 92
# What Pillow raises on bytes that are not a whole image of the format (truncated, corrupt).
DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    ValueError,
)

# Actions that run code, start programs, send or import data, or open embedded documents.
PDF_FORBIDDEN_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "launch",
    "/SubmitForm": "launch",
    "/RichMediaExecute": "launch",
    "/GoToE": "embedded",
}
# A PDF of scanned pages holds a few thousand objects; a walk that finds more stops there.
PDF_MAX_OBJECTS = 200_000

XLSX_REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")
XLSX_MAX_ENTRIES = 2_000
# A county's 20,000-row roster is about 20 MB of sheet XML.
XLSX_MAX_UNCOMPRESSED = 100 * 1024 * 1024


class UploadRefused(Exception):
    """The file is not accepted; the message (Chinese) says why and is shown to the user."""


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed its check: the bytes to store and the digests of both versions."""

    kind: str
    data: bytes
    original_sha256: str
    original_size: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind][0]


def read_limited(file: IO[bytes], limit: int, what: str) -> bytes:
    """At most ``limit`` bytes of ``file`` (never more read, whatever its claimed size)."""
    data = file.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(
            _("文件过大：%(what)s不能超过%(size)s。") % {"what": what, "size": human_size(limit)}
        )
    if not data:
        raise UploadRefused(_("文件为空。"))
    return data


def sniff(head: bytes) -> str | None:
    """The type the file's first bytes announce, if it is one accepted as evidence."""
    for magic, kind in MAGIC:
        if head.startswith(magic):
            return kind
    return None


def check_evidence(data: bytes, name: str) -> CheckedFile:
    """证据材料: a JPEG, PNG or PDF whose bytes match its name's type; images are returned
    re-encoded, PDFs as received once they pass the check."""
    kind = sniff(data[:16])
    if kind is None:
        raise UploadRefused(_("只接受JPEG、PNG图片或PDF文件。"))
    if PurePath(name).suffix.lower() not in EXTENSIONS[kind]:
        raise UploadRefused(_("文件内容与文件类型不符，请上传真实的JPEG、PNG或PDF文件。"))
    stored = check_pdf(data) if kind == PDF else reencode_image(data, kind)
    return CheckedFile(
        kind=kind,
        data=stored,
        original_sha256=hashlib.sha256(data).hexdigest(),
        original_size=len(data),
    )


# --- Images -------------------------------------------------------------------------------------


def reencode_image(data: bytes, kind: str) -> bytes:
    """The image decoded and encoded again in its own format, without anything that is not
    its pixels (and its colour profile)."""
    fmt = PILLOW_FORMAT[kind]
    too_large = _("图片尺寸过大：最多%(max)d万像素。") % {"max": MAX_IMAGE_PIXELS // 10_000}
    try:
        with warnings.catch_warnings():
            # Pillow's own, higher limit warns at open: that is too large too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Only the announced format's decoder is tried: no other plugin parses the bytes.
            with Image.open(io.BytesIO(data), formats=[fmt]) as image:
                # From the header, before any pixel is decoded.
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise UploadRefused(f"{too_large}（{width}×{height}）")
                image.load()
                icc = image.info.get("icc_profile")
                upright = ImageOps.exif_transpose(image)
    except UploadRefused:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise UploadRefused(too_large) from exc
    except DECODE_ERRORS as exc:
        raise UploadRefused(
            _("图片无法解码：文件已损坏，或不是真实的%(fmt)s图片。") % {"fmt": fmt}
        ) from exc
    if kind == JPEG:
        keep: tuple[str, ...] = ("L", "RGB", "CMYK")
        fallback = "RGB"
    else:
        keep = ("1", "L", "LA", "RGB", "RGBA", "I", "I;16")
        # A palette or a transparent colour key becomes an alpha channel: the key is metadata.
        fallback = "RGBA" if "transparency" in upright.info or upright.mode == "PA" else "RGB"
        if "transparency" in upright.info:
            keep = ("LA", "RGBA")
    pixels = upright if upright.mode in keep else upright.convert(fallback)
    # Pillow writes what ``info`` holds (a JPEG's comment, for one): start from none of it.
    pixels.info = {}
    out = io.BytesIO()
    options: dict[str, Any] = {"icc_profile": icc} if icc else {}
    if kind == JPEG:
        pixels.save(out, "JPEG", quality=JPEG_QUALITY, **options)
    else:
        pixels.save(out, "PNG", **options)
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------------


def check_pdf(data: bytes) -> bytes:
    """``data`` if it is a readable, unencrypted PDF with no active or embedded content."""
    unreadable = _("PDF文件无法读取：文件已损坏，或不是真实的PDF文件。")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRefused(_("PDF文件已加密，无法检查其内容，不予接收。请上传未加密的PDF。"))
        if len(reader.pages) == 0:
            raise UploadRefused(unreadable)
        found = _pdf_active_content(reader)
    except UploadRefused:
        raise
    except (
        PyPdfError,
        OSError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        RecursionError,
        AssertionError,
    ) as exc:
        raise UploadRefused(unreadable) from exc
    if found == "javascript":
        raise UploadRefused(
            _(
                "PDF文件含有脚本（JavaScript），出于安全考虑不予接收。请打印或另存为普通PDF后再上传。"
            )
        )
    if found == "launch":
        raise UploadRefused(_("PDF文件含有启动程序、提交或导入数据的动作，出于安全考虑不予接收。"))
    if found == "embedded":
        raise UploadRefused(_("PDF文件内嵌了其他文件，不予接收。请把附件作为单独的证据材料上传。"))
    return data


def _pdf_active_content(reader: PdfReader) -> str | None:
    """The first kind of active or embedded content in any object reachable from the
    document's trailer (``javascript``, ``launch``, ``embedded``), or None."""
    for obj in _reachable(reader.trailer):
        if not isinstance(obj, DictionaryObject):
            continue
        keys = set(obj.keys())
        if keys & {"/JS", "/JavaScript"}:
            return "javascript"
        if "/XFA" in keys:  # an XFA form carries its own scripts
            return "javascript"
        if keys & {"/EmbeddedFiles", "/EF"}:
            return "embedded"
        action = obj.get("/S")
        if action in PDF_FORBIDDEN_ACTIONS:
            return PDF_FORBIDDEN_ACTIONS[str(action)]
        if obj.get("/Type") == "/EmbeddedFile" or obj.get("/Subtype") in (
            "/FileAttachment",
            "/RichMedia",
        ):
            return "embedded"
    return None


def _reachable(root: PdfObject) -> Iterator[PdfObject]:
    """Every object reachable from ``root``, each once (an iterative walk: a deep or cyclic
    structure neither recurses nor loops)."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [root]
    count = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        count += 1
        if count > PDF_MAX_OBJECTS:
            raise UploadRefused(_("PDF文件结构过于复杂，无法检查，不予接收。"))
        yield obj
        if isinstance(obj, DictionaryObject):
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)


# --- Workbooks and text -------------------------------------------------------------------------


def check_xlsx(file: IO[bytes]) -> None:
    """``file`` (seekable; left at its start) is an .xlsx workbook whose parts fit the limits."""
    bad = _("无法读取该文件，请上传由模板填写的 .xlsx 文件。")
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UploadRefused(bad) from exc
    finally:
        file.seek(0)
    if len(entries) > XLSX_MAX_ENTRIES or sum(e.file_size for e in entries) > XLSX_MAX_UNCOMPRESSED:
        raise UploadRefused(
            _("工作簿解压后过大（超过%(size)s或%(n)d个部件），不予读取。请检查文件，或分批导入。")
            % {"size": human_size(XLSX_MAX_UNCOMPRESSED), "n": XLSX_MAX_ENTRIES}
        )
    if not all(part in names for part in XLSX_REQUIRED):
        raise UploadRefused(bad)
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UploadRefused(_("工作簿含有宏（VBA），不予接收。请另存为不含宏的 .xlsx 文件。"))


def read_text(file: IO[bytes], limit: int, what: str) -> str:
    """A text upload (UTF-8, with or without a byte-order mark) of at most ``limit`` bytes."""
    data = read_limited(file, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadRefused(_("文件不是UTF-8编码的文本，请另存为UTF-8后再上传。")) from exc
