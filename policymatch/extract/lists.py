"""Subjects listed before a 分别 benefit that no lexicon reads as one name each: names of the
alias table too short to find in prose, grades of one assessment, and free-text items kept as
words, one subject per listed item, zipped with the amounts.

Private, used by :mod:`policymatch.extract.drafts`.
"""

from __future__ import annotations

import re

from ..aliases import alias_table
from .conditions import UNSTRUCTURED, CondParse, Leaf
from .numbers import quantities

#: Words before an amount that make it a ceiling (最高50万元), not the award itself.
CAP_WORD = re.compile(r"(?:最高|不超过|上限为?|封顶|最多|累计不超过|总额不超过)[^,;。\d]{0,6}$")


def list_subjects(work: str, a: int, bstart: int, end: int, cp: CondParse) -> None:
    """A 分别 list over subjects no lexicon knows ("主导制定国际标准、国家标准、行业标准的企业，分别
    给予每项50万元、30万元、10万元"): one unstructured subject per listed item, zipped with the
    amounts, instead of one clause holding the whole list."""
    benefit = work[bstart:end]
    if not re.search(r"分别|依次", benefit):
        return
    amounts = [q for q in quantities(benefit) if q.kind == "money"
               and not CAP_WORD.search(benefit[max(0, q.start - 14):q.start])]
    n = len(amounts)
    if n < 2 or len(cp.subjects) == n:
        return
    part = work[a:bstart]
    chunk = next((m for m in reversed(list(re.finditer(r"[^,;:。]+", part))) if "、" in m.group()), None)
    if chunk is None:
        return
    if _level_list(chunk.group(), a + chunk.start(), n, cp):
        return
    body = re.match(r"\s*(?:对|凡)?(?:企业)?(.*?)(?:的(?:企业|单位|项目|主体)?)?\s*$", chunk.group())
    if body is None:
        return
    at = a + chunk.start() + body.start(1)
    items, pos = [], at
    for piece in body.group(1).split("、"):
        items.append((pos, pos + len(piece), piece))
        pos += len(piece) + 1
    if len(items) != n or any(not re.search(r"[\u4e00-\u9fff]{2}", p) for _, _, p in items):
        return
    if _known_names(work, items, a, cp):
        return
    first = items[0][2]
    subjects = []
    for s, e, piece in items:
        words = piece
        if piece is not first and len(piece) < len(first) and first[-1] == piece[-1]:
            words = first[:len(first) - len(piece)] + piece  # 主导制定 + 国家标准
        subjects.append(Leaf(UNSTRUCTURED, "?", words, s, e, 0.5, "subject", label=piece))
    lo, hi = items[0][0], items[-1][1]
    if cp.ladder or any(lf.field != UNSTRUCTURED and lf.start < hi and lf.end > lo
                        for lf in cp.leaves):
        return  # the list is read already (thresholds, talents, honours)
    cp.leaves = [lf for lf in cp.leaves if not (lf.field == UNSTRUCTURED and lf.start < hi
                                                and lf.end > lo)] + subjects
    cp.set_subjects(subjects)


def _known_names(work: str, items: list[tuple[int, int, str]], a: int, cp: CondParse) -> bool:
    """"新获评白金宿、金宿、银宿等级民宿": listed names each an exact name of the alias table
    (too short to look up in prose, safe as a listed item) are one qualification each."""
    table = alias_table()
    names = []
    shared = re.search(r"级([\u4e00-\u9fff]{1,4})$", items[-1][2])  # "白金宿级、金宿级、银宿级民宿"
    for _, _, piece in items:
        bare = re.sub(r"^(?:新|当年|首次|已)*(?:获评|评为|评定为|认定为|入选|列入|获得|获批)", "", piece)
        tries = [bare, re.sub(r"等(?:级|次)?[\u4e00-\u9fff]{0,4}$", "", bare)]
        tries += [bare + shared.group(1)] if shared and bare.endswith("级") else []
        name = next((table.qualification(t) for t in tries if table.knows("qualifications", t)), None)
        if name is None:
            return False
        names.append(name)
    head = work[max(a, items[0][0] - 16):items[0][0] + 4]
    fld = "new_qualifications" if re.search(r"新|当年|首次", head) else "qualifications"
    gone = [str(lf.value) for lf in cp.leaves if lf.start < items[-1][1] and lf.end > items[0][0]]
    cp.leaves = [lf for lf in cp.leaves if not (lf.start < items[-1][1] and lf.end > items[0][0])]
    cp.notes = [n for n in cp.notes if not any(f"“{w}”" in n for w in gone)]  # read now
    cp.set_subjects([Leaf(fld, "has", n, s, e, 0.8, "subject", label=n)
                     for n, (s, e, _) in zip(names, items, strict=True)])
    cp.leaves += cp.subjects
    return True


