"""Hostile input at every door (issue 6, items 1 and 2): profiles as dicts, JSON, table rows and
CLI flags; policy YAML; raw policy text; saved index directories. Each is normalised or refused
with an error naming where, what and the fix, in bounded time, and nothing in it is ever run.

Items 3 (hypothesis) and 4-6 (threads, determinism, nothing lost) are in
``test_hostile_properties.py`` and ``test_hostile_runtime.py``.

Already covered elsewhere and not repeated here: BOM-prefixed YAML and JSON profiles load
(test_corpus: ``test_a_byte_order_mark_is_accepted``, ``test_load_profile_from_dict_file_and_bytes``);
duplicate YAML keys, anchors, ``!!python`` tags with ``os.system`` patched out, non-UTF-8 and
binary policy files (test_corpus ``BAD_FILES``); the profile model's own bounds
(test_profile ``test_bad_values_are_refused_with_the_field_named``); the credit-code checksum
against every single substitution (test_units); bad and huge extraction input and its time bounds
(test_extract); pickles by name, other versions, corpora, tokenizers and damaged arrays in an
index directory (test_index ``test_load_refuses_*``).
"""

from __future__ import annotations

import json
import math
import os
import pickle
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import policymatch
from policymatch import (
    EnterpriseProfile,
    Matcher,
    PolicyFileError,
    ProfileError,
    load_policies,
    load_profile,
)
from policymatch.cli import main
from policymatch.corpus import MAX_NESTING, MAX_POLICY_FILE_BYTES
from policymatch.errors import ExtractionError, IndexFormatError
from policymatch.index import ClauseIndex
from policymatch.profile import MAX_TEXT_CHARS, profile_from_row
from policymatch.units import MAX_MONEY

ROOT = Path(__file__).resolve().parents[1]
MINI = str(ROOT / "tests" / "data" / "mini.yaml")
Writer = Callable[..., Path]

# A one-clause policy, four lines long; hostile lines are appended to it (so they are line 5).
BASE = ("id: x\ntitle: t\nclauses:\n"
        "  - {id: c, title: a, text: b, benefit: {kind: fixed, amount: 1}}\n")


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0]


# =============================================================================================
# 1. Bad input, everywhere it enters
# =============================================================================================
# -- profiles as dicts: every problem names the field, the value and the fix -------------------
BAD_PROFILE_VALUES: list[tuple[str, Any, str]] = [
    ("revenue", 1e30, r"revenue: 1e\+30 is more than 10万亿元; check the unit \(元, 万元 or 亿元\)"),
    ("tax_paid", "1e30", r"tax_paid: '1e30' is more than 10万亿元; check the unit"),
    ("revenue", "20万亿", r"revenue: '20万亿' is more than 10万亿元"),
    ("revenue", math.nan, r"revenue: nan is not a finite amount"),
    ("rd_expense", math.inf, r"rd_expense: inf is not a finite amount"),
    ("export_value", -math.inf, r"export_value: -inf is not a finite amount"),
    ("revenue", "NaN", r"revenue: cannot read 'NaN' as money; write a number of 元 or text like"),
    ("revenue", "Infinity", r"revenue: cannot read 'Infinity' as money"),
    ("loan_amount", "-3万", r"loan_amount: '-3万' is negative; amounts of money must be >= 0"),
    ("revenue", "100美元", r"revenue: cannot read '100美元' as money"),
    ("revenue", "3,50万", r"revenue: .*commas must separate groups of three digits"),
    ("revenue", [1], r"revenue: expected a number or text like '3500万元', got list"),
    ("revenue", "字" * 100, r"revenue: text of 100 characters is too long to be an amount"),
    ("revenue_growth", math.nan, r"revenue_growth: must be a finite number \(got nan\)"),
    ("revenue_growth", -math.inf, r"revenue_growth: must be a finite number \(got -inf\)"),
    ("office_area_sqm", math.inf, r"office_area_sqm: must be a finite number \(got inf\)"),
    ("employees", 10**30, r"employees: Input should be less than or equal to 5000000"),
    ("employees", math.nan, r"employees: must be a finite number \(got nan\)"),
    ("employees", "很多", r"employees: Input should be a valid integer"),
    ("talents", {"phd": 10**9}, r"talents\.phd: Input should be less than or equal to 100000"),
    ("talents", "2", r"talents: Input should be a valid dictionary"),
    ("established", "0001-01-01", r"established: established 0001-01-01 is outside 1900-2100; "
                                  r"check the year"),
    ("established", "9999-12-31", r"established: .*outside 1900-2100"),
    ("established", "2023-02-30", r"established: '2023-02-30' is not a day of the calendar .*; "
                                  r"write the date as YYYY-MM-DD"),
    ("established", "2023-13-01", r"established: .*not a day of the calendar .*month must be in "
                                  r"1\.\.12.*write the date as YYYY-MM-DD"),
    ("established", 2023, r"established: 2023 is a number, not a date; write the date as text: "
                          r"YYYY-MM-DD"),
    ("established", 0, r"established: 0 is a number, not a date"),
    ("established", "0", r"established: cannot read '0' as a date; write the date as YYYY-MM-DD"),
    ("name", 123, r"name: Input should be a valid string \(got 123\)"),
    ("name", "", r"name: String should have at least 1 character"),
    ("name", "甲\ud800", r"name: Input should be a valid string"),
    ("name", "字" * 201, r"name: String should have at most 200 characters .*\(201 characters\)\) "
                         r"— shorten it; docs/limits\.md lists every limit"),
    ("revnue", 1, r"revnue: Extra inputs are not permitted \(got 1\) — remove it or fix its "
                  r"spelling; `policymatch schema profile` lists the fields"),
    ("__class__", "os.system", r"__class__: Extra inputs are not permitted"),
    ("credit_code", "91330683MA2JK3L5X", r"credit_code: 统一社会信用代码 must have 18 characters"),
    ("industry_code", "Z99", r"industry_code: .*not a GB/T 4754-2017 code; write a letter and 2-4"),
    ("is_above_scale", "maybe", r"is_above_scale: Input should be a valid boolean"),
    ("qualifications", {"国高新": True}, r"qualifications: expected a list of qualification names"),
    ("qualifications", [["国高新"]], r"qualifications: qualification names are text"),
    ("extra", {"保费": 10**400}, r"extra: extra\.保费 is beyond ±1e\+13, the largest number a "
                                r"profile holds; check the unit"),
    ("extra", {"投资": 1e30}, r"extra: extra\.投资 is beyond ±1e\+13"),
    ("extra", {"投资": -1e30}, r"extra: extra\.投资 is beyond ±1e\+13"),
    ("extra", {"": 1}, r"extra: extra key '' must be 1-64 characters"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_PROFILE_VALUES,
                         ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(BAD_PROFILE_VALUES)])
