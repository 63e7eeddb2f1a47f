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
    from policymatch.display.table import width

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


# -- what inputs mean (dates, names, cells, errors) ------------------------------------------------
def _json_report(capsys, *flags):
    assert main(["match", "--name", "甲", "--region", "嵊州市", "--as-of", "2025-06-01",
                 "--format", "json", *flags]) == 0
    return MatchReport.model_validate_json(capsys.readouterr().out)


@pytest.mark.parametrize(("flags", "message"), [
    (["--established", "2030-01-01"], r"^error: established: 2030-01-01 is after the day of "
                                      r"judgement 2025-06-01 \(as_of\); check the founding year"),
    (["--established", "2026"], r"established: 2026-01-01 is after the day of judgement"),
    (["--established", "0"], r"established: cannot read '0' as a date; write the date as"),
    (["--revenue", "-500万"], r"^error: profile: revenue: '-500万' is negative"),
    (["--employees", "-3"], r"^error: profile: employees: Input should be greater than or equal"),
])
def test_bad_facts_are_one_clean_line(flags, message, capsys):
    import re

    assert main(["match", "--name", "甲", "--as-of", "2025-06-01", *flags]) == 1
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert captured.out == "" and len(lines) == 1 and "usage:" not in captured.err
    assert re.search(message, lines[0]), lines[0]


def test_a_founding_year_is_a_range_not_the_first_of_january(capsys):
    # sz clauses test 成立年限; 2022 on 2025-06-01 is 2.4-3.4 years: a 3-year test is open
    year = _json_report(capsys, "--established", "2022")
    day = _json_report(capsys, "--established", "2022-01-01")
    by_day = {m.clause_id: m for m in day.matches}
    open_ = [m for m in year.matches if "age_years" in m.missing]
    assert open_ and all(m.status.value == "possible" for m in open_)
    # the first of January would decide every one of them (guessing the age)
    assert all(m.clause_id not in by_day or "age_years" not in by_day[m.clause_id].missing
               for m in open_)
    reason = next(r for m in open_ for r in m.reasons if r.field == "age_years"
                  and r.outcome.value == "unknown")
    assert "只知道年份或月份" in reason.text and reason.actual[0] < reason.actual[1]


@pytest.mark.parametrize("name", ["专精特新", "省级专精特新", "省专精特新"])
def test_nicknames_of_zhuanjingtexin_find_the_clause(name, capsys):
    report = _json_report(capsys, "--new-qualification", name)
    assert not report.unrecognized
    assert "sz9-mfg-zjtx" in {m.clause_id for m in report.matches}


def test_an_unknown_name_is_shown_and_never_read_as_absent(capsys):
    report = _json_report(capsys, "--new-qualification", "专精特新示范企业")
    [u] = report.unrecognized
    assert u.name == "专精特新示范企业" and u.suggestions[0] == "省专精特新中小企业"
    assert u.text.startswith("未识别的资质：专精特新示范企业，是否指 省专精特新中小企业")
    clause = next(m for m in report.matches if m.clause_id == "sz9-mfg-zjtx")
    assert clause.status.value == "possible" and "new_qualifications" in clause.missing
    assert main(["match", "--name", "甲", "--region", "嵊州市", "--as-of", "2025-06-01",
                 "--new-qualification", "专精特新示范企业"]) == 0
    assert "未识别的资质：专精特新示范企业，是否指" in capsys.readouterr().out


def test_extra_amounts_mean_the_same_from_json_and_set(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"name": "甲", "region": "嵊州市", "export_value": "500万",
                                "extra": {"出口信用保险保费": "18万"}}, ensure_ascii=False),
                    encoding="utf-8")
    assert main(["match", str(path), "--as-of", "2025-06-01", "--format", "json"]) == 0
    from_json = MatchReport.model_validate_json(capsys.readouterr().out)
    from_set = _json_report(capsys, "--export-value", "500万", "--set", "extra.出口信用保险保费=18万")
    assert from_json.model_dump()["matches"] == from_set.model_dump()["matches"]
    premium = [r for m in from_json.matches for r in m.reasons if r.field == "extra.出口信用保险保费"]
    assert premium and all(r.actual == 180_000.0 and r.outcome.value == "met" for r in premium)
