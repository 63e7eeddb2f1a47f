"""Leaves of a draft: words before a benefit that no leaf reads (never unconditional), leaves
restated for another clause of an item, and the subject of one clause of a list.

Private, used by :mod:`policymatch.extract.drafts`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise
from typing import Any

from .conditions import UNSTRUCTURED, CondParse, Leaf, at, parse_conditions
from .measures import METRIC_RE, METRICS, PLAIN_QUALIFIER

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
            for lf in leaves if key(lf) not in have and lf not in cp.subject_pool]


def subject_leaves(cp: CondParse, chosen: Leaf | None) -> list[Leaf]:
    """The subject of one clause: the zipped one, or the whole list as alternatives."""
    if chosen is not None:  # "A、B（C）" zipped: A alone, or B or C
        i = next((k for k, x in enumerate(cp.subjects) if x is chosen), None)
        more = cp.subject_alts.get(i, []) if i is not None else []
        return [chosen] if not more else [
            Leaf(x.field, x.op, x.value, x.start, x.end, x.conf, alt=998, label=x.label)
            for x in [chosen, *more]]
    return [Leaf(x.field, x.op, x.value, x.start, x.end, x.conf, alt=999, label=x.label)
            for x in cp.subject_pool]  # "A、B" without 分别: any of them, each its own leaf


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


def ratio_base(before: str, cp: CondParse) -> tuple[str, float]:
    m = re.search(r"按(?:照)?(?:其)?([^,;。按]{1,24}?)的\s?$", before)
    if not m:
        return (cp.last_field, 0.7) if cp.last_field else ("extra.基数", 0.4)
    if hit := METRIC_RE.search(m.group(1)):
        # "按实验室设备投资额的20%", "按研发费用增量部分的10%": a narrower measure than the
        # profile field keeps its own name (the broad field would pay on more than the text)
        head = PLAIN_QUALIFIER.sub("", re.sub(r"^(?:该|其|此)|当年|上年度|上年|年度|全年|当期", "",
                                              m.group(1)[:hit.start()]))
        tail = m.group(1)[hit.end():]
        if not head and not re.search(r"增量|增加|增长|新增|超出|超过", tail):
            return METRICS[hit.group()], 0.9
        name = re.sub(r"^(?:该|其|此|上年度|当年|年度)+|部分$|(?<=增量)额$", "", m.group(1))
        return _same_key(f"extra.{name[:16]}", cp), 0.6
    noun = re.sub(r"^(?:上年度|当年|年度|新增)+|(?:额|总额|金额)$", "",
                  re.sub(r"实际|缴纳|支付|发生|其", "", m.group(1)))
    if cp.last_field and re.fullmatch(r"(?:投入|投资|费用|支出|资金|基数)?", noun):
        return cp.last_field, 0.8  # "按实际投入的15%": the quantity the threshold named
    return _same_key(f"extra.{noun[:16] or '基数'}", cp), 0.5


def _same_key(name: str, cp: CondParse) -> str:
    """The threshold's ``extra.*`` key when it names the same measure as the base."""
    noun = name[len("extra."):]
    return next((lf.field for lf in cp.leaves if lf.field.startswith("extra.") and noun and (
        lf.field[len("extra."):] in noun or noun in lf.field)), name)


def _threshold(d: Any) -> Leaf | None:
    ts = [lf for lf in d.leaves if lf.role == "threshold" and lf.op in (">=", ">")
          and isinstance(lf.value, float)]
    return ts[0] if len(ts) == 1 else None


def banded(drafts: list[Any]) -> list[Any]:
    """"投资额达到500万元以上的，按8%给予补助；达到3000万元以上的，按10%给予补助，最高600万元":
    the second sentence restates no subject, only a higher threshold on the same measure, so the
    two ratios are the bands of one ladder (one clause), not two clauses a firm could both claim."""
    out: list[Any] = []
    for d in drafts:
        last = out[-1] if out else None
        t1 = _threshold(last) if last is not None else None
        t2 = _threshold(d)
        if last is None or t1 is None or t2 is None or t1.field != t2.field or t2.value <= t1.value \
                or d.benefit.get("kind") != "ratio" or last.benefit.get("kind") not in ("ratio", "tiers") \
                or d.benefit.get("field") not in (t1.field, last.benefit.get("field")) \
                or last.label or d.label or not {
                    (lf.field, lf.op, repr(lf.value)) for lf in d.leaves
                    if lf is not t2 and lf.field != UNSTRUCTURED} <= {
                    (lf.field, lf.op, repr(lf.value)) for lf in last.leaves if lf is not t1}:
            out.append(d)
            continue
        tiers = last.benefit.get("tiers") or [{"at": t1.value, "rate": last.benefit.get("rate")}]
        if any(t.get("rate") is None for t in tiers) or d.benefit.get("rate") is None:
            out.append(d)
            continue
        benefit = {"kind": "tiers", "field": t1.field,
                   "tiers": [*tiers, {"at": t2.value, "rate": d.benefit["rate"]}]}
        if (cap := d.benefit.get("cap", last.benefit.get("cap"))) is not None:
            benefit["cap"] = cap
        fields = {k: v for k, v in {**last.bfields, **d.bfields}.items()
                  if k.split("#")[0] not in ("benefit.rate", "benefit.field")}
        fields["benefit.tiers"] = (benefit["tiers"], t1.start, d.spans[-1][1], 0.8)
        have = {(lf.field, repr(lf.value)) for lf in last.leaves}  # words of either sentence bind
        words = [lf for lf in d.leaves if lf.field == UNSTRUCTURED and (lf.field, repr(lf.value))
                 not in have]
        out[-1] = replace(last, spans=last.spans + d.spans, leaves=last.leaves + words,
                          benefit=benefit, bfields=fields, notes=last.notes + d.notes)
    return out
