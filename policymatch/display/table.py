"""Terminal tables that stay aligned with Chinese (double-width) characters."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["POSSIBLE_ROWS", "clip", "default_rows", "render_table", "width"]


def width(text: str) -> int:
    """Display width in terminal cells: wide and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch)
               else 1 for ch in text)


def clip(text: str, cells: int) -> str:
    """Cut ``text`` to at most ``cells`` display cells, ending with … when cut."""
    if width(text) <= cells:
        return text
    out, used = [], 0
    for ch in text:
        w = width(ch)
        if used + w > cells - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, cells: int, right: bool) -> str:
    gap = " " * max(0, cells - width(text))
    return gap + text if right else text + gap


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *,
                 max_widths: Sequence[int] | None = None,
                 right: Sequence[bool] | None = None) -> str:
    """Render rows under headers, each column as wide as its widest cell (clipped to max_widths).

    Examples
    --------
    >>> print(render_table(["条款", "金额"], [["研发补助", "80万元"]]))
    条款      金额
    --------  ------
    研发补助  80万元
    """
    n = len(headers)
    limits = list(max_widths) if max_widths else [10_000] * n
    cells = [[clip(str(c), limits[i]) for i, c in enumerate(row)] for row in rows]
    heads = [clip(h, limits[i]) for i, h in enumerate(headers)]
    widths = [max([width(heads[i])] + [width(r[i]) for r in cells]) for i in range(n)]
    align = list(right) if right else [False] * n

    def line(row: Sequence[str]) -> str:
        return "  ".join(_pad(c, widths[i], align[i]) for i, c in enumerate(row)).rstrip()

    out = [line(heads), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    return "\n".join(out)


#: Possible rows the default table shows (the most relevant first).
POSSIBLE_ROWS = 15


def default_rows(matches: Sequence[Any], *, show_all: bool) -> tuple[list[Any], int, int]:
    """The matches a table for people lists, with how many possible ones it folds away.

    Every eligible and ineligible match; of the possible ones, those written for this kind of
    firm, the first :data:`POSSIBLE_ROWS` in report order. Returns ``(rows, n_less_relevant,
    n_unrelated)``; with ``show_all`` every match is a row. Folding never drops a match from a
    report: it is display only.
    """
    if show_all:
        return list(matches), 0, 0
    rows: list[Any] = []
    kept = less = other = 0
    for m in matches:
        if m.status.value != "possible":
            rows.append(m)
        elif m.unrelated:
            other += 1
        elif kept < POSSIBLE_ROWS:
            rows.append(m)
            kept += 1
        else:
            less += 1
    return rows, less, other
