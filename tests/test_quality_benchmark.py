"""The quality benchmark (benchmarks/quality): its label files are well-formed and its script runs.

The figures themselves are not asserted here: accuracy is what the benchmark reports, not a
property a unit test should pin.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from policymatch import EnterpriseProfile, load_policies

QUALITY = Path(__file__).resolve().parents[1] / "benchmarks" / "quality"
STATUSES = {"eligible", "possible", "ineligible"}
METRIC_LINES = ("eligibility accuracy:", "false-eligible rate:", "amount accuracy:",
                "default possible list precision@15:", "search nDCG@5:", "search recall@5:",
                "held-out search nDCG@5:")


@pytest.fixture
def evaluate(quality_bench: ModuleType) -> ModuleType:
    return quality_bench


@pytest.fixture(scope="module")
def profiles() -> dict[str, Any]:
    return yaml.safe_load((QUALITY / "profiles.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def queries() -> dict[str, Any]:
    return yaml.safe_load((QUALITY / "queries.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def heldout() -> dict[str, Any]:
    return yaml.safe_load((QUALITY / "queries_heldout.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def clause_ids() -> set[str]:
    return {clause.id for _, clause in load_policies().items()}


# -- the label files ------------------------------------------------------------------------------
def test_every_profile_validates_and_has_a_unique_key(profiles: dict[str, Any]) -> None:
    assert isinstance(profiles["as_of"], date)
    keys = [entry["key"] for entry in profiles["profiles"]]
    assert len(keys) == len(set(keys))
    for entry in profiles["profiles"]:
        EnterpriseProfile.model_validate(entry["profile"])  # raises on a bad profile
        assert isinstance(entry.get("as_of", profiles["as_of"]), date), entry["key"]


def test_every_label_names_a_bundled_clause_once_with_a_valid_status(
        profiles: dict[str, Any], clause_ids: set[str]) -> None:
    bad = []
    for entry in profiles["profiles"]:
        seen: set[str] = set()
        for label in entry["labels"]:
            where = f"{entry['key']}/{label.get('clause')}"
            if label.get("clause") not in clause_ids:
                bad.append(f"{where}: no such clause in the bundled corpus")
            if label.get("clause") in seen:
                bad.append(f"{where}: labelled twice")
            seen.add(label.get("clause"))
            if label.get("status") not in STATUSES:
                bad.append(f"{where}: status {label.get('status')!r}")
            if not str(label.get("why", "")).strip():
                bad.append(f"{where}: no explanation")
            unknown_keys = set(label) - {"clause", "status", "amount", "counted", "why"}
            if unknown_keys:
                bad.append(f"{where}: unknown keys {sorted(unknown_keys)}")
    assert bad == [], "\n".join(bad)


def test_amounts_and_counted_flags_only_on_eligible_labels(profiles: dict[str, Any]) -> None:
    bad = []
    for entry in profiles["profiles"]:
        for label in entry["labels"]:
            where = f"{entry['key']}/{label['clause']}"
            amount = label.get("amount")
            if amount is not None and (label["status"] != "eligible" or isinstance(amount, bool)
                                       or not isinstance(amount, (int, float)) or amount < 0):
                bad.append(f"{where}: amount {amount!r} (元, only on eligible labels)")
            counted = label.get("counted")
            if counted is not None and (label["status"] != "eligible" or not isinstance(counted, bool)):
                bad.append(f"{where}: counted {counted!r} (true/false, only on eligible labels)")
    assert bad == [], "\n".join(bad)


def test_worth_asking_labels_every_profile_with_bundled_clauses(
        profiles: dict[str, Any], clause_ids: set[str]) -> None:
    worth = yaml.safe_load((QUALITY / "worth_asking.yaml").read_text(encoding="utf-8"))
    walk_ins = yaml.safe_load((QUALITY / "walk_ins.yaml").read_text(encoding="utf-8"))
    for entry in walk_ins["profiles"]:
        EnterpriseProfile.model_validate(entry["profile"])
    keys = {e["key"] for e in profiles["profiles"]} | {e["key"] for e in walk_ins["profiles"]}
    assert set(worth["profiles"]) == keys  # every profile labelled, no label for a stranger
    groups = worth["groups"]
    bad = [f"group {g}: no clause {c}" for g, ids in groups.items() for c in ids
           if c not in clause_ids]
    for key, entry in worth["profiles"].items():
        bad += [f"{key}: no group {g}" for g in entry.get("groups", []) if g not in groups]
        bad += [f"{key}: no clause {c}" for c in entry.get("clauses", []) + entry.get("except", [])
                if c not in clause_ids]
        bad += [f"{key}: unknown key {k}" for k in set(entry) - {"groups", "clauses", "except"}]
    assert bad == [], "\n".join(bad)


@pytest.mark.parametrize("which", ["queries", "heldout"])
def test_every_query_names_bundled_clauses_and_has_a_direct_answer(
        which: str, queries: dict[str, Any], heldout: dict[str, Any],
        clause_ids: set[str]) -> None:
    bad = []
    for query in {"queries": queries, "heldout": heldout}[which]["queries"]:
        text, relevant = query.get("text"), query.get("relevant") or {}
        if not isinstance(text, str) or not text.strip():
            bad.append(f"query without text: {query!r}")
        bad += [f"{text}: no clause {cid}" for cid in relevant if cid not in clause_ids]
        bad += [f"{text}: {cid} has grade {g!r}" for cid, g in relevant.items() if g not in (1, 2)]
        if 2 not in relevant.values():
            bad.append(f"{text}: no grade-2 clause")
    assert bad == [], "\n".join(bad)


# -- the script -----------------------------------------------------------------------------------
def _subset(tmp_path: Path, *, wrong: bool) -> list[str]:
    """A two-profile, three-query subset; ``wrong`` adds one deliberately wrong label."""
    labels: list[dict[str, Any]] = [
        {"clause": "sz1-tax", "status": "eligible", "amount": 100000, "why": "税收恰好1000万"},
        {"clause": "sz1-xsg", "status": "possible", "why": "是否当年新上规未知"},
        {"clause": "szx-wg-zg", "status": "ineligible", "why": "已过有效期"},
    ]
    if wrong:
        labels.append({"clause": "sz1-dbfw", "status": "eligible", "why": "故意写错：失信企业"})
    data = {
        "as_of": date(2026, 6, 30),
        "profiles": [
            {"key": "taxpayer", "profile": {"name": "甲", "region": "嵊州市", "credit_clean": True,
                                            "safety_incident_free": True, "tax_paid": "1000万",
                                            "talents": {"new_hires": 3}},
             "labels": labels[:3]},
            {"key": "dishonest", "profile": {"name": "乙", "region": "嵊州市", "credit_clean": False},
             "labels": labels[3:]},
        ],
    }
    profiles = tmp_path / "profiles.yaml"
    profiles.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    queries = tmp_path / "queries.yaml"
    queries.write_text(yaml.safe_dump({"queries": [
        {"text": "招了几个博士有没有补贴", "relevant": {"sz9-tal-phd": 2, "szx-aj-zf-phd": 1}},
        {"text": "出口信用保险能报销吗", "relevant": {"sz9-open-xb": 2}},
        {"text": "茶园改造", "relevant": {"sz9-agr-cy": 2}},
    ]}, allow_unicode=True), encoding="utf-8")
    return ["--profiles", str(profiles), "--queries", str(queries)]


@pytest.mark.slow
def test_the_script_prints_every_metric_and_exits_0(
        evaluate: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate.main(_subset(tmp_path, wrong=False)) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    for start in METRIC_LINES:
        assert any(line.startswith(start) for line in lines), start
    assert "2 profiles, 3 labels" in out
    assert "3 queries" in out and "20 held-out queries" in out


@pytest.mark.slow
def test_min_accuracy_fails_the_run_and_disagreements_are_listed(
        evaluate: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = _subset(tmp_path, wrong=True)
    assert evaluate.main([*argv, "--min-accuracy", "1"]) == 1
    out = capsys.readouterr().out
    assert "dishonest | sz1-dbfw | eligible | ineligible" in out
    assert "故意写错" in out  # the label's own explanation sits next to the program's reasons


@pytest.mark.slow
def test_default_possible_list_is_the_cli_table(evaluate: ModuleType) -> None:
    """precision@15 scores what `policymatch match` prints: the same rows, in the same order."""
    from policymatch import Matcher, load_policies
    from policymatch.display.table import POSSIBLE_ROWS

    profile = EnterpriseProfile(name="某纺织公司", region="嵊州市", industry="纺织")
    report = Matcher().fit(load_policies()).match(profile, as_of=date(2026, 6, 30))
    rows = evaluate.default_possible(report)
    assert len(rows) == POSSIBLE_ROWS and not any(m.unrelated for m in rows)
    assert rows == [m for m in report.matches if m.status.value == "possible"
                    and not m.unrelated][:POSSIBLE_ROWS]


def test_ndcg_and_recall_follow_the_textbook_definitions(evaluate: ModuleType) -> None:
    relevant = {"a": 2, "b": 1}
    assert evaluate.ndcg(["a", "b"], relevant) == pytest.approx(1.0)
    assert evaluate.ndcg(["x", "y"], relevant) == 0.0
    # b first, then a: (1/log2 2 + 3/log2 3) / (3/log2 2 + 1/log2 3)
    assert evaluate.ndcg(["b", "a"], relevant) == pytest.approx((1 + 3 / 1.5849625) / (3 + 1 / 1.5849625))
    assert evaluate.recall(["a", "x"], relevant) == 0.5
    assert evaluate.recall(["a", "x"], relevant, min_grade=2) == 1.0
