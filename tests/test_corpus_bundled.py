"""Tests that keep the bundled corpus (policies/, read as ``policymatch.policies``) honest.

Every file validates and runs its stored cases; ids are unique; every field and every
qualification or industry name a condition uses is known; every money benefit computes an amount;
the 1 / 9 / X tiers are all present; there are at least 58 computable clauses; every numeric
threshold has boundary cases; no two clause texts are near-duplicates; each file says plainly that
it is an illustrative model.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from policymatch.aliases import alias_table
from policymatch.corpus import bundled_files, load_policies
from policymatch.fields import field_spec
from policymatch.matcher import assess, check_cases
from policymatch.models import (
    AllOf,
    AnyOf,
    Clause,
    Condition,
    FieldTest,
    InKindBenefit,
    Not,
    Policy,
    PolicySet,
    Status,
)
from policymatch.profile import EnterpriseProfile
from policymatch.rules import fields_of, leaf_outcome

POLICIES_DIR = Path(__file__).resolve().parents[1] / "policies"
#: The day the corpus was checked against; one X-tier policy had already expired by then.
CHECK_DAY = date(2026, 11, 27)
MIN_COMPUTABLE = 58
NEAR_DUPLICATE = 0.8


@pytest.fixture(scope="module")
def bundled() -> PolicySet:
    """The bundled corpus, loaded and validated once (raises PolicyFileError on any problem)."""
    return load_policies()


def _clauses(ps: PolicySet) -> list[tuple[Policy, Clause]]:
    return list(ps.items())


def _leaves(node: Condition | None) -> list[FieldTest]:
    if node is None:
        return []
    if isinstance(node, FieldTest):
        return [node]
    if isinstance(node, Not):
        return _leaves(node.of)
    assert isinstance(node, (AllOf, AnyOf))
    return [leaf for child in node.of for leaf in _leaves(child)]


def _case_profile(case_profile: dict[str, object]) -> EnterpriseProfile:
    return EnterpriseProfile.model_validate({"name": "案例企业", **case_profile})


# -- loading -------------------------------------------------------------------------------------
def test_every_bundled_file_loads_and_validates(bundled: PolicySet) -> None:
    names = [f.name for f in bundled_files()]
    assert len(names) == len(bundled.policies) >= 11
    assert all(name.startswith("sz-") for name in names)


def test_policy_and_clause_ids_are_unique(bundled: PolicySet) -> None:
    policy_ids = Counter(p.id for p in bundled.policies)
    clause_ids = Counter(c.id for _, c in bundled.items())
    assert [i for i, n in policy_ids.items() if n > 1] == []
    assert [i for i, n in clause_ids.items() if n > 1] == []


def test_stored_cases_all_pass(bundled: PolicySet) -> None:
    assert check_cases(bundled) == []


# -- the 1 + 9 + X system -------------------------------------------------------------------------
def test_each_tier_of_the_1_9_x_system_is_present(bundled: PolicySet) -> None:
    tiers = Counter(p.tier for p in bundled.policies)
    assert tiers["1"] == 1
    assert tiers["9"] == 9
    assert tiers["X"] >= 3
    assert set(tiers) == {"1", "9", "X"}
    nine_domains = {p.domain for p in bundled.policies if p.tier == "9"}
    assert len(nine_domains) == 9


def test_at_least_58_computable_clauses(bundled: PolicySet) -> None:
    computable = [c for _, c in bundled.items() if not isinstance(c.benefit, InKindBenefit)]
    assert len(computable) >= MIN_COMPUTABLE


def test_every_policy_is_a_dated_county_document(bundled: PolicySet) -> None:
    for policy in bundled.policies:
        assert policy.region == "嵊州市", policy.id
        assert policy.valid_from is not None and policy.valid_to is not None, policy.id
        assert policy.issuer and policy.source and policy.domain, policy.id
        leaves = {(leaf.field, leaf.op, leaf.value) for leaf in _leaves(policy.conditions)}
        assert ("region", "==", "嵊州市") in leaves, policy.id
        assert ("credit_clean", "==", True) in leaves, policy.id


def test_exactly_one_x_policy_has_expired_on_the_check_day(bundled: PolicySet) -> None:
    expired = [p for p in bundled.policies if not p.active_on(CHECK_DAY)]
    assert [p.tier for p in expired] == ["X"]
    assert expired[0].valid_to is not None and expired[0].valid_to < CHECK_DAY


# -- conditions and names ------------------------------------------------------------------------
def test_every_condition_field_exists(bundled: PolicySet) -> None:
    unknown = []
    for policy, clause in bundled.items():
        for name in fields_of(policy.conditions) + fields_of(clause.conditions):
            if field_spec(name) is None:
                unknown.append(f"{clause.id}: {name}")
        base = getattr(clause.benefit, "field", None)
        if base is not None and field_spec(base) is None:
            unknown.append(f"{clause.id}: benefit base {base}")
    assert unknown == []


def test_every_qualification_and_industry_named_is_canonical(bundled: PolicySet) -> None:
    table = alias_table()
    stray = []
    for policy, clause in bundled.items():
        for leaf in _leaves(policy.conditions) + _leaves(clause.conditions):
            values = leaf.value if isinstance(leaf.value, list) else [leaf.value]
            if leaf.field in ("qualifications", "new_qualifications"):
                stray += [f"{clause.id}: {v}" for v in values if v not in table.qualifications]
            elif leaf.field == "industry":
                stray += [f"{clause.id}: {v}" for v in values if v not in table.industries]
    assert stray == []


def test_extra_keys_are_documented_in_the_readme(bundled: PolicySet) -> None:
    readme = (POLICIES_DIR / "README.md").read_text(encoding="utf-8")
    used = set()
    for policy, clause in bundled.items():
        for name in fields_of(policy.conditions) + fields_of(clause.conditions):
            if name.startswith("extra."):
                used.add(name)
        base = getattr(clause.benefit, "field", None)
        if isinstance(base, str) and base.startswith("extra."):
            used.add(base)
    assert used, "the corpus uses some extra.<key> facts"
    assert sorted(k for k in used if f"`{k}`" not in readme) == []


# -- amounts and cases ---------------------------------------------------------------------------
def test_every_money_benefit_computes_an_amount_for_one_of_its_cases(bundled: PolicySet) -> None:
    silent = []
    for policy, clause in bundled.items():
        if isinstance(clause.benefit, InKindBenefit):
            continue
        amounts = []
        for case in clause.cases:
            if case.expect is not Status.ELIGIBLE:
                continue
            day = case.as_of or policy.valid_from or CHECK_DAY
            match = assess(policy, clause, _case_profile(case.profile), as_of=day)
            amounts.append(match.amount or 0.0)
        if not any(a > 0 for a in amounts):
            silent.append(clause.id)
    assert silent == []


def test_every_clause_has_eligible_ineligible_and_missing_fact_cases(bundled: PolicySet) -> None:
    thin = []
    for _, clause in bundled.items():
        expects = {case.expect for case in clause.cases}
        wanted = {Status.ELIGIBLE}
        if clause.conditions is not None:
            wanted |= {Status.INELIGIBLE, Status.POSSIBLE}
        if not wanted <= expects:
            thin.append(f"{clause.id}: no {sorted(s.value for s in wanted - expects)} case")
    assert thin == [], "\n".join(thin)


_NUMERIC = {">=", ">", "<=", "<", "=="}


def test_every_numeric_threshold_has_cases_on_both_sides_and_at_the_line(
        bundled: PolicySet) -> None:
    missing = []
    for policy, clause in bundled.items():
        for leaf in _leaves(clause.conditions):
            if leaf.op not in _NUMERIC or isinstance(leaf.value, (bool, str)):
                continue
            values = []
            for case in clause.cases:
                day = case.as_of or policy.valid_from or CHECK_DAY
                value = _case_profile(case.profile).get(leaf.field, day)
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    values.append(float(value))
            outcomes = {leaf_outcome(leaf.op, v, leaf.value, leaf.field).value for v in values}
            at_line = leaf.field == "age_years" or float(leaf.value) in values
            if outcomes != {"met", "unmet"} or not at_line:
                missing.append(f"{clause.id}: {leaf.field} {leaf.op} {leaf.value:g}")
    assert missing == [], "\n".join(missing)


# -- text ----------------------------------------------------------------------------------------
def _grams(text: str) -> set[str]:
    compact = re.sub(r"\s+", "", text)
    return {compact[i:i + 3] for i in range(len(compact) - 2)}


def test_no_two_clause_texts_are_near_duplicates(bundled: PolicySet) -> None:
    grams = [(c.id, _grams(c.text)) for _, c in bundled.items()]
    close = []
    for (a, ga), (b, gb) in itertools.combinations(grams, 2):
        jaccard = len(ga & gb) / len(ga | gb)
        if jaccard >= NEAR_DUPLICATE:
            close.append(f"{a} ~ {b}: {jaccard:.2f}")
    assert close == []


def test_clause_metadata_is_complete(bundled: PolicySet) -> None:
    incomplete = []
    for _, clause in bundled.items():
        if not (clause.department and clause.source and clause.cases and clause.category):
            incomplete.append(clause.id)
        if re.search(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]", clause.text):
            incomplete.append(f"{clause.id}: stray space inside Chinese text")
    assert incomplete == []


def test_each_file_says_it_is_an_illustrative_model(bundled: PolicySet) -> None:
    unmarked = []
    for resource in bundled_files():
        head = resource.read_text(encoding="utf-8")[:400]
        if not (head.startswith("# ILLUSTRATIVE MODEL") and "NOT the official policy text" in head
                and "不是官方" in head):
            unmarked.append(resource.name)
    for policy in bundled.policies:
        if not (policy.illustrative and policy.notice and "不是官方政策原文" in policy.notice):
            unmarked.append(policy.id)
    assert unmarked == []
