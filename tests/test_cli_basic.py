"""The CLI's basic commands (validate, schema, list, show), exit codes, and the stored cases
that ``validate`` runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from policymatch import Policy, PolicySet, __version__
from policymatch.cli import main
from policymatch.matcher import check_cases

Writer = Callable[..., Path]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _clause(raw: dict[str, Any], cid: str) -> dict[str, Any]:
    return next(c for c in raw["clauses"] if c["id"] == cid)


# -- stored clause cases (what validate runs after loading) --------------------------------------
def test_mini_cases_pass(mini_set: PolicySet) -> None:
    assert check_cases(mini_set) == []
    assert sum(len(c.cases) for _, c in mini_set.items()) == 6


def test_a_wrong_expected_amount_fails_with_a_precise_line(mini_raw: dict[str, Any]) -> None:
    _clause(mini_raw, "mini-sales")["cases"][1]["amount"] = "20万"
    ps = PolicySet(policies=(Policy.model_validate(mini_raw),))
    assert check_cases(ps) == [
        "mini/mini-sales case 2: expected amount 20万元, got 10万元 "
        "(上年度营业收入 1亿元，达到 1亿元 档，给予 10万元)"]


def test_a_wrong_expected_status_fails_with_the_reasons(mini_raw: dict[str, Any]) -> None:
    case = _clause(mini_raw, "mini-gx")["cases"][1]
    case["expect"] = "eligible"
    case["note"] = "没有新资质"
    ps = PolicySet(policies=(Policy.model_validate(mini_raw),))
    assert check_cases(ps) == [
        "mini/mini-gx case 2 (没有新资质): expected eligible, got ineligible "
        "(注册地：测试县（符合）; 未列入严重失信主体名单：是（符合）; "
        "当年新获资质荣誉中没有 国家高新技术企业)"]


def test_a_case_whose_profile_does_not_validate(mini_raw: dict[str, Any]) -> None:
    _clause(mini_raw, "mini-gx")["cases"][2]["profile"]["revenue"] = "很多"
    ps = PolicySet(policies=(Policy.model_validate(mini_raw),))
    (problem,) = check_cases(ps)
    assert problem.startswith("mini/mini-gx case 3: its profile does not validate")
    assert "cannot read '很多' as money" in problem


def test_cases_are_judged_on_their_own_date(mini_raw: dict[str, Any]) -> None:
    # mini-rent: firms younger than three years. The case is dated, so today's date never matters.
    _clause(mini_raw, "mini-rent")["cases"] = [
        {"profile": {"region": "测试县", "credit_clean": True, "established": "2023-01-01",
                     "office_area_sqm": 100}, "expect": "eligible", "amount": 12000,
         "as_of": "2025-06-01"},
        {"profile": {"region": "测试县", "credit_clean": True, "established": "2023-01-01"},
         "expect": "ineligible", "as_of": "2026-06-01"},
    ]
    assert check_cases(PolicySet(policies=(Policy.model_validate(mini_raw),))) == []


# -- validate ------------------------------------------------------------------------------------
def test_validate_ok(mini_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["validate", str(mini_path)], capsys)
    assert (code, out, err) == (0, "OK: 1 policies, 8 clauses, 6 clause cases pass\n", "")


def test_validate_reports_a_broken_file_precisely(mini_raw: dict[str, Any], write_yaml: Writer,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _clause(mini_raw, "mini-sales")["conditions"] = {"field": "revenue", "op": ">=", "value": "很多"}
    path = write_yaml(mini_raw)
    code, out, err = run(["validate", str(path)], capsys)
    assert code == 1 and out == ""
    text = path.read_text("utf-8").splitlines()
    value_line = next(n for n, t in enumerate(text, 1) if "很多" in t)
    line = max(n for n, t in enumerate(text[:value_line], 1) if "field: revenue" in t)  # its leaf
    assert err.splitlines() == [
        f"{path}: clause mini-sales: conditions: revenue: cannot read '很多' as money; write a "
        f"number of 元 or text like '3500万元', '1.2亿', '120万' (line {line})",
        "1 problem(s) found; fix them and run `policymatch validate` again",
    ]


def test_validate_lists_every_problem_of_every_file(mini_raw: dict[str, Any], write_yaml: Writer,
                                                    tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _clause(mini_raw, "mini-sales")["benefit"]["cap"] = "20万"
    _clause(mini_raw, "mini-phd")["conditions"]["field"] = "talents.doctor"
    write_yaml(mini_raw, "corpus/a.yaml")
    write_yaml("id: x\nid: y\n", "corpus/b.yaml")
    write_yaml(b"\x00\x01", "corpus/c.yaml")
    code, _, err = run(["validate", str(tmp_path / "corpus")], capsys)
    lines = err.splitlines()
    assert code == 1
    assert len(lines) == 5 and lines[-1].startswith("4 problem(s) found")
    assert "a.yaml: clause mini-sales: benefit: cap 200000 is below the tier amount" in lines[0]
    assert "a.yaml: clause mini-phd: conditions: unknown field 'talents.doctor'" in lines[1]
    assert "b.yaml: line 2: duplicate key 'id'" in lines[2]
    assert "c.yaml: this is a binary file" in lines[3]


def test_validate_fails_on_a_wrong_stored_case(mini_raw: dict[str, Any], write_yaml: Writer,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    _clause(mini_raw, "mini-sales")["cases"][2]["amount"] = "50万"
    code, out, err = run(["validate", str(write_yaml(mini_raw))], capsys)
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "mini/mini-sales case 3: expected amount 50万元, got 30万元 "
        "(上年度营业收入 6亿元，达到 5亿元 档，给予 30万元)",
        "1 of 6 clause case(s) failed",
    ]


# -- schema --------------------------------------------------------------------------------------
_JSON_TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}


def _check_schema(node: Any, defs: dict[str, Any]) -> None:
    """Structural checks of a JSON Schema without a validator library."""
    if isinstance(node, dict):
        if "$ref" in node:
            assert node["$ref"].startswith("#/$defs/"), node["$ref"]
            assert node["$ref"].removeprefix("#/$defs/") in defs, node["$ref"]
        if "type" in node:
            types = node["type"] if isinstance(node["type"], list) else [node["type"]]
            assert set(types) <= _JSON_TYPES, node["type"]
        if "properties" in node:
            assert set(node.get("required", [])) <= set(node["properties"])
        for value in node.values():
            _check_schema(value, defs)
    elif isinstance(node, list):
        for value in node:
            _check_schema(value, defs)


@pytest.mark.parametrize(
    ("which", "properties"),
    [
        ("profile", {"name", "credit_code", "revenue", "qualifications", "talents", "extra"}),
        ("policy", {"id", "title", "valid_from", "valid_to", "conditions", "clauses"}),
        ("report", {"enterprise", "as_of", "matches", "total_amount"}),
    ],
)
def test_schema_prints_valid_json_schema(which: str, properties: set[str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["schema", which], capsys)
    assert code == 0 and err == ""
    schema = json.loads(out)
    assert schema["type"] == "object"
    assert properties <= set(schema["properties"])
    _check_schema(schema, schema.get("$defs", {}))
    try:
        import jsonschema
    except ImportError:  # not a dependency; the structural checks above stand alone
        return
    jsonschema.Draft202012Validator.check_schema(schema)


def test_policy_schema_describes_clauses_conditions_and_benefits(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["schema", "policy"], capsys)
    defs = json.loads(out)["$defs"]
    assert {"id", "title", "text", "benefit"} <= set(defs["Clause"]["required"])
    assert {"field", "op", "value"} <= set(defs["FieldTest"]["required"])
    assert "RatioBenefit" in defs and "TiersBenefit" in defs
    assert "文号" in out  # Chinese descriptions printed as text, not \\u escapes


# -- list and show ---------------------------------------------------------------------------------
def test_list_table_and_json(mini_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["list", "--policies", str(mini_path)], capsys)
    assert code == 0 and err == ""
    assert "“9” 领域政策：1 个文件，8 条" in out
    assert "mini-equip" in out and "设备投资补助" in out
    assert out.rstrip().endswith("合计 1 个政策文件，8 条")
    code, out, _ = run(["list", "--policies", str(mini_path), "--format", "json"], capsys)
    (entry,) = json.loads(out)
    assert (entry["policy_id"], entry["tier"], len(entry["clauses"])) == ("mini", "9", 8)


def test_show_text_and_json(mini_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", "mini-gx", "--policies", str(mini_path)], capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "mini-gx  新认定国家高新技术企业奖励"
    assert "最高金额：20万元" in lines
    assert "就高不重复：与同组（mini-honour）条款只享受金额最高的一项" in lines
    code, out, _ = run(["show", "mini-equip", "--policies", str(mini_path), "--format", "json"],
                       capsys)
    data = json.loads(out)
    assert (data["policy_id"], data["id"], data["benefit"]["cap"]) == ("mini", "mini-equip", 2e6)


# -- exit codes ----------------------------------------------------------------------------------
def test_an_unknown_clause_is_one_clean_line(mini_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["show", "NO-SUCH-ID", "--policies", str(mini_path)], capsys)
    assert (code, out) == (1, "")
    assert err == "error: no clause 'NO-SUCH-ID'; `policymatch list` shows the ids\n"


def test_a_missing_policy_path_is_one_clean_line(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["list", "--policies", str(tmp_path / "nope")], capsys)
    assert (code, out) == (1, "")
    assert err == f"error: {tmp_path / 'nope'}: no such file or folder\n"


def test_broken_policies_outside_validate_are_one_line(mini_raw: dict[str, Any],
                                                       write_yaml: Writer,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _clause(mini_raw, "mini-gx")["colour"] = "red"
    _clause(mini_raw, "mini-xjr")["colour"] = "blue"
    path = write_yaml(mini_raw)
    code, out, err = run(["show", "mini-gx", "--policies", str(path)], capsys)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith(f"error: {path}: clause mini-gx: colour: Extra inputs are not permitted")
    assert err.endswith("(and 1 more; run `policymatch validate` to see all)\n")


@pytest.mark.parametrize(
    "argv",
    [["frobnicate"], ["schema", "nope"], ["schema"], ["show"], ["list", "--format", "xml"],
     ["validate", "--no-such-flag"], ["--no-such-flag"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and "usage: policymatch" in err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([], capsys)
    assert code == 2 and out == ""
    assert "usage: policymatch" in err and "validate" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"], capsys) == (0, f"{__version__}\n", "")


def test_python_dash_m_runs_the_cli(tmp_path: Path) -> None:
    import policymatch

    env = {**os.environ, "PYTHONPATH": str(Path(policymatch.__file__).parents[1])}
    done = subprocess.run([sys.executable, "-m", "policymatch", "--version"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout.strip(), done.stderr) == (0, __version__, "")
