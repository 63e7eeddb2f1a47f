"""Raw policy text (政策原文) → a draft :class:`~policymatch.models.Policy` to be reviewed.

:func:`extract_policy` reads the header (title, 文号, issuer, dates) and the numbered structure
(第X章 / 第X条 / 一、 / （一） / 1. / （1） / ①) with its ``（责任单位：…）`` lines, and turns every
item into clauses: several benefits in one item become several clauses, a 分别 list is zipped
with its subjects, and an item without a quantified benefit is kept as an in-kind clause instead
of being given an invented amount. Document-wide conditions (适用范围, 附则 exclusions) go to
``Policy.conditions``; validity dates, 免申即享 and 就高不重复 are read for the whole document
or per item. Every value carries a confidence and its span in the original text; a clause below
:data:`REVIEW_BELOW`, or that the extractor doubts (an amount no benefit uses, a quantity no
condition reads, an honour it could not name, a 分别 list that does not line up), gets a
``review:`` note saying what and where.

The sentence patterns live in this wing's ``numbers``, ``conditions``, ``measures``, ``drafts``,
``frame`` and ``condtree`` modules.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ..corpus.policies import policy_to_yaml
from ..errors import ExtractionError
from ..models import ApplicationMode, Benefit, Clause, InKindBenefit, Policy
from .conditions import UNSTRUCTURED, Leaf, at, parse_conditions
from .condtree import build_condition
from .drafts import EXCLUSIVE, SELF_REF, Draft, benefit_start, segments, split_item
from .frame import (
    Context,
    FieldConfidence,
    defined_scope,
    is_under,
    listed_exclusion,
    read_header,
    read_statement,
    section_rule,
)
from .layout import DEPT_LINE, DOC_NUMBER, Doc, Node, line_spans, normalise, number_tree

__all__ = ["MAX_DOCUMENT_BYTES", "REVIEW_BELOW", "ClauseExtraction", "ExtractionResult",
           "FieldConfidence", "extract_policy", "read_document"]

#: Largest document accepted, in bytes of UTF-8 (a real policy document is tens of KB).
MAX_DOCUMENT_BYTES = 5_000_000
#: A clause whose reading is less sure than this gets a ``review:`` note in the draft (a
#: measure kept under its own ``extra.*`` name, or an assumed reference rate, lowers the
#: clause's confidence but is named in the warnings instead: it is no doubt about the text).
REVIEW_BELOW = 0.7


class ClauseExtraction(BaseModel):
    """Confidence and provenance of one extracted clause (``span`` is in the original text)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    clause_id: str
    confidence: float
    fields: dict[str, FieldConfidence]
    span: tuple[int, int]
    review: str | None = None