def test_a_bad_profile_value_is_one_precise_line(field: str, value: Any, message: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ProfileError) as info:
        load_profile({"name": "甲", field: value})
    assert time.perf_counter() - start < 2.0
    first = _first_line(info.value)
    assert first.startswith(f"profile: {field}")
    assert re.search(message, first), first
    assert len(first) < 300  # a 10,000-digit value never becomes a 10,000-character line
    assert isinstance(info.value, ValueError)


NORMALISED: list[tuple[dict[str, Any], str, Any]] = [
    ({"employees": "１２０"}, "employees", 120),
    ({"established": "２０２３-０６-０１"}, "established", date(2023, 6, 1)),
    ({"office_area_sqm": " １２.５ "}, "office_area_sqm", 12.5),
    ({"talents": {"phd": "２"}}, "talents.phd", 2),
    ({"revenue": "１．２亿"}, "revenue", 1.2e8),
    ({"revenue": "￥３，５００万元"}, "revenue", 3.5e7),
    ({"revenue": "2万亿"}, "revenue", 2e12),
    ({"credit_code": "９１３３０６８３ｍａ２ｊｋ３ｌ５ｘｈ"}, "credit_code", "91330683MA2JK3L5XH"),
    ({"industry_code": "ｃ３８４１"}, "industry_code", "C3841"),
    ({"qualifications": ["國家高新技術企業", "專精特新"]}, "qualifications",
     ("国家高新技术企业", "省专精特新中小企业")),
    ({"qualifications": "國高新、省專精特新中小企業"}, "qualifications",
     ("国家高新技术企业", "省专精特新中小企业")),
    ({"new_qualifications": ["國家級專精特新小巨人"]}, "new_qualifications", ("国家级专精特新小巨人",)),
    ({"industry": "新能源汽車"}, "industry", "新能源汽车及零部件"),
    ({"region": "", "town": "\u3000", "revenue": "", "credit_code": "  "}, "revenue", None),
    ({"description": "字" * MAX_TEXT_CHARS}, "description", "字" * MAX_TEXT_CHARS),
]


@pytest.mark.parametrize(("fields", "path", "expected"), NORMALISED,
                         ids=[p + str(i) for i, (_, p, _) in enumerate(NORMALISED)])
def test_full_width_traditional_and_blank_values_are_normalised(fields: dict[str, Any], path: str,
                                                                expected: Any) -> None:
    profile = load_profile({"name": "甲", **fields})
    assert profile.get(path) == expected
    if "region" in fields:  # blank is missing, never zero or empty text
        assert (profile.region, profile.town, profile.credit_code) == (None, None, None)


