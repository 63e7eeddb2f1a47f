"""Leaves of a draft: words before a benefit that no leaf reads (never unconditional), leaves
restated for another clause of an item, and the subject of one clause of a list.

Private, used by :mod:`policymatch.extract.drafts`.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

from .conditions import UNSTRUCTURED, CondParse, Leaf, at, parse_conditions

_NAMED = re.compile(r"^\s*(?:对|凡)?\s*([^;。]{2,120}?)(?:的|者)?\s?,?\s?$")


def named_words(work: str, a: int, bs: int | None) -> list[Leaf]:
    """The words before the benefit of a clause that no leaf reads ("对…的，给予…"): a clause
    whose sentence names a beneficiary or requirement is never unconditional, so they are kept
    as an unstructured leaf (unknown). Empty when nothing but filler stands there."""
    head = work[a:a + bs] if bs else ""
    m = _NAMED.match(head)
    if m is None or len(re.findall(r"[\u4e00-\u9fff]", re.sub(
            r"按照|按|根据|经|由|给予|予以|企业|单位", "", m.group(1)))) < 2:
        return []
    return [Leaf(UNSTRUCTURED, "?", m.group(1).strip(), a + m.start(1),
                 a + m.start(1) + len(m.group(1).strip()), 0.5, "requirement")]


def copy_leaves(leaves: list[Leaf], cp: CondParse) -> list[Leaf]:
    """Leaves restated for another clause of the item (confidence lowered), except what it
    already says."""

    def key(lf: Leaf) -> tuple[Any, ...]:
        return (lf.field, lf.op, lf.value) if lf.field == UNSTRUCTURED else (lf.field, lf.op)

    have = {key(lf) for lf in cp.leaves}
    return [Leaf(lf.field, lf.op, lf.value, lf.start, lf.end, round(lf.conf * 0.9, 3), lf.role,
                 lf.note, lf.negate, lf.alt, lf.label)
            for lf in leaves if key(lf) not in have and lf not in cp.subjects]


def subject_leaves(cp: CondParse, chosen: Leaf | None) -> list[Leaf]:
    """The subject of one clause: the zipped one, or the whole list as alternatives."""
    subs = cp.subjects
    if chosen is not None or not subs:
        return [chosen] if chosen is not None else []
    return [Leaf(x.field, x.op, x.value, x.start, x.end, x.conf, alt=999, label=x.label)
            for x in subs]  # "A、B" without 分别: any of them, each its own leaf


def ladder_notes(drafts: list[Any]) -> None:
    """Two clauses of one item paying a ratio of one base at rising thresholds may be one banded
    ladder split at ；: both say so."""
    for d1, d2 in pairwise(drafts):  # "…300万元以上的，按…8%；…2000万元以上的，按…10%": one ladder?
        f1, f2 = d1.benefit.get("field"), d2.benefit.get("field")
        if d1.benefit.get("kind") == d2.benefit.get("kind") == "ratio" and f1 and f1 == f2 and any(
                lf.field == f1 and lf.role == "threshold" for lf in d2.leaves):
            note = f"相邻两项按同一基数（{f1}）的比例补助、门槛递增，可能是同一分档比例，已拆成两条，请核对"
            d1.notes.append(note + at(d1.spans[0][0], d2.spans[-1][1]))
            d2.notes.append(note + at(d1.spans[0][0], d2.spans[-1][1]))


_NOT_AGAIN = re.compile(r"的\s?,?\s?不再(?:重复)?(?:奖励|享受|补助|支持|给予)")


def not_again(work: str, rules: list[tuple[int, int]], drafts: list[Any], region: str | None) -> None:
    """"；已获得省级企业技术中心认定的，不再重复奖励": the item's clauses are not for a firm that holds
    it (a not-condition); words no field reads are noted, never dropped. ``rules`` are the
    item's sentences that grant nothing."""
    for a, b in rules:
        if (m := _NOT_AGAIN.search(work, a, b)) and drafts:
            xp = parse_conditions(work[a:m.start()], a, region=region)
            facts = [lf for lf in xp.leaves if lf.field != UNSTRUCTURED]
            for lf in facts:
                lf.negate, lf.role = True, "exclusion"
            for d in drafts:
                d.leaves += copy_leaves(facts, CondParse())
            if not facts:  # kept as "not" of its words (unknown) and noted
                words = work[a:m.start()].strip(" ,;。")
                w0 = a + work[a:m.start()].find(words)
                facts = [Leaf(UNSTRUCTURED, "?", words, w0, w0 + len(words), 0.5, "exclusion",
                              negate=True)]
                for d in drafts:
                    d.leaves += copy_leaves(facts, CondParse())
                    d.notes.append(f"“{work[a:b].strip()}”是排除条件，未能读成字段，请核对{at(a, b)}")
