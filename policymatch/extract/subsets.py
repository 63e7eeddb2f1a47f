"""Subsets of people that no ``talents.*`` count holds (staff newly qualified, local hires).

Private, used by :mod:`policymatch.extract.conditions`.
"""

from __future__ import annotations

import re
from typing import Any

from .measures import TALENT_RE

_STAFF_QUALIFIED = re.compile(r"(?:职工|员工|在职人员)[\u4e00-\u9fff]{0,4}?(?:取得|获得|考取|晋升)(?:为)?")
_LOCAL_HIRES = re.compile(r"(?:本县|本市|本区|本地|县内|市内|区内)?户籍[\u4e00-\u9fff]{0,4}?"
                          r"(?:劳动者|劳动力|人员|职工)")


def narrowed(text: str, mk: Any, talents: list[Any], leaf: Any) -> None:
    """A subset of people that no talents.* count holds: staff who newly qualified (职工新取得
    高级技师职业资格), new hires of one household register (新招用本县户籍劳动者). The count is a
    measure of its own, ``extra.<who>人数`` — the same key for the threshold and a per-person
    benefit's base; the broad count would grant more than the text."""
    base = mk.base
    for lf in list(talents):
        s, e = lf.start - base, lf.end - base
        cut = max(text.rfind(c, 0, s) for c in ",;。") + 1
        staff = last = None
        for m in _STAFF_QUALIFIED.finditer(text, cut, s):
            staff = m
        if lf.field == "talents.new_hires" and (last := _LOCAL_HIRES.match(text, e)) is not None:
            who = text[s:last.end()]
            mk.take(e, last.end())
        elif staff is not None:
            who = text[staff.start():e]
            mk.take(staff.start(), staff.end())
            end = e
            while (nxt := re.match(rf"、({TALENT_RE.pattern})", text[end:])) is not None:
                end += nxt.end()  # "职工新取得高级技师、技师": a listed kind, each its own count
                word = nxt.group(1)
                talents.append(leaf(f"extra.{text[staff.start():staff.end()]}{word}人数", ">=", 1.0,
                                    base + end - len(word), base + end, 0.6, label=word))
                mk.add(talents[-1], end - len(word), end)
            if (tail := re.match(r"(?:职业资格|资格证书|资格|证书)", text[end:])) is not None:
                mk.take(end, end + tail.end())
        else:
            continue
        lf.field = f"extra.{re.sub(r'[^一-鿿]', '', who)[:20]}人数"
        lf.conf = min(lf.conf, 0.6)