class ExtractionResult(BaseModel):
    """A draft policy plus per-clause and per-field confidence and source spans."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    policy: Policy
    clauses: list[ClauseExtraction]
    fields: dict[str, FieldConfidence]
    warnings: list[str]

    @property
    def flagged(self) -> list[ClauseExtraction]:
        """The clauses that carry a ``review:`` note."""
        return [c for c in self.clauses if c.review]

    def to_yaml(self) -> str:
        """The draft as a policy YAML file (it loads with ``--policies``), with a header comment."""
        head = (f"Machine-extracted draft of {self.policy.source or 'a policy document'}: review "
                f"it before use.\n{len(self.clauses)} clauses; {len(self.flagged)} carry a review: "
                f"note (confidence below {REVIEW_BELOW} or words left unstructured).")
        head += "".join(f"\nwarning: {w}" for w in self.warnings)
        return policy_to_yaml(self.policy, header=head)

    def to_json(self, *, indent: int | None = 2, details: bool = False) -> str:
        """The draft policy as JSON (it loads like the YAML); ``details`` adds confidences."""
        if details:
            return self.model_dump_json(indent=indent)
        return self.policy.model_dump_json(indent=indent, exclude_none=True)


# -- reading ----------------------------------------------------------------------------------
def read_document(path: str | Path) -> str:
    """Return the text of a ``.txt`` (UTF-8 or UTF-16) or ``.docx`` policy document.

    Raises
    ------
    ExtractionError
        For a missing file, one over :data:`MAX_DOCUMENT_BYTES`, binary or non-UTF-8 bytes, a
        damaged ``.docx``, or ``.docx`` support not installed (``pip install 'policymatch[docx]'``).
    """
    from .documents import check_docx, check_file, document_text

    p = Path(path)
    check_file(p)
    if (size := p.stat().st_size) > MAX_DOCUMENT_BYTES:
        raise ExtractionError(f"{p}: {size:,} bytes is over the {MAX_DOCUMENT_BYTES:,}-byte limit "
                              "for one policy document; split it or extract the policy part")
    suffix = p.suffix.lower()
    if suffix in (".doc", ".pdf", ".wps"):
        raise ExtractionError(f"{p}: {suffix} files are not read; save the document as .docx "
                              "or as UTF-8 .txt")
    if suffix == ".docx":
        try:
            import docx
        except ImportError:
            raise ExtractionError(f"{p}: reading .docx needs python-docx: "
                                  "pip install 'policymatch[docx]'") from None
        check_docx(p)
        try:
            doc = docx.Document(str(p))
        except Exception as exc:  # python-docx raises zip, XML and key errors for bad files
            raise ExtractionError(f"{p}: not a readable .docx file ({type(exc).__name__})") from None
        lines = [para.text for para in doc.paragraphs]
        lines += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
        return "\n".join(lines)
    return document_text(p, MAX_DOCUMENT_BYTES)


# -- from drafts to clauses ---------------------------------------------------------------------
@dataclass
class _Item:
    node: Node
    draft: Draft
    dept: tuple[str, int, int, float] | None = None
    mode: tuple[ApplicationMode, int, int, float] | None = None
    group: str | None = None


def _departments(ctx: Context, nodes: list[Node], items: list[_Item]) -> None:
    """An inline （责任单位：…） serves its own item; a line of its own closes every item of the
    section since the previous such line."""
    inline: list[tuple[int, int, str]] = []
    alone: list[tuple[int, int, str]] = []
    for m in DEPT_LINE.finditer(ctx.doc.text):
        value = re.sub(r"^(?:牵头|责任)(?:单位|部门)\s?:", "", (m.group(1) or m.group(2))
                       .split(";")[0].strip()).strip().rstrip("等")
        line = ctx.doc.text[ctx.doc.text.rfind("\n", 0, m.start()) + 1:].split("\n", 1)[0]
        (alone if line.strip() == m.group().strip() else inline).append((m.start(), m.end(), value))
    starts = [s for s, _, _ in inline]
    for it in items:
        i = bisect_left(starts, it.draft.spans[-1][1])
        if i < len(inline) and inline[i][0] < it.node.own_end:
            it.dept = (inline[i][2], inline[i][0], inline[i][1], 0.95)
    order = sorted(items, key=lambda it: it.draft.spans[-1][1])
    node_starts = [n.start for n in nodes]
    k = 0
    for s, e, value in alone:  # one sweep: marks and items are both in text order
        owner = nodes[bisect_right(node_starts, s) - 1] if node_starts and node_starts[0] <= s else None
        while k < len(order) and order[k].draft.spans[-1][1] <= s:
            it = order[k]
            flat = owner is not None and owner.parent is None and not owner.children
            if owner is not None and it.dept is None and (it.node.top is owner.top or flat):
                it.dept = (value, s, e, 0.85)
            k += 1


def _modes_and_groups(ctx: Context, nodes: list[Node], items: list[_Item]) -> None:
    top_rank = min((n.rank for n in nodes if n.rank > 0), default=2)
    said: dict[int, re.Match[str] | None] = {}
    for it in items:
        if it.node.start not in said:
            said[it.node.start] = re.search(r"免申即享|快申快享|依申请",
                                            ctx.work[it.node.body:it.node.own_end])
        if m := said[it.node.start]:
            mode = {"免申即享": ApplicationMode.AUTO, "快申快享": ApplicationMode.FAST}.get(
                m.group(), ApplicationMode.APPLY)
            it.mode = (mode, it.node.body + m.start(), it.node.body + m.end(), 0.95)
        chain: list[Node] = []
        up: Node | None = it.node
        while up is not None:
            chain.append(up)
            up = up.parent
        sec = next((x.number for x in chain if x.rank == top_rank), None)
        sub = next((x.number for x in reversed(chain) if x.rank > top_rank), None)
        if it.mode is None and any(sec == a and b in (None, sub) for a, b in ctx.mode_refs):
            it.mode = (ApplicationMode.AUTO, it.node.start, it.node.start, 0.85)
        if it.mode is None and ctx.default_mode is not None:
            it.mode = (ctx.default_mode, it.node.start, it.node.start, 0.8)
        if section := next((x for x in chain if x.start in ctx.sections), None):
            it.group = f"section{section.start}"
        elif it.draft.exclusive:
            it.group = f"item{it.node.start}"
        elif ctx.exclusive and it.draft.ladder:
            it.group = f"list{it.draft.spans[0][0]}"
    names = {g: str(i) for i, g in enumerate(dict.fromkeys(it.group for it in items if it.group), 1)}
    for it in items:
        it.group = names.get(it.group or "")


_BENEFIT: TypeAdapter[Benefit] = TypeAdapter(Benefit)
#: Notes that record a convention, not a doubt: they go to the document's warnings.
_ASSUMED = re.compile(r"含晋级差额|基准利率未写明|补助基数未对应到画像字段|指标“[^”]*”未对应到画像字段"
                      r"|“[^”]*”记为 not extra\.")


def _clause(ctx: Context, cid: str, pid: str, it: _Item, nth: str) -> tuple[Clause, ClauseExtraction]:
    d, doc = it.draft, ctx.doc
    notes = list(d.notes)
    fields: dict[str, FieldConfidence] = {}

    def put(key: str, value: Any, s: int, e: int, conf: float) -> None:
        k = next(k for i in range(1, len(fields) + 2) if (k := key if i == 1 else f"{key}#{i}")
                 not in fields)
        fields[k] = FieldConfidence(value=value, confidence=conf, span=doc.span(s, e),
                                    source_text=doc.orig(s, e)[:200])

    for lf in d.leaves:
        put(f"condition.{lf.field}", {"op": lf.op, "value": lf.value}, lf.start, lf.end, lf.conf)
        if lf.note and lf.note.startswith("资质名称"):  # read as written: a document-level hint
            ctx.warnings.append(lf.note)
        elif lf.note:
            notes.append(lf.note if _MARK.search(lf.note) else lf.note + at(lf.start, lf.end))
    for key, (value, s, e, conf) in d.bfields.items():
        put(key, value, s, e, conf)
    text = "".join(doc.orig(a, b).strip() for a, b in d.spans)
    data = d.benefit if d.benefit["kind"] != "in_kind" else {
        "kind": "in_kind", "description": re.sub(r"\s+", "", text)[:200]}
    if data["kind"] != "in_kind" and _to_person(ctx.work[it.node.body:it.node.own_end],
                                                 "".join(ctx.work[a:b] for a, b in d.spans)):
        data = {**data, "recipient": "个人"}
    try:
        benefit = _BENEFIT.validate_python(data)
    except ValidationError as exc:
        notes.append(f"奖补结构未通过校验（{exc.errors()[0]['msg']}），改记为非货币事项")
        benefit = InKindBenefit(description=re.sub(r"\s+", "", text)[:200])
        put("benefit.kind", "in_kind", d.spans[0][0], d.spans[-1][1], 0.3)
    notes += _doubts(d.leaves)
    cond = build_condition(d.leaves, notes, doc)
    extra: dict[str, Any] = {}
    for key, val in (("department", it.dept), ("mode", it.mode)):
        if val is not None:
            extra[key] = val[0]
            put(key, getattr(val[0], "value", val[0]), val[1], val[2], val[3])
    if it.group:
        extra["exclusive_group"] = f"{pid[:70]}-x{it.group}"
    if len(text) > 5000:
        text, notes = text[:4999] + "…", [*notes, "原文超过5000字，已截断"]
    up = it.node.parent
    while up is not None and not up.heading:
        up = up.parent
    title = it.node.heading or (up.heading if up else "") or re.sub(r"\s", "", text)[:24]
    title = f"{title}（{d.label or nth}）" if d.label or nth else title
    # A stated default (LPR) or a measure kept under its own extra.* name is not a doubt about
    # what the text says: the document's warnings name it; review notes are for doubts only.
    ctx.warnings += [f"{cid}: {n}" for n in notes if _ASSUMED.match(n)]
    notes = [n for n in notes if not _ASSUMED.match(n)]
    read = {k: f for k, f in fields.items() if not k.startswith(f"condition.{UNSTRUCTURED}")}
    sure = {k: f for k, f in read.items() if not k.startswith("condition.extra.")
            and k.split("#")[0] != "benefit.base_rate"
            and not (k.split("#")[0] == "benefit.field" and str(f.value).startswith("extra."))}
    conf = min((f.confidence for f in read.values()), default=0.9)
    low = min(sure.items(), key=lambda kv: kv[1].confidence, default=None)
    if not notes and low and low[1].confidence < REVIEW_BELOW:  # say what and where
        notes.append(f"“{low[1].source_text[:30]}”读作 {low[0].split('#')[0]}，把握不大"
                     f"（原文位置 {low[1].span[0]}–{low[1].span[1]}）")
    conf = min(conf, 0.65) if notes else conf
    notes = [_placed(doc, n, d) for n in notes]
    review = _bounded_review(list(dict.fromkeys(notes))) if notes else None
    clause = Clause(id=cid, title=title[:200], text=text or "（无原文）", conditions=cond,
                    benefit=benefit, category="权益" if benefit.kind == "in_kind" else "奖补",
                    source=it.node.path() or None, review=review, **extra)
    return clause, ClauseExtraction(clause_id=cid, confidence=round(conf, 3), fields=fields,
                                    span=doc.span(d.spans[0][0], d.spans[-1][1]), review=review)


#: Words kept unstructured that hold a count or a threshold no leaf read ("年节能量达到500吨
#: 标准煤以上", "门店3家以上"); a term of a contract or a period (签订3年以上, 满6个月) is not one.
_UNREAD_THRESHOLD = re.compile(r"\d+(?:\.\d+)?\s?(?!年|个月|月|日|天|周岁|岁|\d)[\u4e00-\u9fff]{0,4}?"
                               r"(?:以上|以下|及以上|\(含\)以上|以内|不低于|不少于)")
#: Words kept unstructured that name a qualification being obtained ("当年新通过…认证",
#: "通过AAA级评定"): a name the qualification vocabulary does not hold.
_UNREAD_TITLE = re.compile(r"(?:通过|获得|取得|获评|评为|评定为|认定为|入选)[^,;。]{0,16}?"
                           r"(?:认证|称号|[A-Z]{2,3}级)")


def _doubts(leaves: list[Leaf]) -> list[str]:
    """The extractor's own doubts about the leaves of one clause, each saying what and where."""
    out = []
    for lf in leaves:
        if lf.field != UNSTRUCTURED or lf.role == "exclusion":
            continue
        words = str(lf.value)
        if m := _UNREAD_THRESHOLD.search(words):
            out.append(f"条件“{words[:40]}”含数量门槛“{m.group()}”，未读成结构化条件，请核对门槛与计量"
                       f"字段{at(lf.start, lf.end)}")
        elif m := _UNREAD_TITLE.search(words):
            out.append(f"条件“{words[:40]}”像是取得某项资质（“{m.group()}”），名称未能识别，"
                       f"已保留原文，请核对是否为 new_qualifications/qualifications{at(lf.start, lf.end)}")
    single: dict[str, set[str]] = {}
    for lf in leaves:  # two "==" tests of one field, both required: no firm can meet them
        if lf.op == "==" and lf.alt is None and not lf.negate and lf.field != UNSTRUCTURED:
            single.setdefault(lf.field, set()).add(repr(lf.value))
    for fld, values in single.items():
        if len(values) > 1:
            out.append(f"{fld} 同时要求 {'、'.join(sorted(values))}，不可能同时满足，"
                       f"可能是“或”的关系，请核对")
    return out


