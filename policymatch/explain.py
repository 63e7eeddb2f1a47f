"""One enterprise's report after the first pass: 就高不重复, totals and the text written when read.

:meth:`Matcher.match <policymatch.matcher.Matcher.match>` settles every clause's status, amount
and order (a :class:`Kept` record each); :func:`set_aside` and :func:`totals` finish what the
report needs at once; an :class:`Explainer` writes the rest — the report's matches and questions,
each match's reasons, formula and matched terms — when first read (``models.DeferredModel``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from .benefits import compute, group_winner
from .formatting import by_recipient, money_words
from .models import (
    Change,
    Condition,
    FieldTest,
    Match,
    Outcome,
    Status,
    UnrecognizedName,
    Unstructured,
    deferred,
)
from .profile import EnterpriseProfile
from .questions import questions
from .rules import Plan, leaf_reasons, missing_order, outcome_runner, plan

if TYPE_CHECKING:
    from .matcher import Matcher

__all__ = ["Explainer", "Kept", "MatchText", "leaf_tests", "numbered", "outcome_only", "set_aside", "totals",
           "unknown_fields", "unrecognized_names"]


def outcome_only(profile: EnterpriseProfile, day: date,
                 memo: dict[Any, Outcome]) -> Callable[[Condition | None], Outcome]:
    """A function ``tree -> Outcome`` for one profile and day: :func:`outcome_runner` on the
    tree's :func:`plan` (first deciding child ends a node, each distinct leaf computed once in
    ``memo``, no reasons written)."""
    run = outcome_runner(profile, day, memo)
    return lambda tree: run(plan(tree))


def numbered(tree: Plan | None, ids: dict[Any, int]) -> Plan | None:
    """A :func:`plan` tree with each leaf key replaced by a small number, the same number for
    the same key (``ids`` holds the numbers given so far and grows): a memo keyed by numbers
    is cheaper to look up than one keyed by tuples."""
    if tree is None:
        return None
    if tree[0] == 0:
        return (0, ids.setdefault(tree[1], len(ids)), tree[2])
    return (tree[0], tuple(numbered(child, ids) for child in tree[1]))


def unknown_fields(leaves: Iterable[tuple[str, Outcome]]) -> tuple[str, ...]:
    """The missing fields of an unknown tree from its leaves' ``(field, outcome)`` in tree
    order: each field once, in the order the tree first names it, if any of its leaves is
    unknown (what :func:`evaluate` reports, without writing the reasons)."""
    pairs = list(leaves)
    lacking = {f for f, out in pairs if out is Outcome.UNKNOWN}
    return tuple(f for f in dict.fromkeys(f for f, _ in pairs) if f in lacking)


class Kept(NamedTuple):
    """A clause the first pass kept for a report: its verdict, amount and order, no text."""

    row: int
    status: Status
    doc: Outcome  # the policy-wide conditions
    own: Outcome  # the clause's own
    amount: float | None  # None when ineligible, as a Match says
    is_upper_bound: bool
    base_missing: tuple[str, ...]  # the amount's unknown base
    score: float
    unrelated: bool
    changes: tuple[Change, ...]


def set_aside(kept: list[Kept], rows: list[tuple[Any, ...]]) -> dict[int, str]:
    """就高不重复: within an exclusivity group only the best eligible clause counts; returns the
    rows set aside, each with the clause id it gives way to.

    Best means the highest amount, then the higher relevance, then the smaller clause id, so the
    choice is deterministic (:func:`~policymatch.benefits.group_winner`). A merely possible
    clause is not set aside: it may turn out to pay more once its missing facts are known, and
    it is never counted in the total anyway.
    """
    groups: dict[str, list[Kept]] = {}
    for k in kept:
        group = rows[k.row][11]
        if group is not None:
            groups.setdefault(group, []).append(k)
    aside: dict[int, str] = {}
    for members in groups.values():
        members.sort(key=lambda k: rows[k.row][2])
        won = group_winner((k.amount, k.score, k.status is Status.ELIGIBLE) for k in members)
        if won >= 0:
            winner = members[won]
            for k in members:
                if k is not winner and k.status is Status.ELIGIBLE:
                    aside[k.row] = rows[winner.row][2]
    return aside


def totals(kept: list[Kept], aside: dict[int, str],
            rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The report's total, amounts by recipient and summary, from the clauses in report order."""
    eligible = possible = set_aside = 0
    paid: dict[str, float] = {}
    upper: dict[str, bool] = {}
    for k in kept:
        if k.status is Status.ELIGIBLE:
            eligible += 1
            if k.row in aside:
                set_aside += 1
            elif k.amount:
                recipient = rows[k.row][7]
                paid[recipient] = paid.get(recipient, 0.0) + k.amount
                upper[recipient] = upper.get(recipient, False) or k.is_upper_bound
        elif k.status is Status.POSSIBLE:
            possible += 1
    summary = f"可享受 {eligible} 条，" + (money_words(paid, upper) if paid else "暂无可测算金额")
    if possible:
        summary += f"；另有 {possible} 条需补充信息"
    if set_aside:
        summary += f"（{set_aside} 条因就高不重复未计入）"
    return {"total_amount": round(paid.get("企业", 0.0), 2),
            "amounts_by_recipient": {k: round(v, 2)
                                     for k, v in sorted(paid.items(), key=by_recipient)},
            "summary": summary}


