"""Benefit shapes of a clause, and one numbered item → clause drafts.

Private, used by :mod:`policymatch.extract.policy`. Text is normalised and spans are offset by ``base``
as described in :mod:`policymatch.extract.numbers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from .conditions import UNSTRUCTURED, CondParse, Leaf, at, parse_conditions
from .guards import banded, copy_leaves, ladder_notes, named_words, not_again, ratio_base, subject_leaves
from .lists import CAP_WORD, list_subjects
from .measures import METRIC_RE, last_match, measure, noun_before
from .numbers import Qty, quantities

#: 1-year loan prime rate (3.0% since May 2025), assumed when a 贴息 clause names no rate.
DEFAULT_LPR = 0.03


# -- benefits ---------------------------------------------------------------------------------
_PERSONS = {"talents.phd", "talents.master", "talents.bachelor", "talents.bachelor_fresh",
            "talents.postdoc", "talents.high_skilled"}
_VERB_RE = re.compile(r"给予|予以|奖励|补助|补贴|资助|奖补|贴息|发放|补偿")
_PER_RE = re.compile(r"每(?:[\u4e00-\u9fff]{0,6}?)(?:\d{1,4}|一)?\s?"
                     r"(人次|人|名|平方米|m2|亩|台|套|项|家(?!企业|单位|机构|公司))"
                     r"|元\s?/\s?(人次|人|名|平方米|m2|亩|台|套|项|家)")
_EACH = re.compile(r"每(?:个|件|款|批|种|部|只)[\u4e00-\u9fff]{0,4}?(?=给予|奖励|补助|奖|补|$)")
_AWARD = re.compile(r"(?:补助|奖励|给予|补贴|资助|奖补)\s?$")
_STEP = re.compile(r"每(?:同比)?(?:增加|增长|新增|多)")


def benefit_start(text: str) -> int | None:
    """Where the benefit words begin in a segment, or ``None`` if it grants nothing countable."""
    for v in _VERB_RE.finditer(text):
        cut = max(text.rfind(c, 0, v.start()) for c in ",;:") + 1
        pre = text[cut:v.start()]
        b = v.start() if re.search(r"对|凡", pre) else cut
        if b == v.start() and (k := pre.find("按")) >= 0 and not re.search(r"对|凡", pre[k:]):
            b = cut + k
        prev_cut = max(text.rfind(c, 0, max(0, cut - 1)) for c in ",;:") + 1
        if b == cut and _STEP.search(text[prev_cut:cut]):
            b = prev_cut  # "每增加1000万元，奖励10万元"
        part = text[b:]
        if "贴息" in part or "利息" in part or any(q.kind in ("money", "pct")
                                                  for q in quantities(part)):
            return b
    if m := _ELLIPTIC.match(text):  # "；硕士研究生每人每月1500元": the verb of the sentence before
        return m.end()
    return None


#: A benefit with the verb left out, after ；: a kind of person, then 每人(每月) an amount.
_ELLIPTIC = re.compile(r"\s*[\u4e00-\u9fff]{2,12}?(?=每(?:人|名)(?:每月|每年)?\s?\d)")


def only_limits(text: str) -> bool:
    """A sentence that only bounds the previous award ("单个企业最高不超过50万元")."""
    money = [q for q in quantities(text) if q.kind in ("money", "pct")]
    return bool(money) and not re.match(r"\s*(?:对|凡)", text) and all(
        CAP_WORD.search(text[max(0, q.start - 14):q.start]) for q in money)


@dataclass
class BenefitDraft:
    """One benefit read from a benefit part, before model validation."""

    data: dict[str, Any]
    fields: dict[str, tuple[Any, int, int, float]] = field(default_factory=dict)
    subject: int | None = None  # index into CondParse.subjects
    notes: list[str] = field(default_factory=list)

    def put(self, key: str, q: Qty | None, value: Any = None, conf: float = 0.95) -> None:
        if q is not None:
            self.data[key] = q.value if value is None else value
            self.fields[f"benefit.{key}"] = (self.data[key], q.start, q.end, conf)


def parse_benefits(text: str, base: int, cp: CondParse) -> list[BenefitDraft]:
    """Read the benefit(s) of a benefit part; several for a 分别 list zipped with subjects. An
    amount of the part that no benefit uses is said in a review note (on the first clause
    only): a subject may have been missed."""
    drafts = _benefits(text, base, cp)
    used = [(s, e) for d in drafts for (_, s, e, _) in d.fields.values()]
    left = [q for q in quantities(text, base) if q.kind in ("money", "pct")
            and not any(s <= q.start and q.end <= e for s, e in used)]
    if drafts and left:
        words = "、".join(text[q.start - base:q.end - base] for q in left)
        drafts[0].notes.append(f"金额“{words}”未用于任何条款，可能漏读了对应的对象或档次"
                               f"{at(left[0].start, left[-1].end)}")
    return drafts


def _benefits(text: str, base: int, cp: CondParse) -> list[BenefitDraft]:
    qs = quantities(text, base)
    resp = bool(re.search(r"分别|依次|相应", text))
    mains: list[Qty] = []
    caps: list[Qty] = []
    pcts: list[Qty] = []
    durs: list[Qty] = []
    limits: list[Qty] = []
    floor: Qty | None = None
    for i, q in enumerate(qs):
        s, e = q.start - base, q.end - base
        before, after = text[max(0, s - 14):s], text[e:e + 4]
        capped = bool(CAP_WORD.search(before)) or (before.endswith("以") and after[:2] == "为限")
        nxt = qs[i + 1] if i + 1 < len(qs) else None
        if q.kind == "money" and before.endswith("不足") and nxt and nxt.kind == "money" and \
                re.fullmatch(r"的?,?按", text[e:nxt.start - base]):
            floor = nxt  # "不足2万元的按2万元兑现"
        elif q is not floor and q.kind in ("money", "pct"):
            (pcts if q.kind == "pct" else caps if capped else mains).append(q)
        elif q.kind in ("year", "month") and q.value < 100 and before[-1:] != "第" and after[:1] != "期":
            durs.append(q)
        elif capped and q.kind in ("area", "unit", "mu", "count"):
            limits.append(q)
    durs.sort(key=lambda q: not re.search(r"期|最长|连续|为期|补贴|发放|享受|补助",
                                          text[max(0, q.start - base - 6):q.start - base]))
    per = _PER_RE.search(text)
    cap = caps[-1] if caps and (mains or pcts or per) else None
    principal = next((q for q in pcts if re.search(
        r"按(?:照)?(?:其)?(?:实际)?(?:贷款|借款)(?:额|金额|本金|余额)?的\s?$", text[:q.start - base])), None)
    if principal is not None and re.search(r"贴息|利息", text):  # "按贷款额的1.5%给予贴息"
        d = BenefitDraft({"kind": "interest", "base_rate": principal.value, "share": 1.0})
        d.fields["benefit.base_rate"] = (principal.value, principal.start, principal.end, 0.9)
        if durs:
            d.put("years", durs[0], durs[0].value / (12 if durs[0].kind == "month" else 1))
        d.put("cap", cap)
        return [d]
    if re.search(r"贴息|利息", text):
        d = BenefitDraft({"kind": "interest", "base_rate": DEFAULT_LPR, "share": 1.0})
        d.fields["benefit.kind"] = ("interest", base, base + len(text), 0.9)
        d.fields["benefit.base_rate"] = (DEFAULT_LPR, base, base + len(text), 0.4)
        d.put("share", pcts[0] if pcts else None)
        d.notes += [] if pcts or "全额" in text else ["贴息比例未写明，按全额贴息记录"]
        d.notes.append(f"基准利率未写明，按 LPR {DEFAULT_LPR:.1%} 测算")
        if durs:
            d.put("years", durs[0], durs[0].value / (12 if durs[0].kind == "month" else 1))
        d.put("cap", cap)
        return [d]
    if (bands := _bands(text, base, qs, cp)) is not None:
        bands.put("cap", cap)
        return [bands]
    if (steps := _increments(text, base, qs, caps)) is not None:
        return [steps]
    persons = any(lf.field in _PERSONS for lf in cp.leaves) and not cp.firm and not any(
        lf.field.endswith("qualifications") for lf in cp.leaves)
    if per or (persons and mains and not pcts):
        return _per_unit(text, base, cp, per, mains or caps[:1], cap if mains else None, durs,
                         limits, resp)
    if pcts := [q for q in pcts if not re.search(r"利率|LPR", text[:q.start - base])]:
        if cp.ladder and resp and len(pcts) == len(cp.ladder) and cp.ladder_field:
            d = BenefitDraft({"kind": "tiers", "field": cp.ladder_field, "tiers": [
                {"at": t.value, "rate": p.value} for t, p in zip(cp.ladder, pcts, strict=True)]})
        else:
            fld, conf = ratio_base(text[:pcts[0].start - base], cp)
            d = BenefitDraft({"kind": "ratio", "field": fld})
            d.fields["benefit.field"] = (fld, pcts[0].start, pcts[0].end, conf)
            d.notes += [f"补助基数未对应到画像字段，已记为 {fld}"] if conf < 0.7 else []
            if not re.search(r"按(?:照)?[^,;。按]{1,24}?的\s?$", text[:pcts[0].start - base]):
                d.notes.append(f"比例“{text[pcts[0].start - base:pcts[0].end - base]}”未写明基数，"
                               f"按邻近的条件读作 {fld}，请核对补助基数{at(pcts[0].start, pcts[0].end)}")
            d.put("rate", pcts[0])
            d.put("floor", floor)
        d.put("cap", cap)
        return [d]
    if not mains and caps:  # "给予最高50万元补助": the ceiling is the award
        mains, cap = caps[:1], None
    if not mains:
        return []
    if cp.ladder and resp and len(mains) == len(cp.ladder) and cp.ladder_field:
        d = BenefitDraft({"kind": "tiers", "field": cp.ladder_field, "tiers": [
            {"at": t.value, "amount": a.value} for t, a in zip(cp.ladder, mains, strict=True)]})
        d.fields["benefit.tiers"] = (d.data["tiers"], cp.ladder[0].start, mains[-1].end, 0.9)
        d.put("cap", cap)
        return [d]
    n_sub = len(cp.subjects)
    if resp and n_sub >= 2 and len(mains) in (1, n_sub):
        picks = [mains[0]] * n_sub if len(mains) == 1 else mains
    else:
        picks = mains[:max(1, min(len(mains), n_sub))] if resp else mains[:1]
    drafts = []
    for i, q in enumerate(picks):
        up_to = bool(CAP_WORD.search(text[max(0, q.start - base - 14):q.start - base]))
        each = _EACH.search(text[max(0, q.start - base - 14):q.start - base])
        d = BenefitDraft({"kind": "fixed", "up_to": up_to})
        d.subject = i if n_sub >= 2 and len(picks) == n_sub else None
        if each:  # "每个产品给予10万元": paid per item; no profile field counts the items, so the
            # count is a measure of its own (extra.<subject><item>) and the amount stays unknown
            thing = re.sub(r"^每[个件款批种部只]|分别$", "", each.group()) or "项目"
            subj = cp.subjects[d.subject].label if d.subject is not None else next(
                (lf.label or str(lf.value) for lf in cp.leaves if lf.field.endswith(
                    "qualifications") and isinstance(lf.value, str)), "")
            d = BenefitDraft({"kind": "per_unit", "field": f"extra.{subj[:16]}{thing}",
                              "unit": each.group()[1], "period": "once"}, subject=d.subject)
            d.put("rate", q, conf=0.8)
            d.fields["benefit.kind"] = ("per_unit", q.start, q.end, 0.8)
        else:
            d.put("amount", q, conf=0.95 if len(picks) == len(mains) else 0.5)
        if resp and len(mains) > 1 and len(mains) != max(n_sub, 1):
            d.notes.append(f"分别列举的对象（{n_sub}个）与金额（{len(mains)}个）数量不一致"
                           f"{at(mains[0].start, mains[-1].end)}")
        drafts.append(d)
    return drafts


def _per_unit(text: str, base: int, cp: CondParse, per: re.Match[str] | None, rates: list[Qty],
              cap: Qty | None, durs: list[Qty], limits: list[Qty], resp: bool) -> list[BenefitDraft]:
    unit = (per.group(1) or per.group(2)) if per else "人"
    unit = {"m2": "平方米", "名": "人"}.get(unit, unit)
    if per and not per.group(2):
        rates = [q for q in rates if q.start >= base + per.start()] or rates
    near = text[:rates[0].end - base + 6] if rates else text  # not "每年最高…" after the rate
    period = "month" if re.search(r"每月|/月|按月", near) else "year" if re.search(
        r"每年|/年|按年", near) else "once"
    n = durs[0].value * (12 if durs[0].kind == "year" and period == "month" else 1) if durs else 0
    drafts = []
    for i, q in enumerate(rates if resp else rates[:1]):
        if unit == "平方米" and period == "month" and re.search(r"租金|房租|租房|租赁|用房|厂房", text):
            d = BenefitDraft({"kind": "rent"})
            d.put("months", durs[0] if durs else None, int(n))
            d.notes += [] if durs else ["补贴期限未写明，按12个月记录"]
            d.put("max_area", limits[0] if limits else None)
        else:
            d = BenefitDraft({"kind": "per_unit", "unit": unit, "period": period,
                              "field": _unit_field(unit, cp, i, text)})
            if period != "once" and n:
                d.put("duration", durs[0], int(n))
            d.put("max_units", limits[0] if limits else None)
        fld = d.data.get("field", "")
        if fld.startswith("extra.数量") or (fld == "employees" and not re.search(
                r"员工|职工|从业人员|用工|在职", text)):  # "每人" with nothing that counts them
            d.notes.append(f"按“每{unit}”计发，但条件中没有可计数的对象，计量字段暂记为 {fld}，"
                           f"请核对按谁的人数（或数量）计算{at(q.start, q.end)}")
        d.put("rate", q)
        d.put("cap", cap)
        d.subject = i if resp and len(cp.subjects) == len(rates) else None
        d.fields["benefit.kind"] = (d.data["kind"], q.start, q.end, 0.9 if per else 0.75)
        drafts.append(d)
    return drafts


def _bands(text: str, base: int, qs: list[Qty], cp: CondParse) -> BenefitDraft | None:
    """"10万元以上不足20万元的补助15%，20万元以上的补助25%": a banded ladder."""
    bands: list[tuple[Qty, Qty]] = []
    for chunk in re.finditer(r"[^,;:。]+", text):
        inside = [q for q in qs if chunk.start() <= q.start - base < chunk.end()
                  and q.kind in ("money", "pct")]
        award = next((q for q in inside if _AWARD.search(text[chunk.start():q.start - base])), None)
        ats = [q for q in inside if award and q.start < award.start]
        if award and ats:
            bands.append((ats[0], award))
    if len(bands) < 2 or len({a.kind for _, a in bands}) > 1 or any(
            b[0].value <= a[0].value for a, b in pairwise(bands)):
        return None
    first = bands[0][0]
    window = text[:first.start - base][-30:]
    fld, conf, note, _ = measure(first, window, cp.last_field)
    key = "rate" if bands[0][1].kind == "pct" else "amount"
    d = BenefitDraft({"kind": "tiers", "field": fld,
                      "tiers": [{"at": a.value, key: b.value} for a, b in bands]})
    d.fields["benefit.tiers"] = (d.data["tiers"], first.start, bands[-1][1].end, min(conf, 0.85))
    d.notes += [note] if note else []
    return d


def _increments(text: str, base: int, qs: list[Qty], caps: list[Qty]) -> BenefitDraft | None:
    """"每增加1000万元，奖励10万元，最高50万元": a ladder of equal steps up to the cap."""
    m = _STEP.search(text)
    steps = [q for q in qs if m and q.kind == "money" and q.start - base >= m.end()]
    if not m or len(steps) < 2 or steps[0].start - base != m.end() or not caps:
        return None
    step, award, cap = steps[0], steps[1], caps[-1]
    n = min(int(cap.value // award.value), 20) if award.value else 0
    metric = last_match(METRIC_RE, text[:m.start()])
    name = f"extra.{metric.group() if metric else noun_before(text[:m.start()]) or '指标'}增量"
    d = BenefitDraft({"kind": "tiers", "field": name, "tiers": [
        {"at": step.value * k, "amount": award.value * k} for k in range(1, n + 1)]})
    d.fields["benefit.tiers"] = (d.data["tiers"], step.start, cap.end, 0.6)
    d.notes.append(f"按增量计奖（每{step.value:g}元奖{award.value:g}元），已展开为{n}档，基数记为 {name}")
    return d if n >= 1 else None


def _unit_field(unit: str, cp: CondParse, i: int, text: str) -> str:
    if cp.subjects and all(s.field == UNSTRUCTURED for s in cp.subjects):
        return f"extra.{cp.subjects[min(i, len(cp.subjects) - 1)].label[:20]}({unit})"
    if unit == "人":
        if cp.subjects and all(s.field.startswith("talents.") or (
                s.field.startswith("extra.") and s.field.endswith("人数")) for s in cp.subjects):
            return cp.subjects[min(i, len(cp.subjects) - 1)].field
        talents = [lf.field for lf in cp.leaves if lf.field.startswith("talents.") or (
            lf.field.startswith("extra.") and lf.field.endswith("人数"))]
        return talents[0] if talents else "talents.new_hires" if re.search(
            r"新招用|新增就业|吸纳", text) else "employees"
    if unit == "平方米":
        return "office_area_sqm"
    if unit == "亩" and not any(lf.field.startswith("extra.") and lf.field.endswith("(亩)")
                               for lf in cp.leaves):
        return "land_area_mu"
    if unit in ("台", "套") and not any(lf.field.startswith("extra.") and unit in lf.field
                                       for lf in cp.leaves):
        return "equipment_units"
    return next((lf.field for lf in cp.leaves if lf.field.startswith("extra.") and unit in lf.field),
                f"extra.数量({unit})")


# -- one numbered item → clause drafts -----------------------------------------------------------
_RULE = re.compile(r"就高|从高|不重复|不得重复|不可同时|不同时享受|差额")
EXCLUSIVE = re.compile(r"就高|从高|不重复|不得重复|不可同时|不同时享受")
_MODE = re.compile(r"免申即享|快申快享|依申请")
_MODIFIER = re.compile(r"最高|不超过|上限|封顶|最长|期限|连续|面积|单个|累计|其中|分年|比例发放")
SELF_REF = re.compile(r"\s*本(?:政策|办法|意见|细则|措施|规定|通知)")


@dataclass
class Draft:
    """One clause drafted from an item: its sentences, conditions and benefit."""

    spans: list[tuple[int, int]]
    leaves: list[Leaf]
    benefit: dict[str, Any]
    bfields: dict[str, tuple[Any, int, int, float]]
    notes: list[str]
    label: str = ""
    residual: str = ""
    ladder: bool = False  # one of a parallel list of honours of one family
    exclusive: bool = False  # the item says 就高 / 不重复 and has several clauses
    kind_from: tuple[int, int] | None = None  # the sentence naming the kind of firm it is for


def segments(work: str, s: int, e: int) -> list[tuple[int, int]]:
    """Sentences of ``work[s:e]`` split at top-level 。 and ；, each keeping its terminator."""
    out, depth, start = [], 0, s
    for i in range(s, e):
        ch = work[i]
        depth = depth + 1 if ch in "(《“[" else max(0, depth - 1) if ch in ")》”]" else (
            0 if ch == "\n" else depth)
        if (ch in "。;" and depth == 0) or i == e - 1:
            a, b = start, i + 1
            while a < b and work[a].isspace():
                a += 1
            while b > a and work[b - 1].isspace():
                b -= 1
            if a < b:
                out.append((a, b))
            start = i + 1
    return out


def split_item(work: str, s: int, e: int, *, region: str | None,
               inherited: list[Leaf]) -> list[Draft]:
    """Clauses of one item: one per benefit (``；``), per 分别 subject, or one in-kind clause."""
    segs = [piece for a, b in segments(work, s, e) for piece in _second_benefit(work, a, b)]
    groups: list[tuple[list[tuple[int, int]], int]] = []
    rules: list[tuple[int, int]] = []
    pending: list[tuple[int, int]] = []
    for a, b in segs:
        bs = benefit_start(work[a:b])
        if bs is not None and not (groups and only_limits(work[a:b])):
            groups.append(([*pending, (a, b)], a + bs))
            pending = []
        elif bs is not None or (groups and not _RULE.search(work[a:b]) and _MODIFIER.search(work[a:b])):
            groups[-1][0].append((a, b))
        else:
            (rules if _RULE.search(work[a:b]) or _MODE.search(work[a:b]) else pending).append((a, b))
    if pending and groups:
        groups[-1][0].extend(pending)
    if not groups:
        if not segs or SELF_REF.match(work[segs[0][0]:segs[0][1]]):
            return []
        a, b = segs[0][0], segs[-1][1]
        lead = re.match(r"\s*(?:对|凡)[^,;。]{1,80}?的[^,;。]{0,20}?,", work[a:b])
        if lead is None:  # "重大文旅项目用地、用能指标予以优先保障": whom it serves, before the verb
            lead = re.match(r"[^,;。]{4,60}?(?=予以|给予|优先|享受|实行|可申请)", work[a:b])
        if lead is None:  # "企业引进的高层次人才，其子女就读…的，由…优先安排": up to the last 的，
            lead = re.match(r"\s*[^;。]{2,120}(?=的\s?,)", work[a:b])
        cp = parse_conditions(lead.group() if lead else "", a, region=region)
        if lead is not None and not cp.leaves:  # named, so never unconditional: kept as words
            words = lead.group().strip()
            cp.leaves.append(Leaf(UNSTRUCTURED, "?", words, a + lead.start() + (
                len(lead.group()) - len(lead.group().lstrip())), a + lead.start() + len(
                lead.group().rstrip()), 0.5, "requirement"))
        leaves = [lf for lf in cp.leaves if lf not in cp.subject_pool] + subject_leaves(cp, None)
        leaves += _requirements(work, [], a, b)
        notes = list(cp.notes)
        if re.search(r"\d\s?[:：比]\s?\d|配套奖励|配套补助", work[a:b]):  # "1:1配套": money, in step
            notes.append("按其他奖励配套（如 1:1）计发，金额未结构化，已记为非资金，请核对")
        return [Draft(segs, leaves + copy_leaves(inherited, cp), {"kind": "in_kind"},
                      {"benefit.kind": ("in_kind", a, b, 0.85)}, notes)]
    drafts: list[Draft] = []
    prev: CondParse | None = None
    prev_span = (s, e)
    for spans, bstart in groups:
        a, end = spans[0][0], spans[-1][1]
        cp = parse_conditions(work[a:bstart], a, region=region,
                              prev_field=prev.last_field if prev else None)
        if prev is not None and not cp.leaves:  # "；再给予5万元": the same conditions again
            cp.leaves = copy_leaves(prev.leaves, cp)
            said = re.sub(r"[^\u4e00-\u9fffA-Za-z]|的|对|企业|同时|并|且|还|再|另行|其中", "",
                          work[a:bstart])
            if len(said) >= 3:  # "，评定为AAA级的，另行奖励": words of its own, not read, kept
                words = re.sub(r"^[\s,;。]+|(?:的)?[\s,;。]*$", "", work[a:bstart])
                w0 = a + work[a:bstart].find(words)
                cp.leaves.append(Leaf(UNSTRUCTURED, "?", words, w0, w0 + len(words), 0.5,
                                      "requirement"))
                cp.notes.append(f"“{work[a:bstart].strip(' ,;。')}”未读成条件，已沿用前一项的条件，"
                                f"请核对{at(a, bstart)}")
        elif prev is not None and not cp.has_subject:  # "；达到5000万元以上的，…": same subject
            cp.leaves += [lf for lf in copy_leaves(prev.leaves, cp) if lf.role != "threshold"]
        elif prev is not None and not re.match(r"\s*(?:对|凡)", work[a:bstart]) and re.match(
                r"\s*(?:再|另行|另外|追加)", work[bstart:end]):  # "；次年…的，再奖励5万元": the
            cp.leaves += [lf for lf in copy_leaves(prev.leaves, cp)  # same firm: what is not restated
                          if lf.role != "threshold" and lf.field != UNSTRUCTURED]
            if re.match(r"\s*(?:同时|并且|且|还|其中)", work[a:bstart]):  # "同时评为…的": both
                # honours; "其中…的，另行奖励": a subset of the firms the first benefit names
                have = {(lf.field, lf.op, repr(lf.value)) for lf in cp.leaves}
                cp.leaves += [Leaf(lf.field, lf.op, lf.value, lf.start, lf.end, lf.conf, lf.role,
                                   None, lf.negate, lf.alt, lf.label) for lf in prev.leaves
                              if (lf.field, lf.op, repr(lf.value)) not in have]
        kind_from = None
        if prev is not None and not re.match(r"\s*(?:对|凡)", work[a:bstart]) and not any(
                lf.field in _KIND for lf in cp.leaves):  # "对服务业企业…；新认定为…的": the same kind
            kinds = [lf for lf in copy_leaves(prev.leaves, cp) if lf.field in _KIND
                     and not lf.negate and lf.role != "exclusion"]
            cp.leaves += kinds
            kind_from = prev_span if kinds else None
        if prev is not None and _ELLIPTIC.match(work[a:end]):  # the sentence's requirements bind
            cp.leaves += [lf for lf in copy_leaves(prev.leaves, cp)  # its elliptical second half
                          if not lf.field.startswith("talents.") and lf.role != "threshold"]
        for x in re.finditer(r"[^,;。]{2,40}?除外", work[bstart:end]):  # "…，国有企业除外"
            xp = parse_conditions(x.group(), bstart + x.start(), region=region)
            cp.leaves += [lf for lf in xp.leaves if lf.role == "exclusion"]
            cp.notes += xp.notes
        list_subjects(work, a, bstart, end, cp)
        own = cp.leaves + copy_leaves(inherited, cp) + _requirements(work, spans, bstart, end)
        names = [str(x.value) for x in cp.subjects if x.field.endswith("qualifications")]
        for bd in parse_benefits(work[bstart:end], bstart, cp):
            subj = cp.subjects[bd.subject] if bd.subject is not None else None
            leaves = [lf for lf in own if lf not in cp.subject_pool] + subject_leaves(cp, subj)
            drafts.append(Draft(spans, sorted(leaves, key=lambda lf: lf.start), bd.data, bd.fields,
                                cp.notes + bd.notes, subj.label if subj else "", cp.residual,
                                ladder=subj is not None and _family(names), kind_from=kind_from))
        prev, prev_span = cp, (kind_from or spans[0])
    drafts = banded(drafts)
    ladder_notes(drafts)
    not_again(work, [(a, b) for a, b in segs if benefit_start(work[a:b]) is None], drafts, region)
    exclusive = len(drafts) >= 2 and any(EXCLUSIVE.search(work[a:b]) for a, b in rules)
    top_up = "差额" in work[s:e]
    for d in drafts:
        d.spans = sorted(set(d.spans + rules[:5]))
        if not d.leaves:  # never unconditional when the sentence names whom or what it is for
            d.leaves = named_words(work, d.spans[0][0], benefit_start(work[d.spans[0][0]:d.spans[0][1]]))
        d.exclusive = exclusive
        d.notes += ["含晋级差额（补差）规定，金额未按差额结构化"] if top_up else []
    return drafts


#: Fields saying what kind of firm a clause is for, carried to a later sentence of the item.
_KIND = ("industry", "industry_section", "is_above_scale", "scale_class")

_SECOND = re.compile(r",\s?(?=(?:同时|另|如|若|对|凡)?[^,;。]{2,40}?的\s?,\s?(?:另行|再|另外|额外|追加|还)"
                     r"\s?(?:给予|奖励|补助|补贴|资助))")


def _second_benefit(work: str, a: int, b: int) -> list[tuple[int, int]]:
    """"给予5万元奖励，同时评为AA级的，另行给予2万元": a second benefit in the same sentence,
    with a condition of its own, is a sentence (a clause) of its own."""
    bs = benefit_start(work[a:b])
    money = [q for q in quantities(work[a:b], a) if q.kind in ("money", "pct")]
    if bs is None or not money:
        return [(a, b)]
    m = _SECOND.search(work, money[0].end, b)
    if m is None or benefit_start(work[m.end():b]) is None:
        return [(a, b)]
    return [(a, m.start()), *_second_benefit(work, m.end(), b)]


def _family(names: list[str]) -> bool:
    """Honours of one family: different levels (国家/省/市/县) or one shared head noun."""
    if len(names) < 2:
        return False
    levels = {m.group() if (m := re.search(r"国家|省|市|县", n)) else "" for n in names}
    common = 0
    while common < min(map(len, names)) and len({n[-1 - common] for n in names}) == 1:
        common += 1
    return len(levels) >= 2 or common >= 4


_REQUIRE = re.compile(r"须|必须|应当|方可|验收|合格|审核|评审|考核|备案|核定")
_VIA = re.compile(r"经[^,;:。]{2,20}?(?:后|的|合格)(?=[,;:。]|给予|予以|按|奖励|补助|$)"
                  # "在按市级政策给予奖励的基础上，再给予1:1配套": the other award is a requirement
                  r"|在[^,;:。]{2,24}?(?:奖励|补助|补贴|资助|支持)的?基础上")


def _requirements(work: str, spans: list[tuple[int, int]], bstart: int, end: int) -> list[Leaf]:
    """Requirements stated around the benefit ("经评审认定后给予…", "项目须通过竣工验收。"):
    kept as unstructured words, so nothing the clause asks for is dropped."""
    out = [Leaf(UNSTRUCTURED, "?", m.group(), m.start(), m.end(), 0.5,  # offsets in work
                "requirement") for m in _VIA.finditer(work, bstart, end)
           if not re.search(r"[一-鿿]{0,4}(?:同意|研究)", m.group())]
    for a, b in spans:
        if b <= bstart:
            continue
        text = work[a:b]
        if _REQUIRE.search(text) and benefit_start(text) is None and not only_limits(text) \
                and not _RULE.search(text) and not _MODE.search(text) and not SELF_REF.match(text):
            words = text.strip().rstrip("。;")
            out.append(Leaf(UNSTRUCTURED, "?", words, a, a + len(words), 0.5, "requirement"))
    return out