_GRADE = r"(?:[\dA-Z一二三四五六七八九十]{1,3})(?:级|星级|星|等奖|等)"
_GRADES = re.compile(rf"({_GRADE})((?:、{_GRADE}){{1,5}})")


def _level_list(chunk: str, at: int, n: int, cp: CondParse) -> bool:
    """"通过两化融合管理体系2级、3级、4级评定" with three amounts: one subject per grade, so no
    grade and no amount is lost; each a named qualification (the assessment's name and the
    grade) when the words are a plain name, else the whole phrase at that grade as words."""
    m = _GRADES.search(chunk)
    if m is None or any(lf.field != UNSTRUCTURED and lf.start < at + m.end() and lf.end > at + m.start()
                        for lf in cp.leaves):
        return False
    grades = [m.group(1), *m.group(2).lstrip("、").split("、")]
    if len(grades) != n:
        return False
    body = re.match(r"\s*(?:对|凡)?(?:企业)?", chunk)
    head = chunk[body.end() if body else 0:m.start()]
    tail = re.sub(r"的(?:企业|单位|项目|主体)?\s*$", "", chunk[m.end():])
    lo, hi = at + len(chunk) - len(chunk.lstrip()) + (body.end() if body else 0), at + len(chunk)
    subjects = _graded_names(head, grades, tail, at + m.start(), at + m.end()) or [
        Leaf(UNSTRUCTURED, "?", f"{head}{g}{tail}", at + m.start(), at + m.end(), 0.5, "subject",
             label=g) for g in grades]
    cp.leaves = [lf for lf in cp.leaves if not (lf.field == UNSTRUCTURED and lf.start < hi
                                                and lf.end > lo)] + subjects
    cp.set_subjects(subjects)
    return True


_NAME_HEAD = re.compile(r"(?:当年|新|首次|已)*(?:通过|获评|评为|评定为|认定为|获得|取得|达到)")


def _graded_names(head: str, grades: list[str], tail: str, s: int, e: int) -> list[Leaf]:
    """"首次通过数据管理能力成熟度（DCMM）2级、3级评估": new_qualifications has
    数据管理能力成熟度2级, …, read as the text names it (a name the alias table knows is its
    canonical name), like any other honour the text names. Empty unless the words around the
    grades are only a verb, a plain name (its abbreviation in （） dropped) and the kind of
    assessment."""
    verb = _NAME_HEAD.match(head)
    name = re.sub(r"\([^()]{1,12}\)", "", head[verb.end():] if verb else head)
    if verb is None or not re.fullmatch(r"[\u4e00-\u9fffA-Za-z]{3,16}", name) or re.search(
            r"的|和|及|或|并|开展|实施|项目|企业", name) or not re.fullmatch(
            r"\s?(?:评估|评定|认定|认证|评价|评级|等级|标准)?\s?", tail):
        return []
    fld = "new_qualifications" if re.search(r"新|当年|首次", head) else "qualifications"
    table, out = alias_table(), []
    for g in grades:
        known = table.knows("qualifications", name + g)
        full = table.qualification(name + g) if known else name + g
        out.append(Leaf(fld, "has", full, s, e, 0.8 if known else 0.7, "subject", label=full))
    return out
