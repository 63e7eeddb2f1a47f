"""`policymatch match` and `policymatch search` from the command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from policymatch import MatchReport
from policymatch.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
MINI = str(ROOT / "tests" / "data" / "mini.yaml")


@pytest.fixture(scope="module")
def _cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli-cache")


@pytest.fixture(autouse=True)
def _private_cache(_cache_dir, monkeypatch):
    # one cache for the module: the index is fitted once, later commands load it
    monkeypatch.setenv("POLICYMATCH_CACHE_DIR", str(_cache_dir))


def test_there_are_enough_examples():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_matches(path, capsys):
    assert main(["match", str(path), "--as-of", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    name = json.loads(path.read_text(encoding="utf-8"))["name"]
    assert out.startswith(name) and "可享受" in out


@pytest.mark.parametrize("path", EXAMPLES[:3], ids=[p.stem for p in EXAMPLES[:3]])
def test_json_output_is_a_match_report(path, capsys):
    assert main(["match", str(path), "--format", "json", "--as-of", "2026-06-30", "--all"]) == 0
    report = MatchReport.model_validate_json(capsys.readouterr().out)
    assert report.as_of.isoformat() == "2026-06-30"
    assert any(m.status.value == "ineligible" for m in report.matches)


def test_table_fits_100_columns(capsys):
    from policymatch._table import width

    main(["match", str(ROOT / "examples" / "auto_parts_maker.json")])
    lines = capsys.readouterr().out.splitlines()
    table = [ln for ln in lines if ln.startswith(("状态", "可享受", "待确认", "------"))]
    assert table and max(width(ln) for ln in table) <= 100


def test_profile_from_flags(capsys):
    code = main(["match", "--policies", MINI, "--name", "旗标公司", "--region", "测试县",
                 "--revenue", "6亿", "--set", "credit_clean=true", "--as-of", "2025-06-01",
                 "--format", "json"])
    assert code == 0
    report = MatchReport.model_validate_json(capsys.readouterr().out)
    sales = next(m for m in report.matches if m.clause_id == "mini-sales")
    assert sales.status.value == "eligible" and sales.amount == 300_000


def test_flags_override_the_file_and_set_nested(tmp_path, capsys):
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"name": "文件公司", "region": "测试县", "credit_clean": True,
                                   "revenue": 1000}), encoding="utf-8")
    assert main(["match", str(profile), "--policies", MINI, "--revenue", "1.5亿",
                 "--set", "talents.phd=2", "--as-of", "2025-06-01", "--format", "json"]) == 0
    got = {m.clause_id: m for m in MatchReport.model_validate_json(capsys.readouterr().out).matches}
    assert got["mini-sales"].amount == 100_000
    assert got["mini-phd"].amount == 2 * 3000 * 36


def test_profile_from_stdin(monkeypatch, capsys):
    data = json.dumps({"name": "标准输入公司", "region": "测试县"}).encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["match", "-", "--policies", MINI, "--as-of", "2025-06-01"]) == 0
    assert capsys.readouterr().out.startswith("标准输入公司")


@pytest.mark.parametrize(("argv", "message"), [
    (["match", "no-such-file.json"], "no such file"),
    (["match", "--name", "甲", "--revenue", "很多钱"], "cannot read"),
    (["match", "--name", "甲", "--as-of", "2025/01/01"], "YYYY-MM-DD"),
    (["match", "--name", "甲", "--set", "oops"], "FIELD=VALUE"),
    (["match"], "no profile given"),
    (["match", "--name", "甲", "--set", "unknown_field=1"], "unknown_field"),
    (["match", "--name", "甲", "--policies", "nowhere/"], "no such file or folder"),
])
def test_user_errors_exit_1_with_one_line(argv, message, capsys):
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert len(err.strip().splitlines()) == 1


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["match", "--format", "xml"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["search"])
    assert info.value.code == 2


def test_search_table_and_json(capsys):
    assert main(["search", "招了几个博士有没有补贴", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "博士" in out.splitlines()[2]
    assert main(["search", "招了几个博士有没有补贴", "--top", "3", "--format", "json"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert len(hits) == 3 and "博士" in hits[0]["clause_title"]


def test_all_lists_expired_clauses(capsys):
    assert main(["match", "--name", "甲", "--region", "嵊州市", "--all"]) == 0
    out = capsys.readouterr().out
    assert "不在执行期内" in out


def test_python_dash_m_works(tmp_path):
    env_cache = {"POLICYMATCH_CACHE_DIR": str(tmp_path)}
    import os

    proc = subprocess.run([sys.executable, "-m", "policymatch", "match", "--policies", MINI,
                           "--name", "子进程公司", "--as-of", "2025-06-01"],
                          capture_output=True, text=True, env={**os.environ, **env_cache},
                          cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("子进程公司")