def test_a_10_mb_description_is_refused_fast_naming_the_limit() -> None:
    start = time.perf_counter()
    with pytest.raises(ProfileError) as info:
        load_profile({"name": "甲", "description": "经营范围" * 2_500_000})
    assert time.perf_counter() - start < 2.0
    message = str(info.value)
    assert "description: 10,000,000 characters is over the limit of 20,000 " \
           "(policymatch.profile.MAX_TEXT_CHARS)" in message
    assert len(message) < 1000  # the value is quoted in part, never whole


BAD_PROFILE_JSON: list[tuple[str, bytes, str]] = [
    ("1e30", b'{"name": "x", "revenue": 1e30}', r"revenue: 1e\+30 is more than 10万亿元"),
    ("NaN", b'{"name": "x", "revenue": NaN}', r"revenue: nan is not a finite amount"),
    ("Infinity", b'{"name": "x", "tax_paid": Infinity}', r"tax_paid: inf is not a finite amount"),
    ("1e400", b'{"name": "x", "revenue": 1e400}', r"revenue: inf is not a finite amount"),
    ("-Infinity-growth", b'{"name": "x", "revenue_growth": -Infinity}',
     r"revenue_growth: must be a finite number"),
    ("duplicate-key", '{"name": "x", "revenue": 1, "revenue": "2亿"}'.encode(),
     r"key 'revenue' appears twice in one object; keep one"),
    ("duplicate-nested-key", b'{"name": "x", "talents": {"phd": 1, "phd": 9}}',
     r"key 'phd' appears twice"),
    ("5000-digit-int", b'{"name": "x", "employees": ' + b"9" * 5000 + b"}",
     r"not a readable JSON value \(Exceeds the limit \(4300 digits\)"),
    ("100000-deep", b'{"name": "x", "extra": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     r"nested too deeply to be a profile"),
    ("utf-16", '{"name": "甲"}'.encode("utf-16"), r"saved as UTF-16 text; save the file as UTF-8"),
    ("gb18030", '{"name": "甲"}'.encode("gb18030"), r"not UTF-8 text \(byte 10\)"),
    ("lone-surrogate", b'{"name": "\\ud800"}', r"name: Input should be a valid string"),
    ("empty", b"", r"not valid JSON \(line 1, column 1"),
    ("text", b'"just text"', r'expected a JSON object with at least "name"'),
]


@pytest.mark.parametrize(("content", "message"), [(c, m) for _, c, m in BAD_PROFILE_JSON],
                         ids=[i for i, _, _ in BAD_PROFILE_JSON])
def test_bad_profile_json_is_refused_with_a_reason(content: bytes, message: str,
                                                   tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(content)
    for source, label in ((content, "profile"), (path, str(path))):
        start = time.perf_counter()
        with pytest.raises(ProfileError) as info:
            load_profile(source)
        assert time.perf_counter() - start < 2.0
        first = _first_line(info.value)
        assert first.startswith(f"{label}: ") and re.search(message, first), first


# -- table rows: NaN is missing, inf and 1e30 are refused, numpy values are read -----------------
@pytest.mark.parametrize(("cells", "message"), [
    ({"revenue": np.float64("inf")}, r"^甲: revenue: inf is not a finite amount"),
    ({"revenue": np.float64(1e30)}, r"^甲: revenue: 1e\+30 is more than 10万亿元"),
    ({"tax_paid": np.float32("-inf")}, r"^甲: tax_paid: -inf is not a finite amount"),
    ({"employees": np.int64(2**62)}, r"^甲: employees: Input should be less than or equal to"),
    ({"talents.phd": np.float64("inf")}, r"^甲: talents\.phd: Input should be a finite number"),
    ({"extra.保费": 1e30}, r"^甲: extra: extra\.保费 is beyond ±1e\+13"),
    ({"established": datetime(1800, 1, 1)}, r"^甲: established: .*outside 1900-2100"),
    ({"is_above_scale": "也许"}, r"^甲: is_above_scale: Input should be a valid boolean"),
], ids=["inf", "1e30", "-inf-float32", "int64", "talent-inf", "extra-1e30", "1800", "yes-no"])
def test_bad_table_cells_name_the_row_and_field(cells: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        profile_from_row({"name": "甲", **cells})


def test_missing_table_cells_stay_unknown_never_zero() -> None:
    pd = pytest.importorskip("pandas")
    p = profile_from_row({"name": "甲", "revenue": np.nan, "employees": None, "tax_paid": pd.NA,
                          "established": pd.NaT, "region": "", "town": "  ", "talents.phd": np.nan,
                          "extra.保费": float("nan"), "qualifications": ""})
    assert p == EnterpriseProfile(name="甲")


# -- the command line: one clean line, detail with --verbose -----------------------------------------
@pytest.fixture
def _cli_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYMATCH_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cli-cache"))


CLI_BASE = ["match", "--policies", MINI, "--as-of", "2025-06-01", "--name", "甲"]
BAD_FLAGS: list[tuple[list[str], str]] = [
    (["--revenue", "1e30"], r"revenue: '1e30' is more than 10万亿元; check the unit"),
    (["--revenue", "nan"], r"revenue: cannot read 'nan' as money"),
    (["--tax-paid", "inf"], r"tax_paid: cannot read 'inf' as money"),
    (["--loan-amount", "-1"], r"loan_amount: '-1' is negative"),
    (["--employees", "1e30"], r"employees: Input should be a valid integer"),
    (["--established", "2023-02-30"], r"established: .*write the date as YYYY-MM-DD"),
    (["--set", "extra.保费=1e400"], r"extra\.保费 must be a finite number, got inf"),
    (["--set", "extra.保费=1e30"], r"extra\.保费 is beyond ±1e\+13"),
    (["--set", "revenue_growth=nan"], r"revenue_growth: must be a finite number"),
    (["--set", "talents.phd=inf"], r"talents\.phd: must be a finite number"),
    (["--description", "字" * 30_000], r"description: 30,000 characters is over the limit of 20,000 "
                                        r"\(policymatch\.profile\.MAX_TEXT_CHARS\)"),
    (["--industry-code", "Z99"], r"industry_code: .*not a GB/T 4754-2017 code"),
    (["--as-of", "0000-01-01"], r"--as-of '0000-01-01': write the date as YYYY-MM-DD"),
]


@pytest.mark.usefixtures("_cli_cache")
@pytest.mark.parametrize(("flags", "message"), BAD_FLAGS, ids=[f[0] + str(i) for i, (f, _) in
                                                                enumerate(BAD_FLAGS)])
def test_bad_flags_exit_1_with_one_clean_line(flags: list[str], message: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CLI_BASE, *flags]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert re.search(message, lines[0]), lines[0]
    assert len(lines[0]) < 300


@pytest.mark.usefixtures("_cli_cache")
def test_traditional_and_full_width_flags_give_the_simplified_answer(
        capsys: pytest.CaptureFixture[str]) -> None:
    common = ["match", "--policies", MINI, "--as-of", "2025-06-01", "--format", "json",
              "--name", "甲", "--set", "credit_clean=true"]
    verdicts = []
    for flags in (["--region", "測試縣", "--employees", "３２０", "--revenue", "２．３億",
                   "--new-qualification", "國高新"],
                  ["--region", "测试县", "--employees", "320", "--revenue", "2.3亿",
                   "--new-qualification", "国家高新技术企业"]):
        assert main([*common, *flags]) == 0
        report = json.loads(capsys.readouterr().out)
        verdicts.append(([(m["clause_id"], m["status"], m["amount"]) for m in report["matches"]],
                         report["total_amount"], [q["field"] for q in report["questions"]]))
    assert verdicts[0] == verdicts[1]  # the reasons quote the facts as typed; the verdicts agree
    statuses = {clause: status for clause, status, _ in verdicts[0][0]}
    assert statuses["mini-gx"] == "eligible" and statuses["mini-sales"] == "eligible"


@pytest.mark.usefixtures("_cli_cache")
def test_verbose_shows_every_profile_problem_the_default_shows_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "甲", "revenue": 1e30, "employees": -1, "colour": "red"}),
                   encoding="utf-8")
    argv = ["match", str(bad), "--policies", MINI]
    assert main(argv) == 1
    short = capsys.readouterr().err.splitlines()
    assert len(short) == 1
    assert short[0].startswith(f"error: {bad}: ") and short[0].endswith(" (and 2 more)")
    assert main(["--verbose", *argv]) == 1
    full = capsys.readouterr().err
    for needle in ("revenue: 1e+30 is more than 10万亿元", "employees: Input should be greater than "
                   "or equal to 0 (got -1)", "colour: Extra inputs are not permitted"):
        assert needle in full