class Explainer:
    """What a report and its matches write when first read: the Match of each clause kept, its
    reasons, formula and matched terms, the report's questions and unrecognised names. Every
    value is what writing it at match time gave (the first pass settled every outcome)."""

    def __init__(self, matcher: Matcher, profile: EnterpriseProfile, day: date, query: str,
                 outcome: dict[Any, Outcome], kept: list[Kept], aside: dict[int, str],
                 shown: int) -> None:
        self.matcher, self.profile, self.day, self.query = matcher, profile, day, query
        self.outcome = outcome  # every leaf of every clause kept, from the first pass
        self.kept, self.aside, self.shown = kept, aside, shown
        self.reasons_memo: dict[Any, Any] = {}
        self.doc_reasons: dict[str, tuple[Any, ...]] = {}
        self.built: list[Match] | None = None
        self.of: dict[int, tuple[int, Kept]] = {}  # id(match) -> (position, record)

    def value(self, name: str) -> Any:
        if name == "matches":
            return tuple(self.matches()[:self.shown])
        if name == "questions":
            return tuple(questions(self.matches(), self.profile, asks=self.matcher._asks,
                                    unknown_tests=self.unknown_tests))
        if name == "unrecognized":
            return unrecognized_names(self.profile)
        raise KeyError(name)

    def matches(self) -> list[Match]:
        built = self.built
        if built is None:
            built = [self.match(i, k) for i, k in enumerate(self.kept)]
            self.of = {id(m): (i, k) for i, (m, k) in enumerate(zip(built, self.kept, strict=True))}
            self.built = built
        return built

    def outcomes(self, k: Kept) -> tuple[list[tuple[Any, Any, str]], list[tuple[Any, Any, str]]]:
        m = self.matcher
        return m._doc_tests[m.pairs_[k.row][0].id], m._tests[k.row]

    def match(self, position: int, k: Kept) -> Match:
        (policy_id, policy_title, clause_id, clause_title, text, top, kind, recipient, department,
         mode, category, group) = self.matcher._rows[k.row]
        missing: list[str] = []
        if k.status is not Status.INELIGIBLE:
            doc_missing: tuple[str, ...] = ()
            own_missing: tuple[str, ...] = ()
            if k.status is Status.POSSIBLE:
                memo = self.outcome
                doc_tests, own_tests = self.outcomes(k)
                if k.doc is Outcome.UNKNOWN:
                    doc_missing = unknown_fields((f, memo[key]) for key, _, f in doc_tests)
                if k.own is Outcome.UNKNOWN:
                    own_missing = unknown_fields((f, memo[key]) for key, _, f in own_tests)
            missing = missing_order(doc_missing, own_missing, k.base_missing)
        return deferred(Match, {
            "policy_id": policy_id, "policy_title": policy_title, "clause_id": clause_id,
            "clause_title": clause_title, "text": text, "status": k.status, "score": k.score,
            "amount": k.amount, "max_amount": top, "benefit_kind": kind, "recipient": recipient,
            "is_upper_bound": k.is_upper_bound, "missing": tuple(missing), "changes": k.changes,
            "department": department, "mode": mode, "category": category,
            "exclusive_group": group, "counted": k.row not in self.aside,
            "set_aside_for": self.aside.get(k.row), "unrelated": k.unrelated,
        }, MatchText(self, position, k))

    def unknown_tests(self, match: Match) -> list[tuple[str, Any]]:
        """``(field, expected)`` of a match's unknown reasons in order, from its leaves."""
        _, k = self.of[id(match)]
        memo = self.outcome
        doc_tests, own_tests = self.outcomes(k)
        return [(f, node.value if isinstance(node, FieldTest) else node.text)
                for key, node, f in doc_tests + own_tests if memo[key] is Outcome.UNKNOWN]

    def text(self, position: int, k: Kept, name: str) -> Any:
        m = self.matcher
        policy, clause = m.pairs_[k.row]
        if name == "formula":
            return compute(clause.benefit, self.profile, as_of=self.day).formula
        if name == "reasons":
            doc = self.doc_reasons.get(policy.id)
            if doc is None:
                doc = self.doc_reasons[policy.id] = leaf_reasons(
                    m._doc_leaves[policy.id], self.profile, self.day, self.reasons_memo)
            return doc + leaf_reasons(m._leaves[k.row], self.profile, self.day,
                                      self.reasons_memo)
        if name == "matched_terms":
            if position >= self.shown or not m.n_terms or not self.query or k.score <= 0:
                return ()
            return tuple(t for t, _ in m.index_.top_terms(self.query, clause.id, k=m.n_terms))
        raise KeyError(name)


class MatchText:
    """The deferred fields of one Match (reasons, formula, matched terms)."""

    __slots__ = ("explainer", "k", "position")

    def __init__(self, explainer: Explainer, position: int, k: Kept) -> None:
        self.explainer, self.position, self.k = explainer, position, k

    def value(self, name: str) -> Any:
        return self.explainer.text(self.position, self.k, name)


def leaf_tests(tree: Plan | None) -> list[tuple[Any, FieldTest | Unstructured, str]]:
    """Every leaf of a numbered plan tree in tree order: its number, the leaf and the field its
    reason names (the label of an unstructured leaf)."""
    if tree is None:
        return []
    if tree[0] == 0:
        node = tree[2]
        return [(tree[1], node, node.field if isinstance(node, FieldTest) else node.label)]
    return [t for child in tree[1] for t in leaf_tests(child)]


KIND_WORDS = {"qualifications": "资质", "new_qualifications": "资质", "industry": "产业"}


def unrecognized_names(profile: EnterpriseProfile) -> tuple[UnrecognizedName, ...]:
    """The profile's names the alias table does not know, each with the nearest known ones."""
    out = []
    for field, name, near in profile.unrecognized_names():
        ask = f"，是否指 {'、'.join(near)}？" if near else "（名称表中没有相近的名称，请核对）"
        out.append(UnrecognizedName(field=field, name=name, suggestions=near,
                                    text=f"未识别的{KIND_WORDS[field]}：{name}{ask}"))
    return tuple(out)
