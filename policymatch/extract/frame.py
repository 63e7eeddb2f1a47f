"""The document frame: header facts (title, 文号, issuer, date, region) and the statements of
the preamble, 适用范围 and 附则 (scope, exclusions, duties, definitions, dates, mode, 就高),
and 就高 stated for one section.

Private, used by :mod:`policymatch.extract.policy`; offsets are in the working text of ``Doc``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from ..models import ApplicationMode
from .conditions import UNSTRUCTURED, Leaf, parse_conditions
from .drafts import EXCLUSIVE, benefit_start, segments
from .layout import DOC_NUMBER, TITLE_END, Doc, Node, line_spans
from .numbers import DATE, cn_int, to_date, validity


class FieldConfidence(BaseModel):
    """One extracted value, how sure the extractor is, and where it stands in the original."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: Any
    confidence: float
    span: tuple[int, int]
    source_text: str


# -- the document's own facts -------------------------------------------------------------------
@dataclass
class Context:
    doc: Doc
    work: str
    fields: dict[str, FieldConfidence] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    region: str | None = None
    issued: date | None = None
    doc_leaves: list[Leaf] = field(default_factory=list)
    default_mode: ApplicationMode | None = None
    mode_refs: list[tuple[int, int | None]] = field(default_factory=list)
    exclusive: bool = False
    defined: dict[str, list[Leaf]] = field(default_factory=dict)  # 本政策所称X，是指…
    scopes: list[tuple[int, int]] = field(default_factory=list)  # sentences saying 适用于…
    sections: set[int] = field(default_factory=set)  # nodes whose clauses are one 就高 group
    listing: bool = False  # "有下列情形之一的，不享受…": the next listed items are exclusions

    def note(self, key: str, value: Any, s: int, e: int, conf: float) -> FieldConfidence:
        self.fields[key] = FieldConfidence(value=value, confidence=conf, span=self.doc.span(s, e),
                                           source_text=self.doc.orig(s, e)[:200])
        return self.fields[key]


def read_header(ctx: Context, end: int) -> dict[str, Any]:
    """Title, 文号, issuer, date of issue and region from the lines before the first item."""
    work, out = ctx.work, {}
    spans = line_spans(work[:end])
    for i, (s, e) in enumerate(spans):
        m = re.fullmatch(DATE, work[s:e])
        if m and m.group(3) and (d := to_date(m)):
            ctx.issued = d
            ctx.note("issued", d.isoformat(), s, e, 0.9)
            if i and len(prev := work[slice(*spans[i - 1])]) <= 60 and not re.search(r"[。,:]", prev):
                out["issuer"] = re.sub(r"\s+", "、", prev.strip())
                ctx.note("issuer", out["issuer"], *spans[i - 1], 0.85)
            break
    if m := DOC_NUMBER.search(work[:end]) or DOC_NUMBER.search(work[:3000]):
        out["doc_number"] = re.sub(r"\s", "", m.group())
        ctx.note("doc_number", out["doc_number"], *m.span(), 0.95)
    m = re.search(r"印发《([^》\n]{4,120})》", work[:end]) or re.search(
        r"印发([^\n《》]{4,120}?)的通知", work[:end])
    title, (a, b), conf = (m.group(1), m.span(1), 0.9) if m else ("", (0, 0), 0.0)
    for s, e in spans if not title else ():
        line = work[s:e]
        if len(line) <= 120 and TITLE_END.search(line) and not re.search(r"[。,:]", line) \
                and not DOC_NUMBER.search(line):
            title, (a, b), conf = line, (s, e), 0.8
            break
    if not title and spans:
        (a, b), conf = spans[0], 0.4
        title = work[a:b][:120]
    if title:
        out["title"] = title.strip()
        ctx.note("title", out["title"], a, b, conf)
        if "issuer" not in out and (m := re.match(r"(.{2,40}?)关于", work[a:b])):
            out["issuer"] = m.group(1)
            ctx.note("issuer", out["issuer"], a, a + m.end(1), 0.7)
    if region := _region(out.get("issuer", ""), title):
        ctx.region = out["region"] = region
    return out


def _region(issuer: str, title: str) -> str | None:
    """The county-level place a document is for: the issuer's most specific unit (越川区 of
    "临江市越川区人民政府"), else the title's; never a year or province fragment ("年嵊州市")."""
    for k, text in enumerate((issuer, title)):
        text = re.sub(r"^.*?(?:\d{4}\s?年(?:度)?|[\u4e00-\u9fff]{2,3}省)", "", text)
        text = re.sub(r"(?:人民政府|人民代表大会|政府|委员会|办公室|关于|印发|加快|促进|推动|支持"
                      r"|贯彻|落实).*$", "", text)
        places = [m.group() for m in re.finditer(r"[\u4e00-\u9fff]{2,6}?[县市区]", text)]
        places = [p for p in places if not re.search(r"[年省的和关于]", p)]
        if places and k == 0:  # 临江市越川区人民政府: the district
            return next((p for p in reversed(places) if p[-1] in "县区"), places[-1])
        if places:  # a title names its own place first ("越川区贯彻落实临江市…")
            return places[0]
    return None