#: The item says the money goes to the person ("直接发放给人才本人", "由人才本人享受").
_PAID_TO_PERSON = re.compile(r"(?:发放|发|拨付|兑现|支付)(?:给|至|到)[^,;。]{0,8}?(?:本人|个人)(?:账户)?"
                             r"|由[^,;。]{0,8}?(?:本人|个人)(?:享受|领取|申领)|归[^,;。]{0,6}?个人所有")
#: A clause for a person's own purchase ("对新引进的博士研究生在本县首次购买商品住房的").
_PERSONAL = re.compile(r"^[\s,]*对[^,;。]{0,20}?(?:人才|博士|硕士|毕业生|研究生|技师|专家)[^,;。企]{0,12}?"
                       r"(?:购买|购置)[^,;。]{0,6}?(?:住房|商品房|房屋)")


def _to_person(item: str, own: str) -> bool:
    """Money the text pays to a person, not to the firm (recipient 个人)."""
    return bool(_PAID_TO_PERSON.search(item) or _PERSONAL.search(own))


def _placed(doc: Doc, note: str, d: Draft) -> str:
    """A note says where: its own span marker, else the clause's benefit words, as a place in
    the original document."""
    if "原文位置" in note:
        return note
    if (m := _MARK.search(note)) is None:
        spans = [(s, e) for (_, s, e, _) in d.bfields.values()] or d.spans
        s, e = min(s for s, _ in spans), max(e for _, e in spans)
    else:
        s, e, note = int(m.group(1)), int(m.group(2)), _MARK.sub("", note)
    a, b = doc.span(s, e)
    return f"{note}（原文位置 {a}–{b}）"


