"""Combine rules, benefits and relevance into ranked, explained, costed results.

Rules decide the status; TF-IDF relevance only orders clauses within a status; benefits give
amounts. :func:`assess` judges one clause whole, in one go: the reference for the stored clause
cases and the batch path's oracle tests. :meth:`Matcher.match` reaches the same verdicts in two
steps: a first pass settles every clause's status, amount, 就高不重复 and order; the reasons,
formulas, matched terms and questions are written only when the report is read (tests hold each
match equal to :func:`assess`, and every output byte for byte to the reports written whole).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from datetime import date
from numbers import Integral
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .audience import profile_query
from .benefits import amount_for, compute, fixed_amount, group_winner, max_amount
from .corpus.compiled import compiled_index
from .errors import IndexFormatError, NotFittedError, ProfileError
from .explain import Explainer, Kept, leaf_tests, numbered, set_aside, totals
from .models import (
    AllOf,
    Change,
    Clause,
    Condition,
    Match,
    MatchReport,
    Outcome,
    Policy,
    PolicySet,
    SearchHit,
    Status,
    deferred,
    trusted,
)
from .params import Params
from .profile import EnterpriseProfile, check_day, load_profile
from .rules import (
    Evaluation,
    changes_for,
    combine,
    evaluate,
    leaf_runner,
    missing_order,
    outcome_runner,
    plan,
    plan_leaves,
    without_not,
)
from .units import as_day, format_money
from .version import __version__

if TYPE_CHECKING:
    from .index import ClauseIndex
    from .text import Tokenizer

__all__ = ["MAX_SEARCH_CHARS", "Matcher", "assess", "check_cases", "clause_condition",
           "clause_document", "fit_index"]

log = logging.getLogger(__name__)

#: Longest free-text need :meth:`Matcher.search` accepts, in characters.
MAX_SEARCH_CHARS = 10_000

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

    The clause's conditions and its policy's document-wide conditions must both hold.

    Examples
    --------
    >>> from policymatch import load_policies
    >>> ps = load_policies()
    >>> policy, clause = next(ps.items())
    >>> m = assess(policy, clause, EnterpriseProfile(name="甲"))
    >>> m.status.value in ("eligible", "possible", "ineligible")
    True
    """
    day = as_day(as_of) or date.today()
    check_day(profile, day)
    memo: dict[Any, Any] = {}
    doc = evaluate(policy.conditions, profile, as_of=day, memo=memo, changes=False)
    m = _judge(policy, clause, policy.conditions, doc, clause.conditions, profile, day, memo,
               score)
    return _updated(m, matched_terms=matched_terms) if matched_terms else m


def _judge(policy: Policy, clause: Clause, doc_cond: Condition | None, doc: Evaluation,
           own_cond: Condition | None, profile: EnterpriseProfile, day: date,
           memo: dict[Any, Any], score: float, *, unrelated: bool = False,
           own: Evaluation | None = None) -> Match:
    """The one place a clause meets a profile; ``doc`` is the policy-wide verdict, computed once
    per policy, ``own`` the clause's (evaluated here when not given). Equal to evaluating
    ``AllOf(doc_cond, own_cond)`` in one go."""
    if own is None:
        own = evaluate(own_cond, profile, as_of=day, memo=memo, changes=False)
    outcome = combine([doc.outcome, own.outcome], any_of=False)
    status = _STATUS[outcome]
    est = compute(clause.benefit, profile, as_of=day)
    unknown = outcome is Outcome.UNKNOWN
    missing = missing_order(doc.missing if unknown else (), own.missing if unknown else (),
                            est.missing if status is not Status.INELIGIBLE else ())
    changes: tuple[Change, ...] = ()
    if status is Status.INELIGIBLE:
        parts = [changes_for(c, profile, as_of=day) for c in (doc_cond, own_cond)]
        changes = () if any(p is None for p in parts) else tuple(
            change for p in parts if p for change in p)
    return trusted(Match, {
        "policy_id": policy.id, "policy_title": policy.title, "clause_id": clause.id,
        "clause_title": clause.title, "text": clause.text, "status": status, "score": score,
        "amount": None if status is Status.INELIGIBLE else est.amount,
        "max_amount": max_amount(clause.benefit), "benefit_kind": clause.benefit.kind,
        "recipient": clause.benefit.recipient, "is_upper_bound": est.is_upper_bound, "formula": est.formula,
        "reasons": doc.reasons + own.reasons, "missing": tuple(missing), "changes": changes,
        "department": clause.department, "mode": clause.mode, "category": clause.category,
        "exclusive_group": clause.exclusive_group, "counted": True, "set_aside_for": None,
        "matched_terms": (), "unrelated": unrelated,
    })