@pytest.mark.usefixtures("_cli_cache")
def test_verbose_lists_every_policy_file_problem(write_yaml: Writer, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    write_yaml(BASE + "valid_from: 2025-02-30\n", "corpus/a.yaml")
    write_yaml(BASE.replace("amount: 1", "amount: -5"), "corpus/b.yaml")
    argv = ["list", "--policies", str(tmp_path / "corpus")]
    assert main(argv) == 1
    short = capsys.readouterr().err.splitlines()
    assert len(short) == 1
    assert "a.yaml: line 5: cannot read '2025-02-30' (day is out of range for month)" in short[0]
    assert short[0].endswith("(and 1 more; run `policymatch validate` to see all)")
    assert main(["--verbose", *argv]) == 1
    full = capsys.readouterr().err
    assert "a.yaml: line 5: cannot read '2025-02-30'" in full
    assert "b.yaml: clause c: benefit.amount: -5 is negative" in full


def test_a_negative_top_is_a_usage_error_not_a_shorter_list(
        capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["match", "--name", "甲", "--top", "-1"], ["search", "博士", "--top", "-3"]):
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert "a whole number >= 0" in capsys.readouterr().err


# -- policy files ----------------------------------------------------------------------------------
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9))


@pytest.mark.parametrize("fast", [True, False], ids=["libyaml", "pure-python"])
def test_billion_laughs_is_refused_at_once(write_yaml: Writer, fast: bool,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import policymatch.corpus.safe_yaml as corpus

    if not fast:
        monkeypatch.setattr(corpus, "_FastLoader", None)
    elif corpus._FastLoader is None:
        pytest.skip("PyYAML without libyaml")
    path = write_yaml(LAUGHS, "laughs.yaml")  # 9**10 "lol"s if expanded
    start = time.perf_counter()
    with pytest.raises(PolicyFileError, match=r"line 1: YAML anchors \(&a\) are not allowed"):
        load_policies(path)
    assert time.perf_counter() - start < 1.0


def test_deep_nesting_is_refused_without_crashing_the_process(tmp_path: Path) -> None:
    # libyaml composes nodes recursively in C: 600,000 "[" (1.2 MB, within the size limit)
    # overflowed the C stack and killed the process before the depth was read from the events.
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * 600_000 + "]" * 600_000 + "\n", encoding="utf-8")
    assert path.stat().st_size < MAX_POLICY_FILE_BYTES
    code = ("import sys\nfrom policymatch import load_policies, PolicyFileError\n"
            "try:\n    load_policies(sys.argv[1])\nexcept PolicyFileError as e:\n"
            "    print(e.problems[0])\n")
    env = {**os.environ, "PYTHONPATH": str(Path(policymatch.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, f"the process died: {done.returncode} {done.stderr[-500:]}"
    assert done.stdout.strip() == f"{path}: nested more than {MAX_NESTING} levels; flatten the " \
                                  "conditions"


_LEAF = "conditions: {{field: {field}, op: '{op}', value: {value}}}, benefit:"
BAD_POLICY_FILES: list[tuple[str, str | bytes, str]] = [
    ("impossible-date", BASE + "valid_from: 2025-02-30\n",
     r"line 5: cannot read '2025-02-30' \(day is out of range for month\)"),
    ("year-zero", BASE + "valid_to: 0000-01-01\n", r"line 5: cannot read '0000-01-01' \(year 0 is "
                                                   r"out of range\)"),
    ("time-of-day", BASE + "valid_from: 2025-01-01 10:00:00\n",
     r"valid_from: .* — write the date as YYYY-MM-DD"),
    ("5000-digit-int", BASE.replace("amount: 1", "amount: " + "9" * 5000),
     r"line 4: cannot read '9{50,60}… \(5,000 characters\) \(Exceeds the limit"),
    ("nan-threshold", BASE.replace("benefit:", _LEAF.format(field="extra.产值", op=">=", value=".nan")),
     r"clause c: conditions: extra\.产值 compares with finite numbers, got nan"),
    ("inf-threshold", BASE.replace("benefit:", _LEAF.format(field="extra.产值", op="<", value=".inf")),
     r"clause c: conditions: extra\.产值 compares with finite numbers, got inf"),
    ("inf-tier", BASE.replace("{kind: fixed, amount: 1}",
                              "{kind: tiers, field: revenue, tiers: [{at: .inf, amount: 1}]}"),
     r"clause c: benefit\.tiers\.0\.at: Input should be a finite number"),
    ("inf-units", BASE.replace("{kind: fixed, amount: 1}",
                               "{kind: per_unit, field: employees, rate: 1, max_units: .inf}"),
     r"clause c: benefit\.max_units: Input should be a finite number"),
    ("money-1e30", BASE.replace("amount: 1", "amount: 1e30"),
     r"clause c: benefit\.amount: '1e30' is more than 10万亿元; check the unit"),
    ("code-as-field", BASE.replace("benefit:", _LEAF.format(
        field="\"__import__('os').system('touch pwned')\"", op="==", value=1)),
     r"clause c: conditions: unknown field \"__import__\('os'\)\.system\('touch pwned'\)\""),
    ("600k-text", BASE.replace("text: b", "text: " + "字" * 600_000),
     r"clause c: text: String should have at most 5000 characters \(got '字{10,60}… \(600,000 "
     r"characters\)\) — shorten it"),
    ("utf-16", BASE.encode("utf-16"), r"saved as UTF-16 text; save the file as UTF-8"),
    ("custom-tag", BASE + "source: !include /etc/passwd\n",
     r"line 5: could not determine a constructor for the tag '!include'"),
]


@pytest.mark.parametrize(("content", "message"), [(c, m) for _, c, m in BAD_POLICY_FILES],
                         ids=[i for i, _, _ in BAD_POLICY_FILES])
def test_a_bad_policy_file_is_one_precise_problem(write_yaml: Writer, content: str | bytes,
                                                  message: str, tmp_path: Path) -> None:
    path = write_yaml(content, "bad.yaml")
    start = time.perf_counter()
    with pytest.raises(PolicyFileError) as info:
        load_policies(path)
    assert time.perf_counter() - start < 2.0
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}: ")
    assert re.search(message, problem), problem
    assert len(problem) < 400
    assert not (tmp_path / "pwned").exists()


TRADITIONAL_POLICY = {
    "id": "trad", "title": "長樂區扶持政策", "clauses": [
        {"id": "t-place", "title": "本區企業", "text": "注册在长乐区的企业给予奖励",
         "conditions": {"field": "region", "op": "==", "value": "長樂區"},
         "benefit": {"kind": "fixed", "amount": "1萬"}},
        {"id": "t-honour", "title": "高新", "text": "国家高新技术企业给予奖励",
         "conditions": {"field": "qualifications", "op": "has", "value": "國家高新技術企業"},
         "benefit": {"kind": "fixed", "amount": 2}},
        {"id": "t-town", "title": "园区", "text": "经济开发区内企业",
         "conditions": {"field": "town", "op": "in", "value": ["经济开发区", "滨海新区"]},
         "benefit": {"kind": "fixed", "amount": 3}},
    ]}


def test_either_script_on_either_side_gives_the_same_verdict(write_yaml: Writer,
                                                             tokenizer: Any) -> None:
    # A county typed in traditional script used to be "ineligible" for its own county's clauses.
    ps = load_policies(write_yaml(TRADITIONAL_POLICY, "trad.yaml"))
    _, honour = ps.clause("t-honour")
    assert honour.conditions.value == "国家高新技术企业"  # type: ignore[union-attr]
    matcher = Matcher(tokenizer=tokenizer).fit(ps)
    day = date(2025, 6, 1)
    facts = [{"region": "长乐区", "town": "经济开发区", "qualifications": ["国家高新技术企业"]},
             {"region": "長樂區", "town": "經濟開發區", "qualifications": ["國家高新技術企業"]},
             {"region": "長樂", "town": "經濟開發區", "qualifications": ["國高新"]}]
    reports = [matcher.match({"name": "甲", **f}, as_of=day) for f in facts]
    for report in reports:
        assert [(m.clause_id, m.status.value) for m in report.matches] == [
            ("t-place", "eligible"), ("t-town", "eligible"), ("t-honour", "eligible")]
    assert matcher.match({"name": "甲", "region": "长安区", "town": "经济开发区"},
                         as_of=day).eligible[0].clause_id == "t-town"


# -- raw text for extraction -----------------------------------------------------------------------
def test_traditional_full_width_text_extracts_like_simplified() -> None:
    extract = pytest.importorskip("policymatch.extract")
    simple = extract.extract_policy("某县政策\n（一）对新认定的国家高新技术企业，给予20万元奖励。")
    other = extract.extract_policy("某縣政策\n（一）對新認定的國家高新技術企業，給予２０萬元獎勵。")
    for a, b in zip(simple.policy.clauses, other.policy.clauses, strict=True):
        assert (a.conditions, a.benefit) == (b.conditions, b.benefit)
    assert other.policy.clauses[0].text == "對新認定的國家高新技術企業，給予２０萬元獎勵。"  # as written


@pytest.mark.parametrize(("content", "ok"), [
    ("\ufeff（一）给予10万元奖励。".encode(), True),
    ("（一）给予10万元奖励。".encode("utf-16"), True),  # Windows Notepad's "Unicode" is read
    ("（一）给予10万元奖励。".encode("gb18030"), False),
    (b"\x00" * 10, False),
], ids=["utf-8-bom", "utf-16", "gb18030", "nul"])
def test_documents_in_other_encodings_are_refused_and_a_bom_is_dropped(
        tmp_path: Path, content: bytes, ok: bool) -> None:
    extract = pytest.importorskip("policymatch.extract")
    path = tmp_path / "doc.txt"
    path.write_bytes(content)
    if ok:
        assert extract.read_document(path) == "（一）给予10万元奖励。"
    else:
        with pytest.raises(ExtractionError, match=re.escape(str(path))):
            extract.read_document(path)


# -- saved index directories ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def mini_index_dir(tokenizer: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ps = load_policies(MINI)
    from policymatch.matcher import clause_document

    pairs = list(ps.items())
    index = ClauseIndex(tokenizer=tokenizer).fit([c.id for _, c in pairs],
                                                 [clause_document(p, c) for p, c in pairs],
                                                 fingerprint=ps.fingerprint())
    return index.save(tmp_path_factory.mktemp("index") / "saved")


@pytest.fixture
def index_copy(mini_index_dir: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(mini_index_dir, tmp_path / "index"))


def test_non_finite_idf_is_a_damaged_index(index_copy: Path) -> None:
    idf = np.load(index_copy / "idf.npy")
    idf[0] = np.nan
    np.save(index_copy / "idf.npy", idf)
    with pytest.raises(IndexFormatError, match=r"damaged index \(idf\.npy holds values that are "
                                               r"not finite numbers\); rebuild it"):
        ClauseIndex.load(index_copy)


# =============================================================================================
# 2. No code execution and no unsafe loads
# =============================================================================================
class _Booby:
    """Unpickling this creates ``marker``: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.marker), "w"))


def test_the_booby_trap_is_live(tmp_path: Path) -> None:
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(_Booby(control))).close()  # the trap works when unpickled
    assert control.exists()


def _plant_pickle(directory: Path, where: str, marker: Path) -> None:
    payload = pickle.dumps(_Booby(marker))
    if where == "model.pkl":
        (directory / where).write_bytes(payload)
    elif where == "idf.npy":
        np.save(directory / where, np.array([_Booby(marker)], dtype=object), allow_pickle=True)
    elif where == "matrix.npz":
        np.savez(directory / where, format=np.array("csr"), shape=np.array([1, 1]),
                 data=np.array([_Booby(marker)], dtype=object), indices=np.zeros(1, int),
                 indptr=np.array([0, 1]))
    else:
        (directory / where).write_bytes(payload)


@pytest.mark.parametrize(("where", "message"), [
    ("model.pkl", r"holds a pickle file \(model\.pkl\); policymatch never loads pickles"),
    ("idf.npy", r"damaged index .*idf\.npy holds objects, not plain numbers"),
    ("matrix.npz", r"damaged index .*matrix\.npz data\.npy holds objects, not plain numbers"),
    ("meta.json", r"meta\.json: unreadable"),
    ("vocabulary.json", r"vocabulary\.json: unreadable"),
])
def test_a_planted_pickle_is_refused_and_never_unpickled(index_copy: Path, tmp_path: Path,
                                                         where: str, message: str) -> None:
    marker = tmp_path / "pwned"
    _plant_pickle(index_copy, where, marker)
    with pytest.raises(IndexFormatError, match=message) as info:
        ClauseIndex.load(index_copy)
    assert "rebuild it" in str(info.value)
    assert not marker.exists()


def test_a_poisoned_index_cache_is_refitted_not_loaded(tokenizer: Any, tmp_path: Path) -> None:
    ps = load_policies(MINI)
    honest = Matcher(tokenizer=tokenizer, index_cache=tmp_path / "cache").fit(ps)
    (cached,) = (tmp_path / "cache").iterdir()
    marker = tmp_path / "pwned"
    _plant_pickle(cached, "idf.npy", marker)
    again = Matcher(tokenizer=tokenizer, index_cache=tmp_path / "cache").fit(ps)
    assert not marker.exists()
    profile = EnterpriseProfile(name="甲", region="测试县", credit_clean=True,
                                description="设备投资 技术改造")
    day = date(2025, 6, 1)
    assert again.match(profile, as_of=day) == honest.match(profile, as_of=day)
    assert ClauseIndex.load(cached).idf_.dtype == np.float64  # the refit replaced the poison


def test_a_cached_index_of_another_corpus_or_version_is_not_used(
        tokenizer: Any, tmp_path: Path, write_yaml: Writer) -> None:
    import shutil

    cache = tmp_path / "cache"
    mini = load_policies(MINI)
    Matcher(tokenizer=tokenizer, index_cache=cache / "mini").fit(mini)
    (target,) = (cache / "mini").iterdir()  # where the mini corpus's index is kept
    Matcher(tokenizer=tokenizer, index_cache=cache / "other").fit(
        load_policies(write_yaml(TRADITIONAL_POLICY, "trad.yaml")))
    (foreign,) = (cache / "other").iterdir()
    # In its place: another corpus's index, then one claiming the right corpus but another
    # library version. Each is refused with how to rebuild, and the Matcher refits instead.
    for edit, message in (({}, "fitted on another corpus"),
                          ({"policymatch_version": "0.0.1-old", "fingerprint": mini.fingerprint()},
                           "written by policymatch 0.0.1-old")):
        shutil.rmtree(target)
        shutil.copytree(foreign, target)
        meta = json.loads((target / "meta.json").read_text("utf-8"))
        (target / "meta.json").write_text(json.dumps({**meta, **edit}), "utf-8")
        with pytest.raises(IndexFormatError, match=f"{message}.*rebuild it: fit a ClauseIndex"):
            ClauseIndex.load(target, expected_fingerprint=mini.fingerprint())
        m = Matcher(tokenizer=tokenizer, index_cache=cache / "mini").fit(mini)
        assert m.index_.ids_ == tuple(c.id for _, c in mini.items())
        reloaded = ClauseIndex.load(target, expected_fingerprint=mini.fingerprint())
        assert reloaded.ids_ == m.index_.ids_


def test_a_python_tag_runs_nothing_even_through_the_command_line(tmp_path: Path) -> None:
    # test_corpus patches os.system out; here nothing is patched, in a fresh process.
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f'id: !!python/object/apply:os.system ["touch {marker}"]\ntitle: t\n',
                    encoding="utf-8")
    evil_json = tmp_path / "evil.json"
    evil_json.write_text(f'{{"id": !!python/object/apply:os.system ["touch {marker}"]}}',
                         encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(policymatch.__file__).parents[1]),
           "POLICYMATCH_CACHE_DIR": str(tmp_path / "cache")}
    for argv in (["validate", str(evil)], ["list", "--policies", str(evil_json)],
                 ["match", "--name", "甲", "--policies", str(evil)]):
        done = subprocess.run([sys.executable, "-m", "policymatch", *argv], capture_output=True,
                              text=True, env=env, timeout=120, check=False)
        assert done.returncode == 1, done.stderr
        assert "Python tags are never executed or loaded, remove the tag" in done.stderr
        assert "Traceback" not in done.stderr
    assert not marker.exists()


# -- limits are named and documented ------------------------------------------------------------
def _documented_constants() -> dict[str, str]:
    """``policymatch.<module>.<NAME>`` → its table row in docs/limits.md."""
    rows = [line for line in (ROOT / "docs" / "limits.md").read_text("utf-8").splitlines()
            if line.startswith("|")]
    found: dict[str, str] = {}
    for row in rows:
        for name in re.findall(r"`(policymatch(?:\.\w+)+)`", row):
            found[name] = row
    return found


def _shown(value: float) -> list[str]:
    """The ways limits.md may write ``value``: 2,000,000 / 20,000 / 1e13."""
    out = [f"{value:,}", f"{value:,.0f}", f"{value:.0e}".replace("+", "")]
    return out


def test_every_documented_limit_matches_the_code() -> None:
    import importlib

    documented = _documented_constants()
    assert documented, "docs/limits.md names no constants"
    for qualified, row in documented.items():
        module, _, name = qualified.rpartition(".")
        value = getattr(importlib.import_module(module), name)
        assert any(text in row for text in _shown(value)), \
            f"docs/limits.md shows another value for {qualified} ({value:,}): {row}"


def test_every_size_limit_in_the_code_is_documented() -> None:
    import importlib
    import pkgutil

    documented = _documented_constants()
    missing = []
    for info in pkgutil.iter_modules(policymatch.__path__):
        if info.name.startswith("_") or info.name in ("cli",):
            continue
        try:
            module = importlib.import_module(f"policymatch.{info.name}")
        except ImportError:  # an optional extra that is not installed
            continue
        for name in getattr(module, "__all__", ()):
            if name.startswith("MAX_") and f"policymatch.{info.name}.{name}" not in documented:
                missing.append(f"policymatch.{info.name}.{name}")
    assert not missing, f"limits missing from docs/limits.md: {missing}"
    assert {"policymatch.corpus.MAX_NESTING", "policymatch.matcher.MAX_SEARCH_CHARS",
            "policymatch.profile.MAX_TEXT_CHARS", "policymatch.units.MAX_MONEY"} <= set(documented)
    assert MAX_MONEY == 1e13 and MAX_NESTING == 40
