"""benchmarks/extraction/evaluate.py: the false-eligible rate once a reviewer confirms the words."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from policymatch.models import (
    AllOf,
    Clause,
    EnterpriseProfile,
    FieldTest,
    InKindBenefit,
    Not,
    Outcome,
    Policy,
    Unstructured,
)
from policymatch.rules import evaluate


@pytest.fixture
def scorer(extraction_bench: ModuleType) -> ModuleType:
    return extraction_bench


WORDS = Unstructured(text="具有独立法人资格")
BIG = FieldTest(field="revenue", op=">=", value=2e7)


def _policy(doc: object, own: object) -> Policy:
    clause = Clause(id="c", title="c", text="c", conditions=own, benefit=InKindBenefit(description="x"))
    return Policy(id="p", title="p", clauses=(clause,), conditions=doc)


def test_confirmed_words_are_met_and_nothing_else_changes(scorer: ModuleType) -> None:
    policy = _policy(AllOf(of=(FieldTest(field="region", op="==", value="青溪县"), WORDS)),
                     AllOf(of=(BIG, Not(of=Unstructured(text="发生安全事故")))))
    firm = EnterpriseProfile(name="甲", region="青溪县", revenue=3e7)
    confirmed = scorer.words_confirmed(policy)
    assert evaluate(policy.conditions, firm).outcome is Outcome.UNKNOWN  # the input is untouched
    assert evaluate(confirmed.conditions, firm).outcome is Outcome.MET
    # a confirmed exclusion holds, so its `not` fails: never more eligible than the words allow
    assert evaluate(confirmed.clauses[0].conditions, firm).outcome is Outcome.UNMET
    assert scorer.words_confirmed(_policy(None, BIG)).clauses[0].conditions == BIG
    small = EnterpriseProfile(name="乙", region="青溪县", revenue=1e7)
    assert evaluate(scorer.words_confirmed(_policy(WORDS, BIG)).clauses[0].conditions,
                    small).outcome is Outcome.UNMET


DOC = ("青溪县测试政策\n本政策适用于在青溪县注册登记且具有独立法人资格的企业。\n"
       "一、对年营业收入达到2000万元以上的企业，给予10万元奖励。\n")
LABEL = """document: t.txt
policy:
  title: 青溪县测试政策
  region: 青溪县
  conditions:
    kind: all
    of:
      - {field: region, op: "==", value: 青溪县}
      - {kind: unstructured, text: 具有独立法人资格}
clauses:
  - anchor: 营业收入
    conditions: {field: revenue, op: ">=", value: %s}
    benefit: {kind: fixed, amount: 10万元}
"""


@pytest.mark.parametrize(("threshold", "over_grant"), [("2000万元", False), ("5000万元", True)])
def test_words_confirmed_rate_sees_what_the_plain_rate_cannot(
        scorer: ModuleType, tmp_path: Path, threshold: str, over_grant: bool) -> None:
    (tmp_path / "documents").mkdir()
    (tmp_path / "expected").mkdir()
    (tmp_path / "documents" / "t.txt").write_text(DOC, encoding="utf-8")
    (tmp_path / "expected" / "t.yaml").write_text(LABEL % threshold, encoding="utf-8")
    figures = scorer.evaluate(tmp_path, verbose=False)
    # scope words on both sides: nobody is eligible, so the plain rate is vacuous
    assert figures["eligible verdicts (draft)"] == figures["eligible verdicts (labels)"] == 0
    assert figures["false-eligible rate"] == 0.0
    assert figures["eligible verdicts, words confirmed (draft)"] > 0
    assert figures["eligible verdicts, words confirmed (labels)"] > 0
    rate = figures["false-eligible, words confirmed"]
    # a label stricter than the draft (5000万 against 2000万) is an over-grant once words are met
    assert (rate > 0.0) is over_grant


# -- one measure, two names: generated firms hold one value for both -----------------------------
def _ge(key: str, value: float) -> FieldTest:
    return FieldTest(field=key, op=">=", value=value)


def test_a_draft_key_testing_the_labelled_measure_is_filled_like_it(scorer: ModuleType) -> None:
    label = AllOf(of=(_ge("extra.建筑业产值", 1e9), BIG))
    draft = AllOf(of=(_ge("extra.建筑业总产值", 1e9), BIG))
    same_as = scorer.key_pairs([(label, draft)])
    assert same_as == {"extra.建筑业总产值": "extra.建筑业产值"}
    tests = scorer._tests(label) + scorer._tests(draft)
    population = scorer.firms(tests, 200, seed=3, same_as=same_as)
    verdicts = [(evaluate(label, f).outcome, evaluate(draft, f).outcome) for f in population]
    assert all(a is b for a, b in verdicts)
    assert any(a is Outcome.MET for a, _ in verdicts)
    # without the pairing, the two names are drawn apart and disagree on some firm
    apart = scorer.firms(tests, 200, seed=3)
    assert any(evaluate(label, f).outcome is not evaluate(draft, f).outcome for f in apart)


@pytest.mark.parametrize("draft", [
    _ge("extra.建筑业总产值", 5e8),  # another threshold: a different test, never paired
    FieldTest(field="extra.建筑业总产值", op="<", value=1e9),  # another operator
    _ge("revenue", 1e9),  # a profile field is never renamed
])
def test_a_key_is_paired_only_on_the_same_operator_and_value(scorer: ModuleType, draft: FieldTest) -> None:
    assert scorer.key_pairs([(_ge("extra.建筑业产值", 1e9), draft)]) == {}


def test_a_key_the_labels_use_is_never_renamed(scorer: ModuleType) -> None:
    label = AllOf(of=(_ge("extra.甲", 1e6), _ge("extra.乙", 1e6)))
    assert scorer.key_pairs([(label, _ge("extra.乙", 1e6))]) == {}
