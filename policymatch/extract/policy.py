"""Raw policy text (政策原文) → a draft :class:`~policymatch.models.Policy` to be reviewed.

:func:`extract_policy` reads the header (title, 文号, issuer, dates) and the numbered structure
(第X章 / 第X条 / 一、 / （一） / 1. / （1） / ①) with its ``（责任单位：…）`` lines, and turns every
item into clauses: several benefits in one item become several clauses, a 分别 list is zipped
with its subjects, and an item without a quantified benefit is kept as an in-kind clause instead
of being given an invented amount. Document-wide conditions (适用范围, 附则 exclusions) go to
``Policy.conditions``; validity dates, 免申即享 and 就高不重复 are read for the whole document
or per item. Every value carries a confidence and its span in the original text; a clause below
:data:`REVIEW_BELOW`, or with words left unstructured, gets a ``review:`` note.

The sentence patterns live in the private ``_numbers``, ``_conditions`` and ``_drafts`` modules.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from ..corpus.policies import policy_to_yaml
from ..errors import ExtractionError
from ..models import ApplicationMode, Benefit, Clause, InKindBenefit, Policy
from .conditions import UNSTRUCTURED, Leaf, build_condition, parse_conditions
from .drafts import SELF_REF, Draft, benefit_start, segments, split_item
from .layout import DEPT_LINE, DOC_NUMBER, TITLE_END, Doc, Node, line_spans, normalise, number_tree
from .numbers import DATE, cn_int, to_date, validity

__all__ = ["MAX_DOCUMENT_BYTES", "REVIEW_BELOW", "ClauseExtraction", "ExtractionResult",
           "FieldConfidence", "extract_policy", "read_document"]

#: Largest document accepted, in bytes of UTF-8 (a real policy document is tens of KB).
MAX_DOCUMENT_BYTES = 5_000_000
#: A clause whose confidence is below this gets a ``review:`` note in the draft.
REVIEW_BELOW = 0.7


class FieldConfidence(BaseModel):
    """One extracted value, how sure the extractor is, and where it stands in the original."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: Any
    confidence: float
    span: tuple[int, int]
    source_text: str


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


# -- the document's own facts -------------------------------------------------------------------
@dataclass
class _Ctx:
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

    def note(self, key: str, value: Any, s: int, e: int, conf: float) -> FieldConfidence:
        self.fields[key] = FieldConfidence(value=value, confidence=conf, span=self.doc.span(s, e),
                                           source_text=self.doc.orig(s, e)[:200])
        return self.fields[key]


def _header(ctx: _Ctx, end: int) -> dict[str, Any]:
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


def _statement(ctx: _Ctx, s: int, e: int) -> None:
    """A sentence of the preamble, 适用范围 or 附则: scope, exclusions, dates, mode, 就高."""
    text = ctx.work[s:e]
    if m := re.search(r"本(?:政策|细则|办法|意见|措施|规定)(?:中)?所称(?:的)?([\u4e00-\u9fff]{2,12}?)"
                      r"[,:]?\s?(?:是指|指)(.{2,200})", text):
        cp = parse_conditions(m.group(2), s + m.start(2), region=ctx.region, scope_only=True,
                              keep_words=True)
        if cp.leaves:  # the definition binds every clause that uses the term
            ctx.defined[m.group(1)] = cp.leaves
        return
    scope = re.search(r"适用于|适用对象|适用范围", text)
    if scope or re.search(r"不得享受|不享受|不予|取消|不适用", text):
        cp = parse_conditions(text, s, region=ctx.region, scope_only=True, keep_words=bool(scope))
        for lf in cp.leaves:
            new = all((o.field, o.op, o.value) != (lf.field, lf.op, lf.value) for o in ctx.doc_leaves)
            if new and not lf.negate and (scope or lf.role == "exclusion"):
                ctx.doc_leaves.append(lf)
        ctx.warnings.extend(cp.notes)
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


# -- from drafts to clauses ---------------------------------------------------------------------
@dataclass
class _Item:
    node: Node
    draft: Draft
    dept: tuple[str, int, int, float] | None = None
    mode: tuple[ApplicationMode, int, int, float] | None = None
    group: str | None = None


def _departments(ctx: _Ctx, nodes: list[Node], items: list[_Item]) -> None:
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


def _modes_and_groups(ctx: _Ctx, nodes: list[Node], items: list[_Item]) -> None:
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
        if it.draft.exclusive:
            it.group = f"item{it.node.start}"
        elif ctx.exclusive and it.draft.ladder:
            it.group = f"list{it.draft.spans[0][0]}"
    names = {g: str(i) for i, g in enumerate(dict.fromkeys(it.group for it in items if it.group), 1)}
    for it in items:
        it.group = names.get(it.group or "")


_BENEFIT: TypeAdapter[Benefit] = TypeAdapter(Benefit)


