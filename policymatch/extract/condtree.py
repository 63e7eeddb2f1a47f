"""Leaves → one condition tree (``all`` / ``any`` / ``not``), and 首次突破 as a milestone.

Private, used by :mod:`policymatch.extract.policy`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..models import AllOf, AnyOf, Condition, FieldTest, Not, Unstructured
from .conditions import UNSTRUCTURED, Leaf


def _milestone(lf: Leaf, notes: list[str], source: Any) -> Condition:
    """首次突破 T1、T2…: any tier reached this year that the previous year had not reached."""
    op = lf.op[len("first"):]
    below = "<" if op == ">=" else "<="
    tiers = lf.value if isinstance(lf.value, list) else [lf.value]
    try:
        parts: list[Condition] = [AllOf(of=(FieldTest(field=lf.field, op=op, value=t),
                                            FieldTest(field=f"previous.{lf.field}", op=below,
                                                      value=t))) for t in tiers]
    except ValidationError:  # no previous-year figure for this measure: keep the words
        words = source.orig(lf.start, lf.end).strip() if source is not None else str(lf.value)
        notes.append(f"“{words}”是首次达到的条件，上一年度数值没有对应字段，请核对")
        lowest = FieldTest(field=lf.field, op=op, value=min(tiers))
        return AllOf(of=(lowest, Unstructured(text=f"上一年度未达到：{words}"[:500])))
    return parts[0] if len(parts) == 1 else AnyOf(of=tuple(parts))


def build_condition(leaves: list[Leaf], notes: list[str],
                    source: Any = None) -> Condition | None:
    """Leaves → one condition tree: AND of plain leaves, OR groups (或) and a NOT of any exclusion.

    Unstructured leaves are required words (``all``), whatever their ``alt``; with ``source``
    (an object with ``orig(s, e)`` and ``span(s, e)``) they keep the original words and span.
    A leaf that cannot be a valid field test is kept as unstructured words, never dropped.
    """
    plain: list[Condition] = []
    alts: dict[int, list[Condition]] = {}
    negs: list[Condition] = []
    seen: set[str] = set()
    for lf in leaves:
        if lf.field == UNSTRUCTURED:
            words = source.orig(lf.start, lf.end).strip() if source is not None else ""
            if len(words) != len(str(lf.value)):  # composed words ("主导制定" + "地方标准")
                words = str(lf.value)
            node = Unstructured(text=words[:500], span=source.span(lf.start, lf.end)
                                if source is not None else None)
            if (key := f"u{lf.negate}{node.text}") not in seen:
                seen.add(key)
                (negs if lf.negate else plain).append(node)
            continue
        if lf.op.startswith("first"):
            tree = _milestone(lf, notes, source)
            if (key := f"m{lf.negate}{lf.alt}{tree.model_dump_json()}") not in seen:
                seen.add(key)
                (negs if lf.negate else alts.setdefault(lf.alt, []) if lf.alt is not None
                 else plain).append(tree)
            continue
        try:
            ft = FieldTest(field=lf.field, op=lf.op, value=lf.value)
        except ValidationError as exc:
            notes.append(f"条件 {lf.field} {lf.op} {lf.value!r} 无法写入：{exc.errors()[0]['msg']}，"
                         "已按原文保留为待核对条件")
            words = (source.orig(lf.start, lf.end).strip() if source is not None else "") or \
                f"{lf.field} {lf.op} {lf.value}"
            plain.append(Unstructured(text=words[:500], span=source.span(lf.start, lf.end)
                                      if source is not None else None))
            continue
        key = f"{lf.negate}{lf.alt}{ft.model_dump_json()}"
        if key not in seen:
            seen.add(key)
            (negs if lf.negate else alts.setdefault(lf.alt, []) if lf.alt is not None
             else plain).append(ft)
    parts = plain + [AnyOf(of=tuple(g)) if len(g) > 1 else g[0] for g in alts.values()]
    if negs:
        # each exclusion excludes on its own: not (A or B), the narrower reading of "A、B除外"
        parts.append(Not(of=AnyOf(of=tuple(negs)) if len(negs) > 1 else negs[0]))
    return None if not parts else parts[0] if len(parts) == 1 else AllOf(of=tuple(parts))