#: The statistical criterion of 规上工业 (主营业务收入 2000万元 and above), which ``is_above_scale``
#: already says; any other threshold or requirement in a definition is a condition of its own.
_SCALE_CRITERION = re.compile(r"(?:年)?主营业务收入\s?2000\s?万元(?:及|\(含\))?以上"
                              r"|纳入规模以上(?:工业)?统计(?:范围)?")


def _restates_scale(leaf: Leaf) -> bool:
    """Unstructured words of a 规上 definition that say nothing but the 规上 criterion."""
    if leaf.field != UNSTRUCTURED:
        return False
    rest = re.sub(r"[^\u4e00-\u9fff]|[、且及并和的]", "", _SCALE_CRITERION.sub("", str(leaf.value)))
    return len(rest) < 2


def read_statement(ctx: Context, s: int, e: int) -> None:
    """A sentence of the preamble, 适用范围 or 附则: scope, exclusions, dates, mode, 就高."""
    text = ctx.work[s:e]
    if m := re.search(r"(?:^|本(?:政策|细则|办法|意见|措施|规定)(?:中)?)\s*所称(?:的)?([\u4e00-\u9fff]{2,12}?)"
                      r"[,:]?\s?(?:是指|指)([^;。]{2,200})", text):
        cp = parse_conditions(m.group(2), s + m.start(2), region=ctx.region, scope_only=True,
                              keep_words=True)
        sections = [lf for lf in cp.leaves if lf.field == "industry_section" and not lf.negate]
        if len(sections) > 1:  # "属于采矿业，制造业，电力、热力…的企业": any of the sections
            codes = sorted({c for lf in sections for c in (
                lf.value if isinstance(lf.value, list) else [lf.value])})
            cp.leaves = [lf for lf in cp.leaves if lf not in sections] + [Leaf(
                "industry_section", "in", codes, sections[0].start, sections[-1].end, 0.8)]
        term = parse_conditions(m.group(1), s + m.start(1), region=ctx.region, scope_only=True,
                                keep_words=False).leaves
        if term and all(any((t.field, t.op, repr(t.value)) == (lf.field, lf.op, repr(lf.value))
                            for lf in cp.leaves) for t in term):  # 规上工业企业 restated: words
            cp.leaves = [lf for lf in cp.leaves if not _restates_scale(lf)]  # saying only 规上 go
        if cp.leaves:  # the definition binds every clause that uses the term
            ctx.defined[m.group(1)] = cp.leaves
        return
    scope = re.search(r"适用于|适用对象|适用范围", text)
    excl = None if scope else _EXCLUSION.search(text)
    if excl and _LIST_OF.search(text[:excl.start()]) and (c := text.find(":", excl.end())) != -1:
        ctx.listing = True  # "有下列情形之一的，不得享受本政策：A的；B的；C的。": each one excluded
        if re.search(r"[\u4e00-\u9fff]{2}", text[c + 1:]):
            listed_exclusion(ctx, s + c + 1, e)
        return
    if scope:
        ctx.scopes.append((s, e))
    if scope or excl:
        cp = parse_conditions(text, s, region=ctx.region, scope_only=True, keep_words=bool(scope))
        kept = False
        for lf in cp.leaves:
            new = all((o.field, o.op, o.value) != (lf.field, lf.op, lf.value) for o in ctx.doc_leaves)
            if new and not lf.negate and (scope or lf.role == "exclusion"):
                ctx.doc_leaves.append(lf)
            kept |= lf.role == "exclusion"
        ctx.warnings.extend(cp.notes)
        if excl and not kept and not _SANCTION.search(text):
            _excluded_words(ctx, s, s + excl.start())
    if m := _DUTY.search(text):  # "享受本政策的企业，须承诺三年内不迁离本县": every clause's
        words = m.group(1).strip()  # requirement, kept as words
        if not _SANCTION.search(words) and all(lf.value != words for lf in ctx.doc_leaves):
            a = s + m.start(1)
            ctx.doc_leaves.append(Leaf(UNSTRUCTURED, "?", words, a, a + len(words), 0.5,
                                       "requirement"))
    ctx.exclusive |= bool(re.search(r"就高|从高|不重复", text))
    if "免申即享" in text:
        refs = [(cn_int(m.group(1)), cn_int(m.group(2)) if m.group(2) else None) for m in
                re.finditer(r"第([一二三四五六七八九十百]{1,4})条(?:第\(?([一二三四五六七八九十\d]{1,3})\)?项)?",
                            text)]
        ctx.mode_refs.extend(refs)
        if not refs and not re.search(r"除|其余|以外", text):
            ctx.default_mode = ApplicationMode.AUTO
    for key, (d, a, b) in validity(text, ctx.issued).items():
        if d is None:
            ctx.warnings.append("“自印发之日起施行”但未找到印发日期，valid_from 未填写")
        elif key not in ctx.fields:
            ctx.note(key, d.isoformat(), s + a, s + b, 0.9)


