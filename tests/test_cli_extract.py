"""`policymatch extract`: raw documents to policy files that validate and match."""

from __future__ import annotations

from pathlib import Path

import pytest

from policymatch import load_policies
from policymatch.cli import main

DOCS = Path(__file__).resolve().parents[1] / "benchmarks" / "extraction" / "documents"


def test_extract_validate_match(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("POLICYMATCH_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "drafts"
    out.mkdir()
    docs = sorted(DOCS.glob("*.txt"))
    assert main(["extract", *map(str, docs), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.count("clauses") == len(docs)
    written = sorted(out.glob("*.yaml"))
    assert [p.stem for p in written] == [d.stem for d in docs]
    assert written[0].read_text(encoding="utf-8").startswith("# Machine-extracted draft")
    assert main(["validate", str(out)]) == 0
    policies = load_policies(out)
    region = policies.policies[0].region
    assert main(["match", "--policies", str(out), "--name", "抽取测试企业", "--region", region,
                 "--set", "credit_clean=true", "--set", "safety_incident_free=true",
                 "--format", "json"]) == 0
    assert '"enterprise": "抽取测试企业"' in capsys.readouterr().out


def test_extract_to_stdout_as_json(capsys):
    doc = sorted(DOCS.glob("*.txt"))[0]
    assert main(["extract", str(doc), "--format", "json", "--policy-id", "my-policy"]) == 0
    out = capsys.readouterr().out
    assert '"id": "my-policy"' in out


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("empty.txt", b"", "empty"),
    ("binary.txt", b"\x00\x01\x02PK\x03\x04" * 100, "binary"),
    ("latin1.txt", "政策".encode("gb18030") + b"\xff\xfe", "UTF-8"),
    ("noclauses.txt", "今天天气很好，我们去公园散步。".encode(), "no clause"),
])
def test_bad_documents_exit_1_with_one_line(tmp_path, capsys, name, data, message):
    assert main(["extract", _write(tmp_path, name, data)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and len(err.splitlines()) == 1
    assert message.lower() in err.lower()


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path, capsys):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:  # sparse: no 50 MB actually written
        fh.truncate(50 * 1024 * 1024)
    assert main(["extract", str(big)]) == 1
    assert "5,000,000-byte limit" in capsys.readouterr().err


def test_policy_id_needs_one_file(tmp_path, capsys):
    docs = [str(p) for p in sorted(DOCS.glob("*.txt"))[:2]]
    assert main(["extract", *docs, "--policy-id", "x"]) == 1
    assert "one FILE" in capsys.readouterr().err


def test_a_draft_with_unstructured_words_is_never_eligible_for_them(tmp_path, capsys, monkeypatch):
    import json

    monkeypatch.setenv("POLICYMATCH_CACHE_DIR", str(tmp_path / "cache"))
    doc = tmp_path / "nanshan.txt"
    doc.write_text("南山县支持企业发展若干政策\n本政策适用于在南山县注册登记、依法纳税的企业。\n"
                   "（一）对新认定的国家高新技术企业，给予20万元奖励。\n"
                   "（二）对当年设备投资额达到500万元以上的企业，按设备投资额的10%给予补助。"
                   "项目须通过竣工验收。\n", encoding="utf-8")
    out = tmp_path / "drafts"
    out.mkdir()
    assert main(["extract", str(doc), "-o", str(out)]) == 0
    text = (out / "nanshan.yaml").read_text(encoding="utf-8")
    assert "kind: unstructured" in text and "依法纳税" in text and "项目须通过竣工验收" in text
    assert main(["validate", str(out)]) == 0
    capsys.readouterr()
    assert main(["match", "--policies", str(out), "--name", "甲", "--region", "南山县",
                 "--set", "new_qualifications=国家高新技术企业", "--set", "equipment_investment=800万",
                 "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {m["status"] for m in report["matches"]} == {"possible"}
    assert any(q["field"].startswith("需人工核对：") for q in report["questions"])
