"""Every document of the set renders to a PDF whose Chinese is drawn from the embedded font and
whose text holds the case's fields, and to a DOCX holding the same fields; the 案卷's table of
contents gives the page each document starts on."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from PIL import ImageChops
from pypdf import PdfReader

from fengqiao.disputes.disclosure import MASKED
from fengqiao.documents.choices import TEMPLATES, DocumentType
from fengqiao.documents.render import html_to_pdf, qr_data_uri, render_html
from fengqiao.documents.services import document_pdf
from fengqiao.documents.tests.test_render import (
    _char_box,
    _ink,
    _page_image,
    _render_without_cjk_font,
)
from fengqiao.mediation import documents
from fengqiao.mediation.tests.documents_helpers import (
    archived_case,
    failed_case,
    oral_case,
    rejected_case,
)

# Each type: the case it is issued for, the title it prints and fields of that case it holds.
EXPECTED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    DocumentType.MEDIATION_APPLICATION: (
        "archived",
        "人民调解申请书",
        (
            "申请人：张三",
            "被申请人：李四",
            "邻里排水沟纠纷",
            "东村人民调解委员会",
            "申请人张三（签名",
        ),
    ),
    DocumentType.RIGHTS_NOTICE: (
        "archived",
        "人民调解权利义务告知书",
        ("张三、李四：", "选择或者接受人民调解员", "如实陈述纠纷事实", "申请人张三", "已签收"),
    ),
    DocumentType.SESSION_RECORD: (
        "archived",
        "调解笔录",
        ("东村村委会调解室", "双方当事人及村民代表王五", "第1次调解", "记录人（签名）"),
    ),
    DocumentType.MEDIATION_AGREEMENT: (
        "archived",
        "人民调解协议书",
        (
            "排水沟是否导致渗水及赔偿数额",
            "被申请人承担主要责任",
            "被申请人赔偿申请人修缮费二千元",
            "履行地点：东村村委会",
            "申请人张三（签名、盖章或者按指印）",
            "被申请人李四（签名、盖章或者按指印）",
            "人民调解员（签名）",
            "本协议一式3份",
        ),
    ),
    DocumentType.ORAL_AGREEMENT: (
        "oral",
        "口头调解协议登记",
        ("第二十八条", "被申请人当场赔付申请人五百元", "登记人（人民调解员签名）"),
    ),
    DocumentType.REJECTION_NOTICE: (
        "rejected",
        "不予受理通知书",
        ("张三：", "该纠纷已由人民法院立案受理", "测试区人民法院", "甲镇平安办"),
    ),
    DocumentType.TERMINATION_RECORD: (
        "failed",
        "调解终止及无争议事实记载",
        ("双方对排水沟于2026年5月修建无异议", "双方对赔偿数额分歧较大", "第二十六条"),
    ),
    DocumentType.FOLLOW_UP_RECORD: (
        "archived",
        "人民调解回访记录",
        ("第1次回访：协议已履行", "非常满意", "调解成功（书面协议）"),
    ),
    DocumentType.CASE_FILE: (
        "archived",
        "人民调解卷宗",
        ("东村人调字第1号", "卷内目录", "调解申请书", "证据材料目录", "院墙渗水照片"),
    ),
}


@pytest.fixture
def cases(cast: Any, world: Any) -> dict[str, Any]:
    return {
        "archived": archived_case(cast, world),
        "oral": oral_case(cast, world),
        "rejected": rejected_case(cast, world),
        "failed": failed_case(cast, world),
    }


def _source(case: Any, doc_type: str, shown: Any = documents.FULL) -> str:
    """The page of ``doc_type`` for ``case`` as it is issued (the first subject)."""
    facts = documents.CaseFacts(case)
    kind = documents.kind_for(doc_type)
    assert kind is not None
    subject = kind.subjects(facts)[0].key
    context = {
        "committee": kind.issuer(case).name,  # type: ignore[union-attr]
        "date": "2026年12月4日",
        **kind.context(facts, subject, shown),
        "public_id": "test-id",
        "version": 1,
        "verify_url": "/verify/test-id",
        "qr": qr_data_uri("/verify/test-id"),
    }
    return render_html(TEMPLATES[doc_type], context)


def _flat(pdf: bytes) -> str:
    return "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_every_type_of_the_mediation_side_is_tested_here() -> None:
    assert set(EXPECTED) == {k.doc_type for k in documents.MEDIATION_KINDS if k.offered}
    assert {k.doc_type for k in documents.kinds()} >= set(EXPECTED)


@pytest.mark.parametrize("doc_type", list(EXPECTED))
def test_each_document_renders_visible_chinese_with_its_fields(
    doc_type: str, cases: dict[str, Any], tmp_path: Path
) -> None:
    which, title, fields = EXPECTED[doc_type]
    source = _source(cases[which], doc_type)
    pdf = html_to_pdf(source)
    text = _flat(pdf)
    for expected in (title, *fields):
        assert expected in text, expected
    # The title's glyphs are drawn from the embedded font: inked, not boxes, and unlike the
    # same page rendered where the Chinese font is missing.
    image = _page_image(pdf)
    box = _char_box(pdf, title)
    crop = image.crop(box)
    assert _ink(crop) > 0.15
    without = _page_image(_render_without_cjk_font(source, tmp_path)).crop(box)
    diff = ImageChops.difference(crop, without)
    assert sum(diff.histogram()[32:]) / (crop.width * crop.height) > 0.05


@pytest.mark.parametrize("doc_type", list(EXPECTED))
def test_each_document_renders_to_docx_with_its_fields(
    doc_type: str, cases: dict[str, Any]
) -> None:
    which, title, fields = EXPECTED[doc_type]
    facts = documents.CaseFacts(cases[which])
    kind = documents.kind_for(doc_type)
    assert kind is not None
    subject = kind.subjects(facts)[0].key
    docx = documents.case_document_docx(
        facts=facts, doc_type=doc_type, subject=subject, shown=documents.FULL
    )
    document = Document(io.BytesIO(docx))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    text = "".join("".join(paragraphs + cells).split())
    assert "".join(paragraphs[0].split()) == title
    for expected in fields:
        assert expected in text, expected
    # A working copy: no verification block (it is not the issued document).
    assert "/verify/" not in text


def test_a_docx_for_a_viewer_who_reads_names_masked_masks_them(cases: dict[str, Any]) -> None:
    facts = documents.CaseFacts(cases["archived"])
    docx = documents.case_document_docx(
        facts=facts, doc_type=DocumentType.MEDIATION_AGREEMENT, subject="", shown=MASKED
    )
    document = Document(io.BytesIO(docx))
    text = "".join(p.text for p in document.paragraphs)
    assert "张*" in text
    assert "张三" not in text
    assert "李四" not in text


def _page_texts(pdf: bytes) -> list[str]:
    return ["".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages]


def test_the_case_file_contents_give_the_page_each_document_starts_on(
    cases: dict[str, Any], cast: Any
) -> None:
    case = cases["archived"]
    issued = documents.case_document_issue(
        actor=cast.mediator_east, case_id=case.pk, doc_type=DocumentType.CASE_FILE, after=0
    )
    pdf = document_pdf(issued)
    pages = _page_texts(pdf)
    facts = documents.CaseFacts(case)
    parts = documents.case_file_parts(facts, documents.FULL)
    # Ten documents: 申请书, 告知书, four 调解笔录, 协议书, 证据材料目录, two 回访记录.
    assert len(parts) == 10
    assert [p["title"].split("（")[0] for p in parts] == [
        "调解申请书",
        "权利义务告知书",
        *["调解笔录"] * 4,
        "调解协议书",
        "证据材料目录",
        *["回访记录"] * 2,
    ]
    # The contents page lists each document: its number, its title and a page number.
    contents = next(i for i, text in enumerate(pages) if text.startswith("卷内目录"))
    lines = PdfReader(io.BytesIO(pdf)).pages[contents].extract_text().splitlines()
    rows = [re.fullmatch(r"(\d+) ([^\d/ ]\S*(?: \S+)*) (\d+)", line.strip()) for line in lines]
    toc = {int(m.group(1)): int(m.group(3)) for m in rows if m is not None}
    assert [m.group(2).split("（")[0] for m in rows if m is not None] == [
        p["title"].split("（")[0] for p in parts
    ]
    # Where each document really starts: the first page, after the previous one's, that
    # begins with its title and shows its own number (编号).
    starts = []
    after = contents
    for part in parts:
        number = re.search(r"编号：([^<]+)</p>", str(part["html"]))
        assert number is not None
        heading = re.search(r"<h1>([^<]+)</h1>", str(part["html"]))
        assert heading is not None
        found = next(
            i
            for i in range(after + 1, len(pages))
            if pages[i].startswith(heading.group(1)) and number.group(1).strip() in pages[i]
        )
        starts.append(found + 1)
        after = found
    assert toc == dict(enumerate(starts, start=1))
    assert len(pages) >= starts[-1]