#: A sentence that takes firms out of the policy ("…的，不享受本政策", "…不适用本细则").
_EXCLUSION = re.compile(r"不得享受|不享受|不予(?:享受|支持|扶持|奖励|补助)|不适用|的除外|除外$")
#: A sanction for what was done after an award (骗取 … 追回), not a condition of eligibility.
_SANCTION = re.compile(r"骗取|追回|一经查实|弄虚作假")
_DUTY = re.compile(r"(?:享受|申报|申请)本(?:政策|办法|细则|意见|措施|规定)[^,;。]{0,12}?,?\s?"
                   r"(?:须|必须|应当|应)([^,;。]{2,80})")
_LIST_OF = re.compile(r"(?:下列|以下|如下)(?:情形|情况|行为)")


def _excluded_words(ctx: Context, s: int, e: int) -> None:
    """An exclusion no field expresses becomes ``not`` of its words (unknown), never dropped;
    "有下列情形之一的" waits for the listed items, each excluded on its own."""
    words = re.sub(r"^[\s,;:。]+|(?:的|者)(?:企业|单位|主体)?[\s,;:。]*$|[\s,;:。]+$", "",
                   ctx.work[s:e])
    if _LIST_OF.search(words):
        ctx.listing = True
        return
    if len(re.findall(r"[\u4e00-\u9fff]", words)) < 2:
        return
    if ctx.region and re.search(r"(?:其他|其它|以外|之外|外地)[^,;。]{0,10}[县市区]", words):
        return  # "临江市其他区、县（市）的企业不适用": what the region condition already says
    a = s + ctx.work[s:e].find(words)
    if all(not (lf.field == UNSTRUCTURED and lf.value == words) for lf in ctx.doc_leaves):
        ctx.doc_leaves.append(Leaf(UNSTRUCTURED, "?", words, a, a + len(words), 0.5, "exclusion",
                                   negate=True))


def listed_exclusion(ctx: Context, s: int, e: int) -> None:
    """One listed item under "有下列情形之一的，不享受本政策": a fact (失信 …) or its words."""
    cp = parse_conditions(ctx.work[s:e], s, region=ctx.region, scope_only=True, keep_words=False)
    facts = [lf for lf in cp.leaves if lf.role == "exclusion" and not lf.negate]
    for lf in facts:
        if all((o.field, o.op, o.value) != (lf.field, lf.op, lf.value) for o in ctx.doc_leaves):
            ctx.doc_leaves.append(lf)
    if not facts:
        _excluded_words(ctx, s, e)


def section_rule(ctx: Context, node: Node) -> bool:
    """就高 / 不重复 stated for a section, not one item: an item that says nothing else ("（五）
    上述各项按就高原则执行"), or a line of its own after the section's last item. The section's
    clauses become one exclusivity group. True when the item is only that rule."""
    if node.parent is None:
        return False
    segs = segments(ctx.work, node.body, node.own_end)
    rule = [(a, b) for a, b in segs if EXCLUSIVE.search(ctx.work[a:b])
            and benefit_start(ctx.work[a:b]) is None]
    if rule and len(rule) == len(segs):
        ctx.sections.add(node.parent.start)
        return True
    last = node is node.parent.children[-1]
    first_line_end = ctx.work.find("\n", node.body)
    if last and any(first_line_end != -1 and a > first_line_end and
                    ctx.work[:a].rstrip(" \t\u3000").endswith("\n") for a, _ in rule):
        ctx.sections.add(node.parent.start)
    return False


def is_under(node: Node, top: Node) -> bool:
    up = node.parent
    while up is not None and up is not top:
        up = up.parent
    return up is top


def defined_scope(ctx: Context) -> None:
    """"适用于…注册登记的工业企业和服务业企业", both kinds defined by sections in the 附则: the
    document is for any of the defined kinds, each as its definition reads, in place of what
    the lexicon made of the words."""
    for s, e in ctx.scopes:
        text = ctx.work[s:e]
        hits = [(s + m.start(), s + m.end(), term) for term, leaves in ctx.defined.items()
                if any(lf.field == "industry_section" for lf in leaves)
                for m in re.finditer(re.escape(term), text)]
        hits = [h for h in hits if not any(o != h and o[0] <= h[0] and h[1] <= o[1] for o in hits)]
        if not hits:
            continue
        ctx.doc_leaves = [lf for lf in ctx.doc_leaves if not (
            lf.field in ("industry", "industry_section")
            and any(a <= lf.start and lf.end <= b for a, b, _ in hits))]
        kinds = [next(lf for lf in ctx.defined[t] if lf.field == "industry_section")
                 for t in dict.fromkeys(t for _, _, t in sorted(hits))]
        alt = 990 if len(kinds) > 1 else None  # "工业企业和服务业企业": either kind
        ctx.doc_leaves += [Leaf(k.field, k.op, k.value, k.start, k.end, k.conf, alt=alt)
                           for k in kinds]
