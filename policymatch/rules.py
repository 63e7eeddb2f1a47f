"""Three-valued evaluation of condition trees, with reasons, gaps and the changes that would help.

A leaf whose field the profile does not know is ``unknown`` — never false, never zero; so is an
:class:`~policymatch.models.Unstructured` leaf (words nobody has written as a test yet). ``all``,
``any`` and ``not`` follow Kleene's strong logic. Every leaf yields a :class:`Reason` in plain
Chinese; unmet numeric thresholds carry the gap.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, cast

from .aliases import is_known_industry, is_known_qualification
from .errors import ProfileError
from .fields import FieldKind, FieldSpec, field_spec
from .formatting import format_value
from .models import (
    AllOf,
    AnyOf,
    Change,
    Condition,
    FieldTest,
    Not,
    Outcome,
    Reason,
    Unstructured,
    trusted,
)
from .profile import AgeSpan, EnterpriseProfile

__all__ = [
    "COMPARE",
    "Evaluation",
    "changes_for",
    "combine",
    "evaluate",
    "fields_of",
    "format_value",
    "judge",
    "leaf_key",
    "leaf_outcome",
    "leaf_reasons",
    "leaf_runner",
    "missing_order",
    "outcome_runner",
    "plan",
    "plan_leaves",
    "planned_evaluation",
    "push_not",
    "unrecognized",
    "without_not",
]

#: The one meaning of each threshold operator, for a pair of numbers and for whole float columns
#: alike (:mod:`policymatch._vectorized` takes its comparisons from here).
COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
_OP_WORDS = {">=": "达到", ">": "超过", "<=": "不超过", "<": "低于", "==": "为", "!=": "不为",
             "in": "属于", "not_in": "不属于", "has": "持有", "not_has": "未持有"}


@dataclass(frozen=True)
class Evaluation:
    """Outcome of a condition tree plus every leaf's reason, the missing fields and fixes.

    ``changes`` is the smallest set of changes to known facts that would turn the tree to met
    (``None`` when no change to the profile's own facts can do it).
    """

    outcome: Outcome
    reasons: tuple[Reason, ...] = ()
    missing: tuple[str, ...] = ()
    changes: tuple[Change, ...] | None = field(default=())


MET = Evaluation(Outcome.MET)


def evaluate(
    condition: Condition | None, profile: EnterpriseProfile, *, as_of: date | None = None,
    memo: dict[Any, Reason] | None = None, changes: bool = True,
) -> Evaluation:
    """Evaluate ``condition`` for ``profile`` in three-valued logic.

    Parameters
    ----------
    memo : dict, optional
        Leaf reasons already computed for this profile and day, shared across calls (the
        matcher passes one per enterprise so a leaf such as "registered in 嵊州市" is judged once).
    changes : bool
        Compute the smallest helpful changes when the outcome is unmet.

    Examples
    --------
    >>> from policymatch.models import FieldTest
    >>> p = EnterpriseProfile(name="甲", revenue="9000万")
    >>> ev = evaluate(FieldTest(field="revenue", op=">=", value="1亿"), p)
    >>> ev.outcome.value, ev.reasons[0].text
    ('unmet', '上年度营业收入 9,000万元，未达到 1亿元（差 1,000万元）')
    >>> evaluate(FieldTest(field="tax_paid", op=">=", value=1), p).outcome.value
    'unknown'
    """
    if condition is None:
        return MET
    day = as_of or date.today()
    reasons: list[Reason] = []
    missing: list[str] = []
    outcome = _walk(condition, profile, day, reasons, missing, {} if memo is None else memo)
    fixes = _fixes(condition, profile, day) if changes and outcome is Outcome.UNMET else ()
    return _settled(outcome, tuple(reasons), set(missing), fixes)


def _settled(outcome: Outcome, reasons: tuple[Reason, ...], lacking: set[str],
             fixes: tuple[Change, ...] | None = ()) -> Evaluation:
    """The :class:`Evaluation` of a walked tree: the missing fields (``lacking``) in the order
    the tree first names each (a field such as age_years can be decided by one leaf and open in
    another), the fixes for an unmet tree only."""
    if outcome is Outcome.MET:
        return Evaluation(outcome, reasons)
    if outcome is Outcome.UNKNOWN:
        order = tuple(f for f in dict.fromkeys(r.field for r in reasons) if f in lacking)
        return Evaluation(outcome, reasons, order)
    return Evaluation(outcome, reasons, (), fixes)


def changes_for(condition: Condition | None, profile: EnterpriseProfile, *,
                as_of: date | None = None) -> tuple[Change, ...] | None:
    """The smallest changes to known facts that make ``condition`` not unmet (``None``: none can)."""
    if condition is None:
        return ()
    return _fixes(condition, profile, as_of or date.today())


def leaf_key(node: FieldTest | Unstructured) -> Any:
    """What makes two leaves the same test (their outcome is computed once per profile)."""
    if isinstance(node, Unstructured):
        return ("unstructured", node.text)
    value = node.value
    return (node.field, node.op, tuple(value) if isinstance(value, list) else value)


def judge(node: Condition, leaf: Callable[[FieldTest | Unstructured], Outcome], *,
          lazy: bool = False) -> Outcome:
    """The outcome of a tree given the outcome of each leaf: the one walk of every evaluation.

    ``not`` is pushed to the leaves (:func:`push_not`), ``all``/``any`` combine with
    :func:`combine`. With ``lazy`` a node stops at its first deciding child, so the later
    leaves are never computed (the matcher's outcome-only first pass); otherwise every leaf is
    visited in tree order (the reasons of :func:`evaluate`).
    """
    if isinstance(node, (FieldTest, Unstructured)):
        return leaf(node)
    if isinstance(node, Not):
        return judge(push_not(node.of), leaf, lazy=lazy)
    children = (judge(child, leaf, lazy=lazy) for child in node.of)
    return combine(children if lazy else list(children), any_of=isinstance(node, AnyOf))


def _walk(node: Condition, profile: EnterpriseProfile, day: date,
          reasons: list[Reason], missing: list[str], memo: dict[Any, Reason]) -> Outcome:
    def leaf(node: FieldTest | Unstructured) -> Outcome:
        key = (*leaf_key(node), node.label) if isinstance(node, FieldTest) else leaf_key(node)
        reason = memo.get(key)
        if reason is None:
            reason = memo[key] = (_leaf_reason(node, profile, day) if isinstance(node, FieldTest)
                                  else _unstructured_reason(node))
        reasons.append(reason)
        if reason.outcome is Outcome.UNKNOWN:
            missing.append(node.field if isinstance(node, FieldTest) else node.label)
        return reason.outcome

    return judge(node, leaf)


#: A condition tree laid out for :func:`outcome_runner`: ``(0, leaf_key, leaf)`` for a leaf,
#: ``(1, children)`` for ``all``, ``(2, children)`` for ``any``; ``None`` is always met.
Plan = tuple[Any, ...]


def plan(node: Condition | None) -> Plan | None:
    """``node`` (``not`` pushed to the leaves) as nested tuples, leaf keys computed at fit."""
    if node is None:
        return None
    if isinstance(node, (FieldTest, Unstructured)):
        return (0, leaf_key(node), node)
    if isinstance(node, Not):
        return plan(without_not(node))
    return (2 if isinstance(node, AnyOf) else 1, tuple(plan(child) for child in node.of))


def outcome_runner(profile: EnterpriseProfile, day: date,
                   memo: dict[Any, Outcome]) -> Callable[[Plan | None], Outcome]:
    """``tree -> Outcome`` over :func:`plan` trees: first deciding child ends a node (Kleene logic
    as :func:`combine`), each distinct leaf computed once in ``memo`` (the matcher's first pass)."""
    met, unmet, unknown = Outcome.MET, Outcome.UNMET, Outcome.UNKNOWN
    leaf = leaf_runner(profile, day, memo)
    get = memo.get

    def run(tree: Plan | None) -> Outcome:
        if tree is None:
            return met
        if tree[0] == 0:
            out = get(tree[1])
            return leaf(tree[1], tree[2]) if out is None else out
        win, lose = (met, unmet) if tree[0] == 2 else (unmet, met)
        undecided = False
        for child in tree[1]:
            if child[0] == 0:  # a leaf: looked up here rather than in a call of its own
                out = get(child[1])
                if out is None:
                    out = leaf(child[1], child[2])
            else:
                out = run(child)
            if out is win:
                return win
            if out is unknown:
                undecided = True
        return unknown if undecided else lose

    return run


def leaf_runner(profile: EnterpriseProfile, day: date,
                memo: dict[Any, Outcome]) -> Callable[[Any, FieldTest | Unstructured], Outcome]:
    """``(key, leaf) -> Outcome``: :func:`leaf_outcome` of a leaf not yet in ``memo``, kept there
    (each field read, and the names a has-test looks in checked against the aliases, once)."""
    met, unmet, unknown = Outcome.MET, Outcome.UNMET, Outcome.UNKNOWN
    actuals: dict[str, Any] = {}
    absent, helds = actuals, {}  # type: dict[str, Any], dict[str, tuple[set[Any], bool]]

    def leaf(key: Any, node: FieldTest | Unstructured) -> Outcome:
        if isinstance(node, FieldTest):
            field = node.field
            actual, op = actuals.get(field, absent), node.op
            if actual is absent:
                actual = actuals[field] = _actual(node, profile, day)
            if op in ("has", "not_has") and actual is not None and not isinstance(actual, AgeSpan):
                found = helds.get(field)
                if found is None:
                    held = _held(actual)
                    found = helds[field] = (held, field in _NAMED and bool(unrecognized(field, held)))
                if type(wanted := node.value) is str:  # one name: no list to build
                    hit = wanted in found[0]
                    out = unknown if not hit and found[1] else met if hit == (op == "has") else unmet
                else:
                    out = _held_outcome(op, found[0], wanted, field, found[1])
            else:
                out = leaf_outcome(op, actual, node.value, field)
        else:
            out = unknown
        memo[key] = out
        return out

    return leaf


def plan_leaves(tree: Plan | None) -> tuple[tuple[Any, FieldTest | Unstructured], ...]:
    """Every leaf of a :func:`plan` tree in tree order, with the key its reason is kept under."""
    if tree is None:
        return ()
    if tree[0] == 0:
        node = tree[2]
        return (((*tree[1], node.label) if isinstance(node, FieldTest) else tree[1], node),)
    return tuple(leaf for child in tree[1] for leaf in plan_leaves(child))


def planned_evaluation(leaves: tuple[tuple[Any, FieldTest | Unstructured], ...],
                       outcome: Outcome, profile: EnterpriseProfile, day: date,
                       memo: dict[Any, Reason]) -> Evaluation:
    """:func:`evaluate` (``changes=False``) of a tree whose ``outcome`` is known: no second walk."""
    reasons = leaf_reasons(leaves, profile, day, memo)
    return _settled(outcome, reasons, {r.field for r in reasons if r.outcome is Outcome.UNKNOWN})


def leaf_reasons(leaves: tuple[tuple[Any, FieldTest | Unstructured], ...],
                 profile: EnterpriseProfile, day: date,
                 memo: dict[Any, Reason]) -> tuple[Reason, ...]:
    """The reasons :func:`evaluate` gives, from a tree's :func:`plan_leaves` (each once in memo)."""
    reasons: list[Reason] = []
    for key, node in leaves:
        reason = memo.get(key)
        if reason is None:
            reason = memo[key] = (_leaf_reason(node, profile, day) if isinstance(node, FieldTest)
                                  else _unstructured_reason(node))
        reasons.append(reason)
    return tuple(reasons)


def without_not(node: Condition | None) -> Condition | None:
    """An equivalent tree with every ``not`` pushed to the leaves (done once, at fit time)."""
    if node is None or isinstance(node, (FieldTest, Unstructured)):
        return node
    if isinstance(node, Not):
        return without_not(push_not(node.of))
    kids = tuple(cast(Condition, without_not(child)) for child in node.of)  # validated nodes
    return (AllOf if isinstance(node, AllOf) else AnyOf).model_construct(of=kids)


def push_not(node: Condition) -> Condition:
    """The negation of ``node`` with ``not`` pushed down to the leaves (De Morgan).

    Under Kleene logic this is exact, and it lets every reason be phrased positively.
    """
    if isinstance(node, FieldTest):
        return node.model_copy(update={"op": _NEGATED[node.op]})
    if isinstance(node, Unstructured):
        return node  # not unknown is unknown
    if isinstance(node, Not):
        return node.of
    flipped = tuple(push_not(child) for child in node.of)
    return (AnyOf if isinstance(node, AllOf) else AllOf).model_construct(of=flipped)


def combine(outcomes: Iterable[Outcome], *, any_of: bool) -> Outcome:
    """Kleene AND (``any_of=False``) or OR of several outcomes.

    The first deciding outcome ends it, so a generator of outcomes is consumed only that far.
    As codes (met 1, unknown 0, unmet -1) AND is the minimum and OR the maximum, which is how
    the batch path combines whole columns (a test checks the two agree on every input).
    """
    win, lose = (Outcome.MET, Outcome.UNMET) if any_of else (Outcome.UNMET, Outcome.MET)
    unknown = False
    for outcome in outcomes:
        if outcome is win:
            return win
        if outcome is Outcome.UNKNOWN:
            unknown = True
    return Outcome.UNKNOWN if unknown else lose


def _actual(node: FieldTest, profile: EnterpriseProfile, day: date) -> Any:
    if node.field == "rd_ratio":
        return profile.rd_ratio
    if node.field == "industry_section":
        return profile.industry_section
    if node.field == "scale_class":
        return profile.scale_class
    if node.field == "age_years":
        span = profile.age_span(day)
        return span if span is None or span.youngest != span.oldest else span.oldest
    return profile.get(node.field, day)


_EQUALITY = ("==", "!=", "in", "not_in")
_NAMED = ("qualifications", "new_qualifications")


def unrecognized(field_name: str, names: Any) -> list[str]:
    """The names in ``names`` that the alias table does not know, for a qualification or
    industry field (``[]`` for any other field).

    The rule they follow (three-valued): a name the table does not know may be another spelling
    of any known one. So a test that a firm holds X (``has``), or does not (``not_has``), is
    decided by X being listed; when X is not listed but an unknown name is, the test is
    *unknown*, never unmet or met by silence. The same holds for ``industry`` tested with
    ``==``, ``!=``, ``in`` and ``not_in``. The report lists every such name with the nearest
    known ones (:attr:`MatchReport.unrecognized <policymatch.models.MatchReport.unrecognized>`).
    """
    if field_name in _NAMED:
        return [n for n in names if isinstance(n, str) and not is_known_qualification(n)]
    if field_name == "industry":
        return [n for n in names if isinstance(n, str) and not is_known_industry(n)]
    return []


def _span_outcome(op: str, span: AgeSpan, expected: Any, field_name: str) -> Outcome:
    """A test on an age known only as a range: met or unmet when the whole range agrees,
    unknown otherwise (never a guessed day of founding). An equality test on a range is unknown
    when the range holds a tested value."""
    young = leaf_outcome(op, span.youngest, expected, field_name)
    old = leaf_outcome(op, span.oldest, expected, field_name)
    if young is not old:
        return Outcome.UNKNOWN
    if op in _EQUALITY:
        values = expected if isinstance(expected, list) else [expected]
        if any(not isinstance(v, bool) and isinstance(v, (int, float))
               and span.youngest <= float(v) <= span.oldest for v in values):
            return Outcome.UNKNOWN
    return young


def leaf_outcome(op: str, actual: Any, expected: Any, field_name: str = "") -> Outcome:
    """Compare a known or unknown ``actual`` value with ``expected`` under ``op``."""
    if actual is None:
        return Outcome.UNKNOWN
    if isinstance(actual, AgeSpan):
        return _span_outcome(op, actual, expected, field_name)
    if op in ("has", "not_has"):
        return _held_outcome(op, _held(actual), expected, field_name)
    if op in ("in", "not_in"):
        hit = any(_same(actual, e, field_name) for e in expected)
        if not hit and field_name == "industry" and unrecognized(field_name, (actual,)):
            return Outcome.UNKNOWN
        return Outcome.MET if hit == (op == "in") else Outcome.UNMET
    if op in ("==", "!="):
        same = _same(actual, expected, field_name)
        if not same and field_name == "industry" and unrecognized(field_name, (actual,)):
            return Outcome.UNKNOWN
        return Outcome.MET if same == (op == "==") else Outcome.UNMET
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        raise ProfileError(
            f"{field_name}: the policy compares it with the number {expected!r} but the profile "
            f"holds {actual!r}; give a number"
        )
    a, e = float(actual), float(expected)
    ok = COMPARE[op](a, e)
    return Outcome.MET if ok else Outcome.UNMET


def _held(actual: Any) -> set[Any]:  # the names a has-test looks in (one value is one name)
    return set(actual) if isinstance(actual, (list, tuple, set, frozenset)) else {actual}


def _held_outcome(op: str, held: set[Any], expected: Any, field_name: str,
                  strange: bool | None = None) -> Outcome:
    """A has/not_has test on the names ``held``; ``strange``: is any unrecognized (None: look)."""
    hit = any(w in held for w in (expected if isinstance(expected, list) else [expected]))
    if not hit and field_name in _NAMED and (
            unrecognized(field_name, held) if strange is None else strange):
        return Outcome.UNKNOWN  # an unknown name may be another spelling of a wanted one
    return Outcome.MET if hit == (op == "has") else Outcome.UNMET


def _same(actual: Any, expected: Any, field_name: str) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        if field_name in ("region", "town", "park"):
            return _place_key(actual) == _place_key(expected)
        return actual == expected
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(actual, (int, float)) and isinstance(expected, (int, float)):
        return float(actual) == float(expected)
    return bool(actual == expected)


@lru_cache(maxsize=4096)
def _place_key(name: str) -> str:
    """A place name with its 市/县/区/镇/乡 dropped, in simplified script (長樂區 is 长乐区)."""
    if not name.isascii():
        from .text import normalize  # NFKC and traditional → simplified

        name = normalize(name)
    name = name.strip()
    if len(name) > 2 and name[-1] in "市县区镇乡":
        return name[:-1]
    return name


def _spec(node: FieldTest) -> FieldSpec:
    spec = field_spec(node.field)
    assert spec is not None  # checked when the policy loaded
    return spec


def _leaf_reason(node: FieldTest, profile: EnterpriseProfile, day: date) -> Reason:
    spec = _spec(node)
    label = node.label or spec.label
    actual = _actual(node, profile, day)
    outcome = leaf_outcome(node.op, actual, node.value, node.field)
    want = format_value(node.value, spec)
    word = _OP_WORDS[node.op]
    gap: float | None = None
    if outcome is Outcome.UNKNOWN and isinstance(actual, AgeSpan):
        text = (f"{label} {format_value(actual, spec)}（成立日期只知道年份或月份），"
                f"不能确定是否{word} {want}")
    elif outcome is Outcome.UNKNOWN and actual is not None:  # a name the table does not know
        held = actual if isinstance(actual, (list, tuple, set, frozenset)) else (actual,)
        names = "、".join(unrecognized(node.field, held))
        text = f"{label}含未识别的名称“{names}”，不能确定是否{word} {want}"
    elif outcome is Outcome.UNKNOWN:
        text = f"{label}未知（要求{word} {want}）"
    elif node.op in ("has", "not_has"):
        wanted = node.value if isinstance(node.value, list) else [node.value]
        have = set(actual) if isinstance(actual, (list, tuple, set, frozenset)) else {actual}
        held = [str(w) for w in wanted if w in have]  # the membership leaf_outcome decides on
        if node.op == "has":
            text = (f"{label}包含 {'、'.join(held)}" if held
                    else f"{label}中没有 {'或'.join(map(str, wanted))}")
        else:
            text = (f"{label}不含 {want}" if not held
                    else f"{label}含有 {'、'.join(held)}，不符合要求")
    elif node.op in (">=", ">", "<=", "<"):
        got = format_value(actual, spec)
        if outcome is Outcome.MET:
            text = f"{label} {got}，{word} {want}"
        else:
            nearest = (actual.oldest if node.op in (">=", ">") else actual.youngest) \
                if isinstance(actual, AgeSpan) else actual
            gap = abs(float(node.value) - float(nearest))  # type: ignore[arg-type]
            short = f"（差 {format_value(gap, spec)}）" if gap else ""  # 0 only for > and <
            if node.op in (">=", ">"):
                text = f"{label} {got}，未{word} {want}{short}"
            else:  # an upper limit that is exceeded
                over = "超过" if node.op == "<=" else "达到或超过"
                text = f"{label} {got}，{over}上限 {want}{short}"
    else:
        got = format_value(actual, spec)
        text = (f"{label}：{got}（符合）" if outcome is Outcome.MET
                else f"{label}：{got}，要求{word} {want}")
    return trusted(Reason, {"field": node.field, "op": node.op, "expected": node.value,
                            "actual": _plain(actual), "outcome": outcome, "text": text,
                            "gap": gap})


def _unstructured_reason(node: Unstructured) -> Reason:
    return trusted(Reason, {"field": node.label, "op": "unstructured", "expected": node.text,
                            "actual": None, "outcome": Outcome.UNKNOWN,
                            "text": f"{node.label}（原文条件尚未结构化，是否符合须人工确认）",
                            "gap": None})


def _plain(value: Any) -> Any:
    if isinstance(value, AgeSpan):
        return [value.youngest, value.oldest]
    return list(value) if isinstance(value, (tuple, set, frozenset)) else value


# -- the smallest change that would help --------------------------------------------------------
def _fixes(node: Condition, profile: EnterpriseProfile, day: date) -> tuple[Change, ...] | None:
    """Changes to known facts that make ``node`` not unmet; ``None`` if none can."""
    if isinstance(node, FieldTest):
        outcome = leaf_outcome(node.op, _actual(node, profile, day), node.value, node.field)
        if outcome is not Outcome.UNMET:
            return ()
        change = _leaf_change(node, profile, day)
        return None if change is None else (change,)
    if isinstance(node, Unstructured):
        return ()  # never unmet
    if isinstance(node, Not):
        return _fixes(push_not(node.of), profile, day)
    options = [_fixes(child, profile, day) for child in node.of]
    if isinstance(node, AllOf):
        if any(o is None for o in options):
            return None
        return tuple(change for o in options if o for change in o)
    assert isinstance(node, AnyOf)
    usable = [o for o in options if o is not None]
    return min(usable, key=len) if usable else None


_NEGATED = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "==",
            "in": "not_in", "not_in": "in", "has": "not_has", "not_has": "has"}


def _leaf_change(node: FieldTest, profile: EnterpriseProfile, day: date) -> Change | None:
    spec = _spec(node)
    label = node.label or spec.label
    actual = _actual(node, profile, day)
    if node.field.startswith("previous.") or (
            spec.derived and node.field in ("age_years", "industry_section", "scale_class")):
        return None  # facts of history or classification, not something a firm changes
    if node.op in (">=", ">") and spec.kind in (FieldKind.MONEY, FieldKind.NUMBER, FieldKind.RATIO):
        delta = float(node.value) - float(actual)  # type: ignore[arg-type]
        # "N以上" includes N in Chinese regulations, so a strict threshold says "超过 N".
        step = format_value(delta, spec)
        step = f"超过 {step}" if node.op == ">" else step
        text = f"{label}再增加 {step}即可{_OP_WORDS[node.op]} {format_value(node.value, spec)} 门槛"
        return Change(field=node.field, current=actual, needed=node.value, delta=delta, text=text)
    if node.op == "has":
        names = node.value if isinstance(node.value, list) else [node.value]
        text = f"取得{'或'.join(str(n) for n in names)}后可满足该条件"
        return Change(field=node.field, current=_plain(actual), needed=node.value, text=text)
    if node.op in ("<=", "<") and spec.kind is not FieldKind.ANY:
        return None  # "become smaller" is rarely advice a county gives
    return None


def missing_order(doc: Iterable[str], own: Iterable[str], base: Iterable[str] = ()) -> list[str]:
    """The missing facts of a clause in the order a report lists them: the clause's own first,
    then the policy-wide ones, then the benefit's base (each once)."""
    mine = set(own)
    names = sorted(dict.fromkeys([*doc, *own]), key=lambda f: f not in mine)
    names.extend(f for f in dict.fromkeys(base) if f not in names)
    return names


def fields_of(condition: Condition | None) -> list[str]:
    """Every field path a condition tree reads, in tree order, without repeats."""
    out: list[str] = []

    def visit(node: Condition) -> None:
        if isinstance(node, FieldTest):
            out.append(node.field)
        elif isinstance(node, Unstructured):
            pass  # reads no field of the profile
        elif isinstance(node, Not):
            visit(node.of)
        else:
            for child in node.of:
                visit(child)

    if condition is not None:
        visit(condition)
    return list(dict.fromkeys(out))
