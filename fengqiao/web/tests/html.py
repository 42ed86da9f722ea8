"""Small readers for rendered pages and exports, shared by the page tests."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any

from django.http import HttpResponse
from openpyxl import load_workbook

_TAG = re.compile(r"<[^>]+>")


def page_text(response: HttpResponse) -> str:
    return unescape(_TAG.sub(" ", response.content.decode()))


def table_text(response: HttpResponse, table_id: str) -> str:
    """The visible text of the table with ``id=table_id`` (fails when the table is missing)."""
    html = response.content.decode()
    match = re.search(rf'<table[^>]*\bid="{re.escape(table_id)}"[^>]*>(.*?)</table>', html, re.S)
    assert match is not None, f"no table #{table_id} on the page"
    return unescape(_TAG.sub(" ", match.group(1)))


@dataclass(frozen=True)
class Cell:
    text: str
    href: str  # the cell's link ("" without one)
    attrs: dict[str, str] = field(default_factory=dict)  # of the cell's row


def table_rows(response: HttpResponse, table_id: str) -> list[list[Cell]]:
    """The body rows of the table with ``id=table_id`` as a user reads them: each cell's text
    and link, and its row's attributes (fails when the table is missing)."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(response.content.decode())
    tables = tree.xpath(f'//table[@id="{table_id}"]')
    assert tables, f"no table #{table_id} on the page"
    rows = []
    for tr in tables[0].xpath("./tbody/tr"):
        attrs = {str(k): str(v) for k, v in tr.attrib.items()}
        rows.append(
            [
                Cell(
                    " ".join(td.text_content().split()),
                    next((str(a.get("href")) for a in td.iter("a")), ""),
                    attrs,
                )
                for td in tr.xpath("./td")
            ]
        )
    return rows


def xlsx_text(response: HttpResponse) -> str:
    """Every cell of every sheet of an XLSX response, one row a line."""
    book = load_workbook(io.BytesIO(response.getvalue()), read_only=True)
    lines = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)


def names_in(text: str, names: list[str] | set[str]) -> set[str]:
    return {name for name in names if name in text}


# --- Forms as a browser submits them ------------------------------------------------------------


@dataclass
class PageForm:
    """A ``<form>`` of a rendered page: where it posts, what a browser would send untouched
    (hidden inputs, prefilled values, checked boxes, the selected or first option), and the
    options each choice field offers as ``(value, label)``."""

    action: str
    values: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def data(self, **changes: str | list[str]) -> dict[str, list[str]]:
        """The submission with ``changes`` made, as the test client posts it."""
        data = dict(self.values)
        for name, value in changes.items():
            data[name] = value if isinstance(value, list) else [value]
        return data

    def option(self, name: str, label_contains: str) -> str:
        """The value of the first option of ``name`` whose label contains the text."""
        for value, label in self.options.get(name, []):
            if label_contains in label:
                return value
        raise AssertionError(f"no option of {name} reads {label_contains!r}: {self.options}")


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: str | None = None
        self._option: dict[str, Any] | None = None
        self._chosen: dict[str, str] = {}
        self._textarea: str | None = None
        self._radio_or_box: str | None = None  # the name of the last box, for its label

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = PageForm(action=a.get("action", ""))
            self.forms.append(self._form)
            return
        form = self._form
        if form is None:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                form.options.setdefault(name, []).append((a.get("value", "on"), ""))
                self._radio_or_box = name
                if "checked" in a:
                    form.values.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                form.values[name] = [a.get("value", "")]
        elif tag == "select" and name:
            self._select = name
            self._chosen.pop(name, None)
            form.options[name] = []
        elif tag == "option" and self._select:
            self._option = {"value": a.get("value"), "label": "", "selected": "selected" in a}
        elif tag == "textarea" and name:
            self._textarea = name
            form.values[name] = [""]

    def handle_data(self, data: str) -> None:
        form = self._form
        if form is None:
            return
        if self._option is not None:
            self._option["label"] += data
        elif self._textarea:
            form.values[self._textarea][0] += data
        elif self._radio_or_box and data.strip():
            # The label after a box names it.
            name = self._radio_or_box
            value, label = form.options[name][-1]
            form.options[name][-1] = (value, (label + data).strip())

    def handle_endtag(self, tag: str) -> None:
        form = self._form
        if tag == "form":
            self._form = None
        elif tag == "label":
            self._radio_or_box = None
        elif tag == "option" and self._option is not None and self._select and form is not None:
            option = self._option
            value = option["value"] if option["value"] is not None else option["label"]
            form.options[self._select].append((value, option["label"].strip()))
            if option["selected"] or self._select not in self._chosen:
                self._chosen[self._select] = value
                form.values[self._select] = [value]
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def page_forms(response: HttpResponse) -> list[PageForm]:
    parser = _FormParser()
    parser.feed(response.content.decode())
    return parser.forms


def page_form(response: HttpResponse, action: str) -> PageForm:
    """The form of the page that posts to ``action`` (fails when the page offers none)."""
    found = [f for f in page_forms(response) if f.action == action]
    assert found, f"the page has no form posting to {action}"
    return found[0]