def _clause(ctx: _Ctx, cid: str, pid: str, it: _Item, nth: str) -> tuple[Clause, ClauseExtraction]:
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
            notes.append(lf.note)
    for key, (value, s, e, conf) in d.bfields.items():
        put(key, value, s, e, conf)
    text = "".join(doc.orig(a, b).strip() for a, b in d.spans)
    data = d.benefit if d.benefit["kind"] != "in_kind" else {
        "kind": "in_kind", "description": re.sub(r"\s+", "", text)[:200]}
    try:
        benefit = _BENEFIT.validate_python(data)
    except ValidationError as exc:
        notes.append(f"奖补结构未通过校验（{exc.errors()[0]['msg']}），改记为非货币事项")
        benefit = InKindBenefit(description=re.sub(r"\s+", "", text)[:200])
        put("benefit.kind", "in_kind", d.spans[0][0], d.spans[-1][1], 0.3)
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
    ctx.warnings += [n for n in notes if n.startswith("含晋级差额")]
    notes = [n for n in notes if not n.startswith("含晋级差额")]
    sure = {k: f for k, f in fields.items() if not k.startswith(f"condition.{UNSTRUCTURED}")}
    low = min(sure.items(), key=lambda kv: kv[1].confidence, default=None)
    conf = low[1].confidence if low else 0.9
    if not notes and low and conf < REVIEW_BELOW:  # say what and where, not just "low"
        notes.append(f"“{low[1].source_text[:30]}”读作 {low[0].split('#')[0]}，把握不大"
                     f"（原文位置 {low[1].span[0]}–{low[1].span[1]}）")
    conf = min(conf, 0.65) if notes else conf
    review = "请核对：" + "；".join(dict.fromkeys(notes)) if notes else None
    clause = Clause(id=cid, title=title[:200], text=text or "（无原文）", conditions=cond,
                    benefit=benefit, category="权益" if benefit.kind == "in_kind" else "奖补",
                    source=it.node.path() or None, review=review, **extra)
    return clause, ClauseExtraction(clause_id=cid, confidence=round(conf, 3), fields=fields,
                                    span=doc.span(d.spans[0][0], d.spans[-1][1]), review=review)


def _where(ctx: _Ctx) -> Leaf:
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
    ctx = _Ctx(doc, work)
    lines = line_spans(work)
    nodes = number_tree(doc, work, lines)
    if not nodes:  # no numbering: each paragraph that grants something is an item
        nodes = [Node(4, i, "", s, s, e, e) for i, (s, e) in enumerate(
            (s, e) for s, e in lines if benefit_start(work[s:e]) is not None)]
    body = nodes[0].start if nodes else len(work)
    info = _header(ctx, body)
    if nodes:  # a clause before the first numbered item ("对…的，给予…") is kept, not dropped
        lead = [Node(4, 0, "", s, s, e, e) for s, e in lines if s < body and re.match(
            r"\s*(?:对|凡)", work[s:e]) and benefit_start(work[s:e]) is not None]
        nodes = lead + nodes
    after_title = ctx.fields["title"].span[1] if "title" in ctx.fields else 0
    for a, b in (seg for ls, le in line_spans(work[:body]) for seg in segments(work, ls, le)):
        if doc.span(a, b)[0] >= after_title and not DOC_NUMBER.search(work[a:b]):
            _statement(ctx, a, b)  # line by line: a sentence never spans the header lines
    for node in nodes:
        if node.meta or (not node.children and SELF_REF.match(work[node.body:node.own_end])):
            for a, b in segments(work, node.body, node.own_end):
                _statement(ctx, a, b)
    items: list[_Item] = []
    inherited: dict[int, list[Leaf]] = {}
    for node in nodes:
        base = inherited.get(node.parent.start, []) if node.parent else []
        own = work[node.body:node.own_end]
        if node.meta:
            continue
        if node.children and (not own.strip() or benefit_start(own) is None):
            cp = parse_conditions(own, node.body, region=ctx.region,
                                  keep_words=bool(re.search(r"(?:^|[,;:。])\s*(?:对|凡)", own))
                                  ) if own.strip() else None
            inherited[node.start] = base + (cp.leaves if cp else [])
            continue
        items += [_Item(node, d) for d in split_item(work, node.body, node.own_end,
                                                       region=ctx.region, inherited=base)]
    for it in items:  # 附则 definitions ("本政策所称工业企业，是指…") bind the clauses using the term
        said = "".join(work[a:b] for a, b in it.draft.spans[:1])
        for term, leaves in ctx.defined.items():
            if term in said:
                have = {(lf.field, lf.op, repr(lf.value)) for lf in it.draft.leaves}
                it.draft.leaves += [lf for lf in leaves
                                    if (lf.field, lf.op, repr(lf.value)) not in have]
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
                            warnings=list(dict.fromkeys(ctx.warnings + notes)))
