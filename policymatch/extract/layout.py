"""Layout of a policy document: normalised text with original offsets, lines and numbering.

Private, used by :mod:`policymatch.extract`: character-wise NFKC and traditional → simplified
that keep one character per character (so spans point into the original), the numbered
structure (第X章 / 第X条 / 一、 / （一） / 1. / （1） / ①) as a tree of nodes, and the patterns of
department lines, meta sections (附则 …) and 文号.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from typing import Any

from .numbers import cn_int, quantities


# -- normalisation that keeps original offsets --------------------------------------------------
@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc  # built on first use

    return opencc.OpenCC("t2s")


@dataclass
class Doc:
    """Normalised text and, when NFKC changed lengths, each character's original position."""

    raw: str
    text: str
    starts: array[int] | None

    def span(self, s: int, e: int) -> tuple[int, int]:
        if self.starts is None:
            return s, e
        if e <= s:
            pos = self.starts[s] if s < len(self.starts) else len(self.raw)
            return pos, pos
        return self.starts[s], self.starts[e - 1] + 1

    def orig(self, s: int, e: int) -> str:
        a, b = self.span(s, e)
        return self.raw[a:b]


def normalise(raw: str) -> Doc:
    """Character-wise NFKC, then OpenCC t2s kept to one character per character."""
    table = {ch: n for ch in set(raw) if (n := unicodedata.normalize("NFKC", ch)) != ch}
    starts: array[int] | None = None
    if all(len(v) == 1 for v in table.values()):
        text = raw.translate({ord(k): v for k, v in table.items()})
    else:  # "㎡" → "m2", "⑩" → "10": remember where each output character came from
        parts, starts = [], array("q")
        for i, ch in enumerate(raw):
            parts.append(table.get(ch, ch))
            starts.extend([i] * len(parts[-1]))
        text = "".join(parts)
    conv = text if text.isascii() else _t2s().convert(text)
    if len(conv) != len(text):  # a phrase changed length: convert line by line, else per character
        conv = "\n".join(c if len(c := _t2s().convert(line)) == len(line) else "".join(
            x if len(x := _t2s().convert(ch)) == 1 else ch for ch in line)
            for line in text.split("\n"))
    conv = re.sub(r"(?<=[\u4e00-\u9fff)”])\.(?=\s*$|\s*[\u4e00-\u9fff(])", "。", conv, flags=re.M)
    return Doc(raw, conv, starts)


# -- structure --------------------------------------------------------------------------------
_HEADINGS = ((0, re.compile(r"第[一二三四五六七八九十百零〇]{1,4}章")),
             (1, re.compile(r"第[一二三四五六七八九十百零〇]{1,4}条")),
             (2, re.compile(r"[一二三四五六七八九十]{1,3}、")),
             (3, re.compile(r"\([一二三四五六七八九十]{1,3}\)")),
             (4, re.compile(r"\d{1,2}(?:\.|、)(?!\d)")),
             (5, re.compile(r"\(\d{1,2}\)")))
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_INLINE = re.compile(r"(?<=[。;])\s*(?=\([一二三四五六七八九十]{1,3}\)|\d{1,2}\.(?!\d))")
DEPT_LINE = re.compile(r"\(\s?(?:牵头|责任|实施|受理)(?:责任)?(?:单位|部门)\s?:([^()\n]{1,80})\)"
                   r"|^\s*(?:牵头|责任)(?:单位|部门)\s?:([^\n]{1,80})$", re.M)
_META = re.compile(r"附则|适用范围|适用对象|总则|其他事项|^其他$|实施保障|组织保障|保障措施|申报程序"
                   r"|兑现程序|申报兑现|政策兑现|工作要求|资金管理|监督管理|组织实施")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[(]\s?\d{4}\s?[〕\])]\s?\d{1,4}\s?号")
TITLE_END = re.compile(r"(?:政策|办法|意见|措施|细则|规定|方案|通知|决定|条例)(?:\(试行\))?$")


@dataclass
class Node:
    rank: int
    number: int
    marker: str
    start: int
    body: int
    end: int = 0
    own_end: int = 0
    heading: str = ""
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    meta: bool = False

    @property
    def top(self) -> Node:
        return self if self.parent is None else self.parent.top

    def path(self) -> str:
        mine = self.marker.rstrip("、.").replace("(", "（").replace(")", "）")
        return (self.parent.path() if self.parent else "") + mine


#: An item that lists what takes a firm out of the policy: its sub-items grant nothing.
_EXCLUDES = re.compile(r"(?:下列|以下|如下)(?:情形|情况|行为)[^。]{0,20}(?:不得享受|不享受|不予|不适用)"
                       r"[^。]{0,12}:")


def line_spans(text: str) -> list[tuple[int, int]]:
    """Stripped non-empty lines; a line holding several （二）/2. items is cut before each."""
    out = []
    for m in re.finditer(r"[^\n\r]+", text):
        cuts = [m.start(), *(x.end() for x in _INLINE.finditer(text, *m.span())), m.end()]
        for a, b in pairwise(cuts):
            piece = text[a:b]
            if piece.strip():
                a += len(piece) - len(piece.lstrip())
                out.append((a, a + len(piece.strip())))
    return out


def number_tree(doc: Doc, work: str, lines: list[tuple[int, int]]) -> list[Node]:
    nodes: list[Node] = []
    for s, e in lines:
        if (c := doc.orig(s, s + 1)) and c in _CIRCLED:
            n = len(unicodedata.normalize("NFKC", c))
            nodes.append(Node(6, _CIRCLED.index(c) + 1, work[s:s + n], s, s + n))
            continue
        m = next((m for _, rx in _HEADINGS if (m := rx.match(work, s, e))), None)
        if m:
            rank = next(r for r, rx in _HEADINGS if rx.match(work, s, e))
            nodes.append(Node(rank, cn_int(m.group()), m.group(), s, m.end()))
    stack: list[Node] = []
    for i, node in enumerate(nodes):
        node.end = nodes[i + 1].start if i + 1 < len(nodes) else len(work)
        while stack and stack[-1].rank >= node.rank:
            stack.pop()
        if stack:
            node.parent = stack[-1]
            stack[-1].children.append(node)
        stack.append(node)
    for node in nodes:
        node.own_end = node.children[0].start if node.children else node.end
        line_end = work.find("\n", node.body)
        line_end = node.own_end if line_end < 0 else min(line_end, node.own_end)
        first = work[node.body:line_end].strip()
        m = re.match(r"\s*([^。:;,的]{1,20})[。:]", work[node.body:line_end])
        if node.rank <= 2 and "。" not in first and len(first) <= 40 and not re.search(
                r";|:.", first):  # "有下列情形之一的，不得享受本政策：（一）…；" is a sentence
            node.heading, node.body = doc.orig(node.body, line_end).strip(), line_end
        elif m and not re.match(r"对|凡|本|为", m.group(1)) and not quantities(m.group(1)):
            node.heading = doc.orig(node.body + m.start(1), node.body + m.end(1)).strip()
            if re.search(r"[\u4e00-\u9fff]", work[node.body + m.end():node.own_end]):
                node.body += m.end()  # else the item is that one sentence: keep it as text
        node.meta = bool(_META.search(re.sub(r"\s", "", node.heading))) or bool(
            node.parent and node.parent.meta) or bool(
            node.children and _EXCLUDES.search(work[node.body:node.own_end]))
    for node in nodes:  # the items listed under "有下列情形之一的，不得享受本政策：" are exclusions
        node.meta |= bool(node.parent and node.parent.meta)
    return nodes
