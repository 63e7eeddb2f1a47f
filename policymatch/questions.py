"""The questions of a report: the missing facts worth asking, each once, with how to answer.

A fact is asked once however many conditions and formulas need it, ordered by the money it could
unlock; a derived field is asked through the inputs it lacks, so a question never asks for what
the profile already holds. The wording and the way to answer come from :mod:`policymatch.fields`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .fields import DERIVED_FROM, Ask, FieldKind, ask_for, field_spec
from .formatting import money_in_words
from .models import UNSTRUCTURED_PREFIX, Match, Outcome, Question, Status, trusted
from .profile import EnterpriseProfile

__all__ = ["questions"]


def questions(matches: Iterable[Match], profile: EnterpriseProfile | None = None, *,
              asks: dict[tuple[str, FieldKind | None, tuple[object, ...]], Ask] | None = None,
              unknown_tests: Callable[[Match], Iterable[tuple[str, Any]]] | None = None,
              ) -> list[Question]:
    """Missing facts ordered by the money (then the number of clauses) they could unlock.

    ``asks`` keeps the wording of each question already phrased, so a :class:`Matcher` phrases
    a fact once (the wording depends only on the field and how the conditions use it).

    One question per fact, however many conditions and formulas need it. A derived field
    (成立年限, 研发费用占比, 企业规模, 行业门类) is asked through the facts it is computed from that
    the profile lacks, so a question never asks for what is already known.

    ``unknown_tests(match)`` gives ``(field, expected)`` of the match's unknown reasons in order
    (by default read from ``match.reasons``); the matcher passes its own, which reads them from
    the condition leaves without writing the reasons' text.
    """
    tests = unknown_tests or _unknown_tests
    by_field: dict[str, dict[str, Match]] = {}
    uses: dict[str, list[Any]] = {}
    for m in matches:
        if m.status is Status.INELIGIBLE:
            continue
        for f in m.missing:
            for fact in _facts_to_ask(f, profile):
                by_field.setdefault(fact, {}).setdefault(m.clause_id, m)
        for field, expected in tests(m):
            if field.startswith("extra."):
                uses.setdefault(field, []).append(expected)
    out: list[Question] = []
    for f, by_clause in by_field.items():
        ms = list(by_clause.values())
        ask = _ask(f, uses.get(f, ()), {} if asks is None else asks)
        money = max((m.amount if m.amount is not None else m.max_amount or 0.0) for m in ms)
        tail = f"可能影响 {len(ms)} 条" + (f"、最高 {money_in_words(money)}" if money else "")
        out.append(trusted(Question, {"field": f, "question": f"{ask.question}（{tail}）",
                                      "clause_ids": tuple(m.clause_id for m in ms),
                                      "max_amount": float(money), "flag": ask.flag,
                                      "json_example": ask.json, "unit": ask.unit}))
    out.sort(key=lambda q: (-q.max_amount, -len(q.clause_ids), q.field))
    return out


def _unknown_tests(match: Match) -> Iterable[tuple[str, Any]]:
    return ((r.field, r.expected) for r in match.reasons if r.outcome is Outcome.UNKNOWN)


def _facts_to_ask(field: str, profile: EnterpriseProfile | None) -> tuple[str, ...]:
    """The input facts to ask for a missing ``field``: itself, or what a derived field needs."""
    inputs = DERIVED_FROM.get(field)
    if inputs is None:
        return (field,)
    if profile is None:
        return inputs
    if field == "scale_class":
        from .profile import needed_facts

        inputs = needed_facts(profile.industry_code)
    lacking = tuple(f for f in inputs if getattr(profile, f) is None)
    # every input known and still undecided (a founding year without the day, an industry
    # judged on assets): ask for the exact value of the first input, else name the field itself
    return lacking or ((inputs[0],) if field == "age_years" else (field,))


def _ask(field: str, tested: Iterable[Any],
         asks: dict[tuple[str, FieldKind | None, tuple[object, ...]], Ask]) -> Ask:
    """How to ask for one fact; an unknown ``extra.`` key is asked by how its conditions use it."""
    if field.startswith(UNSTRUCTURED_PREFIX):  # the policy's own words: a person checks them
        return Ask(field, f"{field}。", "", "", "")
    if field in DERIVED_FROM:  # known inputs, yet undecided: nothing to type, a fact to check
        spec = field_spec(field)
        label = spec.label if spec else field
        return Ask(field, f"按已知信息还不能判定{label}，主管部门如何认定？", "", "", "")
    kind: FieldKind | None = None
    examples: list[object] = []
    for expected in tested:  # the values the unknown tests compare the field with
        values = expected if isinstance(expected, (list, tuple)) else (expected,)
        for v in values:
            if isinstance(v, bool):
                kind = FieldKind.BOOL
            elif isinstance(v, str):
                kind = kind or FieldKind.TEXT
                if v not in examples:
                    examples.append(v)
            else:
                kind = kind or FieldKind.NUMBER
    key = (field, kind, tuple(examples))
    ask = asks.get(key)
    if ask is None:
        ask = asks[key] = ask_for(field, kind_hint=kind, examples=key[2])
    return ask