def check_cases(policy_set: PolicySet) -> list[str]:
    """Run every clause's stored cases; return one line per case whose verdict differs."""
    problems: list[str] = []
    for policy, clause in policy_set.items():
        for i, case in enumerate(clause.cases, 1):
            where = f"{policy.id}/{clause.id} case {i}" + (f" ({case.note})" if case.note else "")
            day = case.as_of or policy.valid_from or date.today()
            try:
                profile = load_profile({"name": "案例企业", **case.profile})
                got = assess(policy, clause, profile, as_of=day)
            except ProfileError as exc:
                problems.append(f"{where}: its profile does not validate: {str(exc).splitlines()[0]}")
                continue
            if got.status is not case.expect:
                why = "; ".join(r.text for r in got.reasons) or "no conditions"
                problems.append(f"{where}: expected {case.expect.value}, got {got.status.value} "
                                f"({why})")
            elif case.amount is not None and (got.amount is None
                                              or abs(got.amount - case.amount) > 0.5):
                problems.append(f"{where}: expected amount {format_money(case.amount)}, got "
                                f"{format_money(got.amount)} ({got.formula})")
    return problems


#: How many times each part of a clause counts in its indexed text (field weights): a clause's
#: title and tags say what it is for; its text also says how it pays.
FIELD_WEIGHTS: Mapping[str, int] = MappingProxyType(
    {"policy_title": 1, "domain": 1, "title": 1, "tags": 2, "text": 1})


def clause_document(policy: Policy, clause: Clause) -> str:
    """The text the relevance index sees for a clause: titles, tags, domain and the clause text,
    each repeated as :data:`FIELD_WEIGHTS` says."""
    fields = {"policy_title": policy.title, "domain": policy.domain or "", "title": clause.title,
              "tags": " ".join(clause.tags), "text": clause.text}
    parts = [text for name, text in fields.items() for _ in range(FIELD_WEIGHTS[name])]
    return " ".join(p for p in parts if p)


def fit_index(policy_set: PolicySet, tokenizer: Tokenizer, *,
              fingerprint: str | None = None) -> ClauseIndex:
    """Fit the relevance index of ``policy_set`` afresh, as :meth:`Matcher.fit` does when no
    cached or compiled index fits: :func:`clause_document` texts, generic words damped."""
    from .index import ClauseIndex, generic_words

    pairs = list(policy_set.items())
    index = ClauseIndex(tokenizer=tokenizer, damped=generic_words()).fit(
        [c.id for _, c in pairs], [clause_document(p, c) for p, c in pairs],
        fingerprint=policy_set.fingerprint() if fingerprint is None else fingerprint,
        allow_empty=True)  # relevance only ranks: without any term, every score is 0
    if not index.vocabulary_:
        log.warning("no clause text has a term to index; relevance scores are all 0")
    return index


_ORDER = {Status.ELIGIBLE: 0, Status.POSSIBLE: 1, Status.INELIGIBLE: 2}