_MARK = re.compile(r"⟦(\d+):(\d+)⟧")


def _where(ctx: Context) -> Leaf:
    """A county's document is for firms of that county even when it states no scope; when the
    place cannot be read, the region is an unstructured condition (unknown), never absent."""
    if ctx.region:
        at = max(0, ctx.work.find(ctx.region))
        return Leaf("region", "==", ctx.region, at, at + len(ctx.region), 0.75)
    return Leaf(UNSTRUCTURED, "?", "适用地区（县、市、区）未能从文件中识别", 0, 0, 0.3, "requirement")


# -- entry point --------------------------------------------------------------------------------
def extract_policy(text: str, *, policy_id: str | None = None,
                   source: str | None = None) -> ExtractionResult:
    """Turn the raw text of one policy document into a draft :class:`Policy`.

    Parameters
    ----------
    text : str
        The document (traditional characters and full-width digits are fine).
    policy_id : str, optional
        Id of the policy; clause ids are ``<policy_id>-<n>``. Default: ``draft-`` plus a hash
        of the title and 文号.
    source : str, optional
        Where the text came from (file name or URL), stored as ``Policy.source``.

    Returns
    -------
    ExtractionResult
        ``.policy`` validates as a policy file; ``.clauses`` holds per-clause and per-field
        confidence and original-text spans; ``.to_yaml()`` writes the reviewable draft.

    Raises
    ------
    ExtractionError
        For text that is empty, binary, over :data:`MAX_DOCUMENT_BYTES`, holds no clause, or
        a ``policy_id`` that is not a valid id.

    Examples
    --------
    >>> r = extract_policy("某县工业政策\\n（一）对新认定的国家高新技术企业，给予20万元奖励。"
    ...                    "（责任单位：县科技局）", policy_id="demo")
    >>> c = r.policy.clauses[0]
    >>> c.id, c.benefit.amount, c.department
    ('demo-1', 200000.0, '县科技局')
    >>> c.conditions.field, c.conditions.op, c.conditions.value
    ('new_qualifications', 'has', '国家高新技术企业')
    """
    if not isinstance(text, str):
        raise ExtractionError(f"expected text (str), got {type(text).__name__}; use "
                              "read_document(path) for files")
    if len(text) > MAX_DOCUMENT_BYTES or len(text.encode("utf-8", "replace")) > MAX_DOCUMENT_BYTES:
        raise ExtractionError(f"the text is over the {MAX_DOCUMENT_BYTES:,}-byte limit for one "
                              "policy document; split it or extract the policy part")
    if not text.strip():
        raise ExtractionError("the document is empty: there is no text to extract clauses from")
    if "\x00" in text:
        raise ExtractionError("the text contains NUL characters: it looks like a binary file")
    if policy_id is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,59}", policy_id):
        raise ExtractionError(f"policy_id {policy_id!r}: use 1-60 letters, digits, '_', '.' or "
                              "'-', starting with a letter or digit")
    doc = normalise(text)
    work = DEPT_LINE.sub(lambda m: " " * len(m.group()), doc.text)
    ctx = Context(doc, work)
    lines = line_spans(work)
    nodes = number_tree(doc, work, lines)
    if not nodes:  # no numbering: each paragraph that grants something is an item
        nodes = [Node(4, i, "", s, s, e, e) for i, (s, e) in enumerate(
            (s, e) for s, e in lines if benefit_start(work[s:e]) is not None)]
    body = nodes[0].start if nodes else len(work)
    info = read_header(ctx, body)
    if nodes:  # a clause before the first numbered item ("对…的，给予…") is kept, not dropped
        lead = [Node(4, 0, "", s, s, e, e) for s, e in lines if s < body and re.match(
            r"\s*(?:对|凡)", work[s:e]) and benefit_start(work[s:e]) is not None]
        nodes = lead + nodes
    after_title = ctx.fields["title"].span[1] if "title" in ctx.fields else 0
    for a, b in (seg for ls, le in line_spans(work[:body]) for seg in segments(work, ls, le)):
        if doc.span(a, b)[0] >= after_title and not DOC_NUMBER.search(work[a:b]):
            read_statement(ctx, a, b)  # line by line: a sentence never spans the header lines
    lister: Node | None = None
    for node in nodes:
        if node.meta or (not node.children and SELF_REF.match(work[node.body:node.own_end])):
            listed = lister is not None and is_under(node, lister)
            lister = lister if listed else None
            ctx.listing = False
            for a, b in segments(work, node.body, node.own_end):
                (listed_exclusion if listed or ctx.listing else read_statement)(ctx, a, b)
            if ctx.listing:  # "有下列情形之一的，不享受本政策：" then （一）… （二）…
                lister = node
    items: list[_Item] = []
    inherited: dict[int, list[Leaf]] = {}
    for node in nodes:
        base = inherited.get(node.parent.start, []) if node.parent else []
        own = work[node.body:node.own_end]
        if node.meta:
            continue
        if node.children and (not own.strip() or benefit_start(own) is None):
            if EXCLUSIVE.search(own):  # "二、…。本部分各项按就高原则执行": the whole section
                ctx.sections.add(node.start)
            cp = parse_conditions(own, node.body, region=ctx.region,
                                  keep_words=bool(re.search(r"(?:^|[,;:。])\s*(?:对|凡)", own))
                                  ) if own.strip() else None
            inherited[node.start] = base + (cp.leaves if cp else [])
            continue
        if section_rule(ctx, node):
            continue
        items += [_Item(node, d) for d in split_item(work, node.body, node.own_end,
                                                       region=ctx.region, inherited=base)]
    for it in items:  # 附则 definitions ("本政策所称工业企业，是指…") bind the clauses using the term
        _bind_defined(ctx, it.draft)
    if not items:
        raise ExtractionError("no clause found: the text has no numbered item (一、/（一）/1.) "
                              "and no sentence granting an amount (给予…万元); is it a policy?")
    _departments(ctx, nodes, items)
    _modes_and_groups(ctx, nodes, items)
    title = info.get("title") or (Path(source).stem if source else "") or "未命名政策草稿"
    year = "" if info.get("doc_number") else "".join(  # two years of one title differ
        str(ctx.fields[k].value) for k in ("issued", "valid_from") if k in ctx.fields)
    pid = policy_id or "draft-" + hashlib.sha256(
        (title + info.get("doc_number", "") + year).encode("utf-8")).hexdigest()[:10]
    per_node = Counter(it.node.start for it in items if not it.draft.label)
    seen: Counter[int] = Counter()
    nth = []
    for it in items:  # several unlabelled clauses from one item: number them in the title
        seen[it.node.start] += 0 if it.draft.label else 1
        nth.append(str(seen[it.node.start]) if per_node[it.node.start] > 1 and not it.draft.label
                   else "")
    built = [_clause(ctx, f"{pid}-{n}", pid, it, k) for n, (it, k) in enumerate(zip(items, nth, strict=True), 1)]
    notes: list[str] = []
    defined_scope(ctx)
    if not any(lf.field == "region" and lf.op == "==" and not lf.negate for lf in ctx.doc_leaves):
        ctx.doc_leaves.insert(0, _where(ctx))
    pcond = build_condition(ctx.doc_leaves, notes, doc)
    for lf in ctx.doc_leaves:
        ctx.note(f"conditions.{lf.field}", {"op": lf.op, "value": lf.value}, lf.start, lf.end,
                 lf.conf)
    dates = {k: date.fromisoformat(ctx.fields[k].value) for k in ("valid_from", "valid_to")
             if k in ctx.fields}
    if len(dates) == 2 and dates["valid_to"] < dates["valid_from"]:
        notes.append("有效期止日早于起始日，日期未写入")
        dates = {}
    policy = Policy(id=pid, title=title[:300], doc_number=info.get("doc_number"),
                    issuer=info.get("issuer"), region=info.get("region"), source=source,
                    conditions=pcond, clauses=tuple(c for c, _ in built), **dates)
    return ExtractionResult(policy=policy, clauses=[x for _, x in built], fields=dict(ctx.fields),
                            warnings=list(dict.fromkeys(_MARK.sub("", w) for w in ctx.warnings + notes)))


