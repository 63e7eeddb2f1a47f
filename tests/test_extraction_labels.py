"""The extraction benchmark's labels checked on their own (benchmarks/extraction/evaluate.py
``--check-labels``): every label file parses and validates, nothing is extracted, and a broken
label is reported with its file, place and fault.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "extraction"
FOLDERS = sorted({p.parent.parent for p in BENCH.glob("**/expected/*.yaml")})

_DOC = ("测试县支持企业发展若干政策\n本政策适用于在测试县注册登记的企业。\n"
        "一、对当年新认定的国家高新技术企业，给予一次性奖励20万元。\n")
_GOOD = """document: doc.txt
policy:
  title: 测试县支持企业发展若干政策
  region: 测试县
  valid_from: 2026-01-01
  conditions: {field: region, op: "==", value: 测试县}
clauses:
  - anchor: 国家高新技术企业
    conditions: {field: new_qualifications, op: has, value: 国家高新技术企业}
    benefit: {kind: fixed, amount: 20万元}
  - anchor: 给予一次性奖励
    conditions: {field: revenue, op: ">=", value: 1亿元}
    benefit: {kind: interest, share: 0.5, cap: 10万元}
"""


@pytest.fixture
def bench(extraction_bench: ModuleType) -> ModuleType:
    return extraction_bench


@pytest.fixture
def no_extraction(bench: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking labels must never extract: any call fails the test."""
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the label check ran the extractor")

    monkeypatch.setattr(bench, "extract_policy", refuse)


def _folder(tmp_path: Path, label: str, doc: str = _DOC) -> Path:
    (tmp_path / "documents").mkdir(parents=True)
    (tmp_path / "expected").mkdir()
    (tmp_path / "documents" / "doc.txt").write_text(doc, encoding="utf-8")
    (tmp_path / "expected" / "doc.yaml").write_text(label, encoding="utf-8")
    return tmp_path


def test_every_benchmark_folder_is_found() -> None:
    names = {f.name for f in FOLDERS}
    assert {"extraction", "heldout", "heldout5", "heldout6", "heldout7", "tuning"} <= names


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_benchmark_labels_validate(bench: ModuleType, no_extraction: None, folder: Path) -> None:
    counts, problems = bench.check_labels(folder, eligible=False)
    assert problems == []
    assert counts and all(n > 0 for n, _ in counts.values())


def test_a_good_label_file_passes_and_counts_label_eligible_verdicts(
        bench: ModuleType, no_extraction: None, tmp_path: Path) -> None:
    counts, problems = bench.check_labels(_folder(tmp_path, _GOOD))
    assert problems == []
    n, eligible = counts["doc.yaml"]
    assert n == 2 and eligible > 0  # region and facts only: generated firms can be eligible


def test_an_unstructured_document_condition_leaves_no_label_eligible_verdict(
        bench: ModuleType, no_extraction: None, tmp_path: Path) -> None:
    label = _GOOD.replace('conditions: {field: region, op: "==", value: 测试县}',
                          "conditions: {kind: unstructured, text: 依法纳税}")
    counts, problems = bench.check_labels(_folder(tmp_path, label))
    assert problems == [] and counts["doc.yaml"][1] == 0


@pytest.mark.parametrize(("old", "new", "fault"), [
    ("field: revenue", "field: revenu", r"clauses\[1\].*unknown field 'revenu'"),
    ("anchor: 给予一次性奖励", "anchor: 不在文中的词", r"clauses\[1\]: anchor '不在文中的词' is not in the document"),
    ("share: 0.5", "share: 1.5", r"clauses\[1\].*benefit"),
    ("kind: fixed", "kind: lump_sum", r"clauses\[0\].*benefit needs a kind"),
    ("    benefit: {kind: fixed", "    grouping: a\n    benefit: {kind: fixed",
     r"clauses\[0\]: unknown keys \['grouping'\]"),
    ("  region: 测试县", "  region: 测试县\n  regoin: 测试县", r"policy: unknown keys \['regoin'\]"),
    ("valid_from: 2026-01-01", "valid_from: 2026年1月1日", r"policy: valid_from .* is not a date"),
    ('op: "==", value: 测试县}', 'op: ">=", value: 测试县}', r"policy: conditions"),
    ("document: doc.txt", "document: other.txt", r"document 'other.txt' is not in"),
    ("  - anchor: 国家高新技术企业\n", "  - anchor: 国家高新技术企业\n    mode: 自动\n", r"mode '自动'"),
])
def test_a_broken_label_is_reported_with_file_place_and_fault(
        bench: ModuleType, no_extraction: None, tmp_path: Path, old: str, new: str, fault: str) -> None:
    assert old in _GOOD
    counts, problems = bench.check_labels(_folder(tmp_path, _GOOD.replace(old, new, 1)))
    assert problems, "the broken label passed"
    assert all(p.startswith("doc.yaml: ") for p in problems)
    assert any(re.search(fault, p) for p in problems), problems
    assert counts["doc.yaml"][1] == 0  # no verdicts are counted on a file with problems


def test_yaml_that_does_not_parse_and_an_empty_folder_are_reported(
        bench: ModuleType, no_extraction: None, tmp_path: Path) -> None:
    _, problems = bench.check_labels(_folder(tmp_path / "a", "clauses: [\n"))
    assert len(problems) == 1 and problems[0].startswith("doc.yaml: not YAML")
    (tmp_path / "b" / "expected").mkdir(parents=True)
    _, problems = bench.check_labels(tmp_path / "b")
    assert problems and "no label files" in problems[0]


def test_the_command_exits_1_on_problems_and_prints_counts(
        bench: ModuleType, no_extraction: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _folder(tmp_path / "good", _GOOD)
    assert bench.main(["--check-labels", str(good)]) == 0
    out = capsys.readouterr().out
    assert "doc.yaml" in out and "2 clauses" in out and "0 problems" in out
    bad = _folder(tmp_path / "bad", _GOOD.replace("field: revenue", "field: revenu"))
    assert bench.main(["--check-labels", str(bad)]) == 1
    assert "unknown field 'revenu'" in capsys.readouterr().out