class Matcher(Params):
    """Rank, explain and cost the clauses of a policy set for enterprises.

    Parameters
    ----------
    tokenizer : Tokenizer or None
        The Chinese tokenizer; ``None`` builds the default (jieba with the domain dictionary).
    index_cache : str, path or None
        A folder where the fitted relevance index is kept, keyed by the corpus fingerprint and
        the library version, so a later process loads it instead of refitting. ``None`` keeps
        everything in memory.
    n_terms : int
        How many contributing terms each match lists in ``matched_terms``.
    max_changes : int
        An ineligible clause is a near miss when at most this many changes to known facts
        would make it eligible; near misses come first among the ineligible.

    Attributes
    ----------
    policy_set_ : PolicySet
        The policies given to :meth:`fit`.
    pairs_ : list of (Policy, Clause)
        Every clause with its policy, in the order of the policy set; row ``i`` of ``index_``
        scores ``pairs_[i]``. The batch path (:mod:`policymatch.batch`) reads it.
    index_ : ClauseIndex
        The fitted relevance index over the clauses (``index_.ids_`` are their ids).
    tokenizer_ : Tokenizer
        The tokenizer the index was fitted with.

    Examples
    --------
    >>> from policymatch import EnterpriseProfile, load_policies
    >>> matcher = Matcher().fit(load_policies())
    >>> report = matcher.match(EnterpriseProfile(name="示例", region="嵊州市"))
    >>> report.enterprise
    '示例'
    """

    def __init__(self, *, tokenizer: Tokenizer | None = None,
                 index_cache: str | os.PathLike[str] | None = None,
                 n_terms: int = 5, max_changes: int = 2) -> None:
        self.tokenizer = tokenizer
        self.index_cache = index_cache
        self.n_terms = n_terms
        self.max_changes = max_changes

    def __repr__(self) -> str:
        fitted = f"{len(self.policy_set_)} clauses" if hasattr(self, "policy_set_") else "not fitted"
        return f"Matcher({fitted})"

    # -- fitting ------------------------------------------------------------------------------
    def fit(self, policy_set: PolicySet) -> Matcher:
        """Learn the relevance index of ``policy_set``; returns ``self``."""
        from .audience import clause_sectors
        from .index import generic_words
        from .text import Tokenizer

        if not isinstance(policy_set, PolicySet):
            raise TypeError(f"fit expects a PolicySet (see load_policies), got "
                            f"{type(policy_set).__name__}")
        tokenizer = self.tokenizer if self.tokenizer is not None else Tokenizer()
        pairs = list(policy_set.items())
        fingerprint = policy_set.fingerprint()
        damped = generic_words()
        index = self._cached_index(fingerprint, tokenizer)
        if index is not None and index.damped != damped:
            index = None  # fitted with other generic words: refit and overwrite
        if index is None:  # the bundled corpus's index is compiled ahead, for a fresh install
            index = compiled_index(fingerprint, tokenizer)
            if index is not None and index.damped != damped:
                index = None
        if index is None:
            index = fit_index(policy_set, tokenizer, fingerprint=fingerprint)
            self._store_index(index, fingerprint)
        self.policy_set_ = policy_set
        self.pairs_ = pairs
        self.conditions_ = [without_not(c.conditions) for _, c in pairs]
        self.doc_conditions_ = {p.id: without_not(p.conditions) for p in policy_set.policies}
        plans = [plan(c) for c in self.conditions_]
        doc_plans = {k: plan(c) for k, c in self.doc_conditions_.items()}
        ids: dict[Any, int] = {}  # each distinct leaf test numbered once, for the first pass
        self._plans = [numbered(t, ids) for t in plans]  # the first pass's trees
        self._doc_plans = {k: numbered(t, ids) for k, t in doc_plans.items()}
        self._tests = [leaf_tests(t) for t in self._plans]  # every leaf, for missing facts
        self._doc_tests = {k: leaf_tests(t) for k, t in self._doc_plans.items()}
        self._leaves = [plan_leaves(t) for t in plans]  # the reasons, written when read
        self._doc_leaves = {k: plan_leaves(t) for k, t in doc_plans.items()}
        self._asks: dict[Any, Any] = {}  # each question's wording, phrased once
        self.sectors_ = [clause_sectors(p, c) for p, c in pairs]
        self._rows = [(p.id, p.title, c.id, c.title, c.text, max_amount(c.benefit),
                       c.benefit.kind, c.benefit.recipient, c.department, c.mode, c.category,
                       c.exclusive_group) for p, c in pairs]  # what a Match copies as is
        by_policy: dict[str, list[Any]] = {}
        for row, (p, c) in enumerate(pairs):  # the first pass, policy by policy
            fixed = fixed_amount(c.benefit)  # the same for every enterprise, or None
            by_policy.setdefault(p.id, [p, self._doc_plans[p.id], self._doc_tests[p.id], []])[3] \
                .append((row, c, self._plans[row], self._tests[row], fixed))
        self._by_policy = list(by_policy.values())
        self.index_ = index
        self.tokenizer_ = tokenizer
        return self

    def _cache_path(self, fingerprint: str) -> Path | None:
        if self.index_cache is None:
            return None
        return Path(self.index_cache) / f"index-{__version__}-{fingerprint[:16]}"

    def _cached_index(self, fingerprint: str, tokenizer: Tokenizer) -> ClauseIndex | None:
        path = self._cache_path(fingerprint)
        if path is None or not path.is_dir():
            return None
        from .index import ClauseIndex

        try:
            return ClauseIndex.load(path, expected_fingerprint=fingerprint, tokenizer=tokenizer)
        except IndexFormatError as exc:  # damaged or foreign: a cache is disposable
            reason = str(exc).splitlines()[0].replace(f"{path}/", "").replace(f"{path}: ", "")
            log.warning("index cache %s cannot be used (%s); fitting the index again",
                        path, reason[:300])
            return None

    def _store_index(self, index: ClauseIndex, fingerprint: str) -> None:
        path = self._cache_path(fingerprint)
        if path is not None:
            try:
                index.save(path)
            except OSError:  # a read-only cache is not an error: the index lives in memory
                pass

    def _check_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise NotFittedError("this Matcher is not fitted yet: call "
                                 "Matcher().fit(load_policies()) first")

    # -- one enterprise -----------------------------------------------------------------------
    def match(self, profile: EnterpriseProfile | Mapping[str, Any], *, as_of: date | None = None,
              top_k: int | None = None, include_ineligible: bool = False) -> MatchReport:
        """Every clause the enterprise can claim, why, how much, and what is still missing.

        Parameters
        ----------
        profile : EnterpriseProfile or dict
            What is known about the enterprise; missing facts stay unknown.
        as_of : date or str, optional
            The day the question is asked (validity dates, firm age), a date or ISO text
            ``"2025-01-01"``; default today. A firm founded after it is a
            :class:`~policymatch.errors.ProfileError`.
        top_k : int, optional
            List only the first ``top_k`` matches after ordering (``omitted`` says how many were
            left out). The summary, total, 就高不重复 and questions are those of every match.
        include_ineligible : bool
            Also list ineligible clauses, near misses first, with the change that would help.
        """
        from .audience import profile_sectors, unrelated

        self._check_fitted()
        _check_top_k(top_k, optional=True)
        profile = _as_profile(profile)
        day = as_day(as_of) or date.today()
        check_day(profile, day)
        query = profile_query(profile)  # once: explaining each shown match reuses it
        scores = self._relevance(query)
        firm = profile_sectors(profile)
        # first pass: statuses and amounts only; reasons, formulas, matched terms and questions
        # are written when the report is read (see _Explainer)
        memo: dict[Any, Outcome] = {}
        run = outcome_runner(profile, day, memo)
        leaf = leaf_runner(profile, day, memo)
        inactive: list[str] = []
        kept: list[Kept] = []
        unmet, unknown = Outcome.UNMET, Outcome.UNKNOWN
        ineligible, possible, eligible = Status.INELIGIBLE, Status.POSSIBLE, Status.ELIGIBLE
        sectors = self.sectors_
        for policy, doc_plan, doc_tests, clauses in self._by_policy:
            if not policy.active_on(day):
                inactive.extend(c.id for _, c, _, _, _ in clauses)
                continue
            doc = run(doc_plan)
            if doc is unmet and not include_ineligible:
                continue
            settled = False
            for row, clause, own_plan, tests, fixed in clauses:
                own = run(own_plan)
                if own is unmet and not include_ineligible:
                    continue
                # every leaf of a clause kept is judged now (a fact the rules cannot compare
                # fails here, as when every reason was written at once); the reasons later
                if not settled:
                    for key, node, _ in doc_tests:
                        if key not in memo:
                            leaf(key, node)
                    settled = True
                for key, node, _ in tests:
                    if key not in memo:
                        leaf(key, node)
                status = (ineligible if doc is unmet or own is unmet
                          else possible if doc is unknown or own is unknown else eligible)
                amount, base_missing, upper = fixed or amount_for(clause.benefit, profile,
                                                                  as_of=day)
                changes: tuple[Change, ...] = ()
                if status is ineligible:
                    amount = None
                    parts = [changes_for(c, profile, as_of=day)
                             for c in (self.doc_conditions_[policy.id], self.conditions_[row])]
                    changes = () if any(p is None for p in parts) else tuple(
                        change for p in parts if p for change in p)
                kept.append(Kept(row, status, doc, own, amount, upper, base_missing, scores[row],
                                  unrelated(sectors[row], firm), changes))
        aside = set_aside(kept, self._rows)
        near_limit = self.max_changes
        rows = self._rows

        def order(k: Kept) -> tuple[Any, ...]:
            near = 0 if (k.status is not Status.INELIGIBLE
                         or (k.changes and len(k.changes) <= near_limit)) else 1
            return (_ORDER[k.status], near, 1 if k.row in aside else 0, 1 if k.unrelated else 0,
                    -round(k.score, 9), -(k.amount or 0.0), rows[k.row][2])

        kept.sort(key=order)
        shown = len(kept) if top_k is None else min(top_k, len(kept))
        explainer = Explainer(self, profile, day, query, memo, kept, aside, shown)
        return deferred(MatchReport, {
            "enterprise": profile.name, "as_of": day, "inactive": tuple(inactive),
            **totals(kept, aside, rows), "omitted": len(kept) - shown}, explainer)

    def _relevance(self, text: str) -> list[float]:
        """Every clause's relevance to ``text`` (without numpy, until something imports it)."""
        if not text.strip():
            return [0.0] * len(self.pairs_)
        return self.index_._score_list(text)

    # -- free text ----------------------------------------------------------------------------
    def search(self, text: str, *, top_k: int = 10) -> list[SearchHit]:
        """Clauses most relevant to a free-text need, best first (no eligibility judgement).

        Examples
        --------
        >>> from policymatch import load_policies
        >>> hits = Matcher().fit(load_policies()).search("招了几个博士有没有补贴", top_k=3)
        >>> len(hits) <= 3
        True
        """
        self._check_fitted()
        _check_top_k(top_k, optional=False)
        if len(text) > MAX_SEARCH_CHARS:
            raise ProfileError(f"search text of {len(text):,} characters is too long; describe "
                               f"the need in under {MAX_SEARCH_CHARS:,} characters")
        from .text import expand_query

        text = expand_query(text)
        scores = self._relevance(text)
        order = sorted(range(len(self.pairs_)), key=lambda r: (-round(scores[r], 9),
                                                               self.pairs_[r][1].id))
        hits: list[SearchHit] = []
        for row in order[:top_k]:
            if scores[row] <= 0:
                break
            policy, clause = self.pairs_[row]
            terms = tuple(t for t, _ in self.index_.top_terms(text, row, k=self.n_terms))
            hits.append(SearchHit(
                clause_id=clause.id, clause_title=clause.title, policy_id=policy.id,
                policy_title=policy.title, score=float(scores[row]), matched_terms=terms,
                max_amount=max_amount(clause.benefit), department=clause.department))
        return hits

    # -- many enterprises (the work is in policymatch.batch) ------------------------------------
    def match_many(self, profiles: Any, *, as_of: date | None = None, chunk_size: int = 10_000,
                   include_possible: bool = True,
                   rejects: list[tuple[int, str]] | None = None) -> Any:
        """Every eligible or possible (enterprise, clause) pair, as one long pandas DataFrame.

        ``profiles`` is a DataFrame, an iterable of profiles or dicts, or the path of a CSV,
        JSON Lines or Parquet file, read in chunks of ``chunk_size`` rows. Columns:
        ``enterprise_id`` (``id``, else ``credit_code``, else the row number), ``name``,
        ``clause_id``, ``status``, ``score``, ``amount``, ``counted``, ``recipient`` and
        ``missing`` (field paths joined with ``;``), in input order, then clause order; each pair equals what
        :meth:`match` reports. A bad row raises :class:`ProfileError` naming every bad row,
        unless ``rejects`` is a list: then ``(row, reason)`` pairs go there and the rest is
        matched. Needs ``pip install 'policymatch[dataframe]'``.

        Examples
        --------
        >>> from policymatch import load_policies
        >>> table = Matcher().fit(load_policies()).match_many(
        ...     [EnterpriseProfile(name="甲", region="嵊州市")])
        >>> list(table.columns)
        ['enterprise_id', 'name', 'clause_id', 'status', 'score', 'amount', 'counted', 'recipient', 'missing']
        """
        from .batch import match_many

        return match_many(self, profiles, as_of=as_of, chunk_size=chunk_size,
                          include_possible=include_possible, rejects=rejects)

    def iter_match_many(self, profiles: Any, *, as_of: date | None = None,
                        chunk_size: int = 10_000, include_possible: bool = True) -> Iterable[Any]:
        """:meth:`match_many` one chunk at a time, for inputs too large to hold: yields
        :class:`~policymatch.batch.ChunkResult` objects (``table``, ``rejects``, counts)."""
        from .batch import iter_match_many

        return iter_match_many(self, profiles, as_of=as_of, chunk_size=chunk_size,
                               include_possible=include_possible)

    def eligible_for(self, clause_id: str, profiles: Any, *, as_of: date | None = None,
                     chunk_size: int = 10_000,
                     rejects: list[tuple[int, str]] | None = None) -> Any:
        """The enterprises eligible for one clause, with amounts (a 免申即享 payout list).

        The rows of :meth:`match_many` for ``clause_id`` with status ``eligible``; ``counted``
        is False where 就高不重复 gives the enterprise a better clause of the same group.
        Raises :class:`~policymatch.errors.UnknownClauseError` for an unknown id.
        """
        from .batch import eligible_for

        return eligible_for(self, clause_id, profiles, as_of=as_of, chunk_size=chunk_size,
                            rejects=rejects)