def _bounded_review(notes: list[str], limit: int = 4_000) -> str:
    """The review note of a clause, each doubt cut to 300 characters and the whole kept under
    ``limit`` (a policy file's text is bounded); doubts left out are counted, never dropped."""
    parts: list[str] = []
    size = 0
    for i, note in enumerate(notes):
        note = note if len(note) <= 300 else note[:299] + "…"
        if size + len(note) > limit:
            parts.append(f"另有 {len(notes) - i} 处存疑，请通读原文")
            break
        parts.append(note)
        size += len(note) + 1
    return "请核对：" + "；".join(parts)


def _bind_defined(ctx: Context, draft: Draft) -> None:
    """The 附则's definitions of the terms a clause uses bind it; where a definition gives the
    term's sections, they replace what the lexicon made of the term (an 或 it stood in is kept)."""
    work = ctx.work
    said = [*draft.spans[:1], *filter(None, [draft.kind_from])]  # "；新认定为…的": the sentence
    for term, leaves in ctx.defined.items():  # before named the kind of firm
        hits = [(a + m.start(), a + m.end()) for a, b in said
                for m in re.finditer(re.escape(term), work[a:b])]
        sec = next((lf for lf in leaves if lf.field == "industry_section"), None)
        stem = term[:-2] if sec is not None and term.endswith("企业") and len(term) >= 4 else ""
        hits += [(a + m.start(), a + m.end()) for a, b in said if stem  # "纳入规模以上服务业统计":
                 for m in re.finditer(re.escape(stem), work[a:b]) if any(  # the term's kind, read
                     lf.field == "industry" and a + m.start() <= lf.start and lf.end <= a + m.end()
                     for lf in draft.leaves)]  # by the lexicon as one
        if not hits:
            continue
        gone = [lf for lf in draft.leaves if sec is not None and lf.field in ("industry", "industry_section")
                and any(a <= lf.start and lf.end <= b for a, b in hits) and repr(lf.value) != repr(sec.value)]
        draft.leaves = [lf for lf in draft.leaves if all(lf is not g for g in gone)]
        alt = next((g.alt for g in gone if g.alt is not None), None)
        have = {(lf.field, lf.op, repr(lf.value)) for lf in draft.leaves}
        draft.leaves += [replace(lf, alt=alt) if lf is sec and alt is not None else lf for lf in leaves
                         if (lf.field, lf.op, repr(lf.value)) not in have]
