"""The 督办 board's rows: a county has hundreds of orgs with something late and a dozen columns,
so a row's cells are written here in one pass rather than by thousands of template lookups (at
10 million cases the template loop was most of the page's time). Only integers (counts, the
org's id) vary per cell; the column's key and the items URL are escaped once per column
(``_head``)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from fengqiao.supervision.selectors import Row

register = template.Library()

ZERO = '<td><span class="text-muted">0</span></td>'


@lru_cache(maxsize=64)
def _head(key: str, items_url: str) -> str:
    """The escaped start of a column's link."""
    k, url = escape(key), escape(items_url)
    return (
        f'<td><a class="fw-bold text-danger board-count" data-kind="{k}" '
        f'href="{url}?kind={k}&amp;org='
    )


@register.simple_tag
def board_cells(row: Row, items_url: str) -> SafeString:
    """One ``<td>`` per column: a count links to its items (and the 督办令), a zero is grey."""
    cells = [
        f'{_head(key, items_url)}{int(row.org.pk)}">{int(n)}</a></td>' if n else ZERO
        for key, n in row.cells
    ]
    return mark_safe("".join(cells))  # noqa: S308 - escaped in _head; the rest are integers