def _check_top_k(top_k: object, *, optional: bool) -> None:
    """A negative ``top_k`` would silently drop results from the end (``list[:-1]``)."""
    if top_k is None and optional:
        return
    if isinstance(top_k, bool) or not isinstance(top_k, Integral) or top_k < 0:
        raise ValueError(f"top_k must be a whole number >= 0, got {top_k!r}")


def _as_profile(profile: EnterpriseProfile | Mapping[str, Any]) -> EnterpriseProfile:
    if isinstance(profile, EnterpriseProfile):
        return profile
    if isinstance(profile, Mapping):
        from .profile import load_profile

        return load_profile(dict(profile))
    raise ProfileError(f"expected an EnterpriseProfile or a dict, got {type(profile).__name__}")


def _updated(m: Match, **changes: Any) -> Match:
    return trusted(Match, {**m.__dict__, **changes})


def _apply_exclusivity(matches: list[Match]) -> list[Match]:
    """就高不重复 over whole matches (what :func:`~policymatch.explain.set_aside` does on the
    first pass's records): within a group only the best eligible clause counts."""
    groups: dict[str, list[Match]] = {}
    for m in matches:
        if m.exclusive_group is not None:
            groups.setdefault(m.exclusive_group, []).append(m)
    best: dict[str, Match] = {}
    for group, members in groups.items():
        members.sort(key=lambda m: m.clause_id)
        won = group_winner((m.amount, m.score, m.status is Status.ELIGIBLE) for m in members)
        if won >= 0:
            best[group] = members[won]
    out: list[Match] = []
    for m in matches:
        winner = best.get(m.exclusive_group) if m.exclusive_group else None
        if winner is not None and winner is not m and m.status is Status.ELIGIBLE:
            m = _updated(m, counted=False, set_aside_for=winner.clause_id)
        out.append(m)
    return out
