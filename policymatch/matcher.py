"""Combine rules, benefits and relevance into ranked, explained, costed results.

Rules decide the status; TF-IDF relevance only orders clauses within a status; benefits give
amounts. :func:`assess` is the one place a clause meets a profile, shared by the one-enterprise
path, the stored clause cases and the batch path's oracle tests.
"""

from __future__ import annotations

from datetime import date

from .benefits import compute, max_amount
from .models import (
    AllOf,
    Clause,
    Condition,
    Match,
    Outcome,
    Policy,
    PolicySet,
    Status,
)
from .profile import EnterpriseProfile
from .rules import evaluate
from .units import format_money

__all__ = ["assess", "check_cases", "clause_condition"]

_STATUS = {Outcome.MET: Status.ELIGIBLE, Outcome.UNKNOWN: Status.POSSIBLE,
           Outcome.UNMET: Status.INELIGIBLE}


def clause_condition(policy: Policy, clause: Clause) -> Condition | None:
    """The clause's own conditions joined with the document-wide ones (both must hold)."""
    parts = [c for c in (policy.conditions, clause.conditions) if c is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(of=tuple(parts))


def assess(policy: Policy, clause: Clause, profile: EnterpriseProfile, *,
           as_of: date | None = None, score: float = 0.0,
           matched_terms: tuple[str, ...] = ()) -> Match:
    """Judge one clause for one profile: status, reasons, gaps, missing facts and amount.

    Examples
    --------
    >>> from policymatch import load_policies
    >>> ps = load_policies()
    >>> policy, clause = next(ps.items())
    >>> m = assess(policy, clause, EnterpriseProfile(name="甲"))
    >>> m.status.value in ("eligible", "possible", "ineligible")
    True
    """
    day = as_of or date.today()
    ev = evaluate(clause_condition(policy, clause), profile, as_of=day)
    status = _STATUS[ev.outcome]
    est = compute(clause.benefit, profile, as_of=day)
    missing = list(ev.missing)
    if status is not Status.INELIGIBLE:
        missing.extend(f for f in est.missing if f not in missing)
    amount = est.amount
    formula = est.formula
    if status is Status.INELIGIBLE:
        amount = None
    elif amount is None and est.missing:
        top = max_amount(clause.benefit)
        formula = est.formula if top is None else f"{est.formula}"
    return Match(
        policy_id=policy.id, policy_title=policy.title, clause_id=clause.id,
        clause_title=clause.title, text=clause.text, status=status, score=score,
        amount=amount, is_upper_bound=est.is_upper_bound, formula=formula,
        reasons=ev.reasons, missing=tuple(missing),
        changes=ev.changes or () if status is Status.INELIGIBLE else (),
        department=clause.department, mode=clause.mode, category=clause.category,
        exclusive_group=clause.exclusive_group, matched_terms=matched_terms,
    )


def check_cases(policy_set: PolicySet) -> list[str]:
    """Run every clause's stored cases; return one line per case whose verdict differs."""
    problems: list[str] = []
    for policy, clause in policy_set.items():
        for i, case in enumerate(clause.cases, 1):
            where = f"{policy.id}/{clause.id} case {i}" + (f" ({case.note})" if case.note else "")
            try:
                profile = EnterpriseProfile.model_validate({"name": "案例企业", **case.profile})
            except ValueError as exc:
                problems.append(f"{where}: its profile does not validate: {exc}")
                continue
            day = case.as_of or policy.valid_from or date.today()
            got = assess(policy, clause, profile, as_of=day)
            if got.status is not case.expect:
                why = "; ".join(r.text for r in got.reasons) or "no conditions"
                problems.append(f"{where}: expected {case.expect.value}, got {got.status.value} "
                                f"({why})")
            elif case.amount is not None and (got.amount is None
                                              or abs(got.amount - case.amount) > 0.5):
                problems.append(f"{where}: expected amount {format_money(case.amount)}, got "
                                f"{format_money(got.amount)} ({got.formula})")
    return problems
