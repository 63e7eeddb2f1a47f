"""The questions of a report: only missing facts, once each, in plain Chinese, with how to answer."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policymatch import EnterpriseProfile, Matcher, load_policies
from policymatch.cli import build_parser, main
from policymatch.fields import DERIVED_FROM, EXTRA_FACTS, ask_for
from policymatch.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
DAY = date(2026, 6, 30)


@pytest.fixture(scope="module")
def bundled(tokenizer):
    return Matcher(tokenizer=tokenizer).fit(load_policies())


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    monkeypatch.setenv("POLICYMATCH_NO_CACHE", "1")


def _flags() -> set[str]:
    parser = build_parser()
    match = next(a for a in parser._actions if a.dest == "command").choices["match"]
    return {s for a in match._actions for s in a.option_strings}


# -- only what is missing, once each ------------------------------------------------------------
def test_known_revenue_and_employees_are_never_asked_for(bundled):
    report = bundled.match(EnterpriseProfile(name="甲", region="嵊州市", revenue="1亿",
                                             employees=100), as_of=DAY)
    fields = [q.field for q in report.questions]
    assert "revenue" not in fields and "employees" not in fields
    assert not set(fields) & set(DERIVED_FROM), "a derived field is asked through its inputs"
    assert "rd_expense" in fields and "industry_code" in fields
    for q in report.questions:  # the questions of main asked for both again
        assert "各是多少" not in q.question and "从业人数、" not in q.question, q.question


def test_each_fact_is_asked_once_with_every_clause_that_needs_it(bundled):
    # rd_expense is needed both by the 研发费用占比 test and by a benefit formula
    report = bundled.match(EnterpriseProfile(name="甲", region="嵊州市", revenue="1亿"), as_of=DAY)
    fields = [q.field for q in report.questions]
    assert len(fields) == len(set(fields))
    rd = next(q for q in report.questions if q.field == "rd_expense")
    needing = {m.clause_id for m in report.matches
               if m.status.value != "ineligible" and {"rd_expense", "rd_ratio"} & set(m.missing)}
    assert set(rd.clause_ids) == needing and len(rd.clause_ids) == len(set(rd.clause_ids))


def test_scale_class_asks_only_what_the_industry_row_uses(bundled):
    # 农业 (A) is classified by revenue alone: its employees are not asked for
    report = bundled.match(EnterpriseProfile(name="甲", region="嵊州市", industry_code="A0111"),
                           as_of=DAY)
    scale = {m.clause_id for m in report.matches if "scale_class" in m.missing}
    assert scale, "the corpus has clauses for 小型/微型 enterprises"
    asked = {q.field for q in report.questions if scale & set(q.clause_ids)}
    assert "revenue" in asked and "industry_code" not in asked
    revenue_q = next(q for q in report.questions if q.field == "revenue")
    assert scale <= set(revenue_q.clause_ids)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_questions_ask_only_for_unknown_facts(bundled, path):
    profile = load_profile(path)
    report = bundled.match(profile, as_of=DAY)
    assert report.questions
    for q in report.questions:
        assert profile.get(q.field, as_of=DAY) is None, f"{q.field} is known yet asked"
        assert "请补充" not in q.question, q.question
        assert re.search(r"[？?].*（可能影响 \d+ 条", q.question), q.question


# -- how to answer ---------------------------------------------------------------------------
@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_question_says_how_to_answer_and_the_answer_reads(bundled, path):
    report = bundled.match(load_profile(path), as_of=DAY)
    flags = _flags()
    for q in report.questions:
        assert q.flag and q.json_example, q.field
        flag = q.flag.split()[0]
        assert flag in flags, f"{q.field}: {flag} is not a flag of policymatch match"
        if flag == "--set":
            assert q.flag.split()[1].startswith(q.field + "=")
        # the JSON example is a valid fragment of a profile, about this very field
        fragment = json.loads("{" + q.json_example.replace("true/false", "true") + "}")
        answered = load_profile({"name": "甲", **fragment})
        assert answered.get(q.field, as_of=DAY) is not None, q.json_example


def test_money_questions_give_the_unit(bundled):
    q = ask_for("rd_expense")
    assert q.unit == "元" and q.flag == "--rd-expense 350万"
    assert ask_for("talents.phd").unit == "人"
    assert ask_for("extra.实到外资").unit == "万美元"
    # the question asks about the bad case, so the answer says which is 是
    assert ask_for("credit_clean").unit.startswith("未列入名单：是 / true")
    assert ask_for("safety_incident_free").unit.startswith("未发生：是 / true")


def test_every_extra_fact_of_the_bundled_corpus_has_a_question():
    used = set()
    for policy, clause in load_policies().items():
        text = json.dumps([policy.model_dump(mode="json", include={"conditions"}),
                           clause.model_dump(mode="json", include={"conditions", "benefit"})],
                          ensure_ascii=False)
        used |= set(re.findall(r'"extra\.([^"]+)"', text))
    assert used and used <= set(EXTRA_FACTS), sorted(used - set(EXTRA_FACTS))


def test_an_extra_key_of_ones_own_policy_gets_a_natural_question(write_yaml, tokenizer):
    path = write_yaml({"id": "own", "title": "自有政策", "clauses": [
        {"id": "own-1", "title": "国企奖励", "text": "国有企业奖励10万元。",
         "conditions": {"field": "extra.所有制", "op": "in", "value": ["国有", "集体"]},
         "benefit": {"kind": "fixed", "amount": "10万"}},
        {"id": "own-2", "title": "迁入奖励", "text": "迁入奖励5万元。",
         "conditions": {"field": "extra.总部迁入", "op": "==", "value": True},
         "benefit": {"kind": "fixed", "amount": "5万"}}]})
    matcher = Matcher(tokenizer=tokenizer).fit(load_policies(path))
    asked = {q.field: q for q in matcher.match(EnterpriseProfile(name="甲"), as_of=DAY).questions}
    own = asked["extra.所有制"]
    assert own.question.startswith("企业的“所有制”是什么？（如 国有、集体）")
    assert own.flag == "--set extra.所有制=国有"
    moved = asked["extra.总部迁入"]
    assert moved.question.startswith("企业是否符合“总部迁入”？")
    assert moved.flag == "--set extra.总部迁入=是/否"


# -- the CLI: flags for the facts most asked about, help for every flag ------------------------
def test_every_match_flag_has_help_with_the_unit():
    parser = build_parser()
    match = next(a for a in parser._actions if a.dest == "command").choices["match"]
    for action in match._actions:
        assert action.help, f"{action.option_strings or action.dest} has no help"
    helps = {s: a.help for a in match._actions for s in a.option_strings}
    assert "元" in helps["--revenue"] and "people" in helps["--phd"]
    assert "m²" in helps["--office-area-sqm"] and "0.12" in helps["--revenue-growth"]


@pytest.mark.parametrize(("argv", "field", "value"), [
    (["--credit-clean", "否"], "credit_clean", False),
    (["--credit-clean", "yes"], "credit_clean", True),
    (["--safety-incident-free", "是"], "safety_incident_free", True),
    (["--not-above-scale"], "is_above_scale", False),
    (["--phd", "2"], "talents.phd", 2),
    (["--revenue-growth", "0.15"], "revenue_growth", 0.15),
])
def test_new_fact_flags_reach_the_profile(argv: list[str], field: str, value: Any, capsys):
    assert main(["match", "--name", "甲", "--policies", str(ROOT / "tests" / "data" / "mini.yaml"),
                 "--format", "json", *argv]) == 0
    report = json.loads(capsys.readouterr().out)
    assert field not in {q["field"] for q in report["questions"]}
    from policymatch.cli.commands import _profile_from_args

    args = build_parser().parse_args(["match", "--name", "甲", *argv])
    assert _profile_from_args(args).get(field) == value


def test_a_bad_yes_no_value_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["match", "--name", "甲", "--credit-clean", "maybe"])
    assert exc.value.code == 2
    assert "expected 是 or 否" in capsys.readouterr().err


def test_the_table_shows_how_to_answer(capsys):
    assert main(["match", "--name", "甲", "--region", "嵊州市", "--as-of", "2026-06-30"]) == 0
    out = capsys.readouterr().out
    assert "请补充" not in out
    assert re.search(r"填写：--credit-clean 是/否，或 JSON \"credit_clean\": true/false", out)


def test_the_html_view_shows_how_to_answer(bundled):
    report = bundled.match(EnterpriseProfile(name="甲", region="嵊州市"), as_of=DAY)
    html = report._repr_html_()
    assert "填写：--credit-clean 是/否" in html


def test_a_field_path_of_a_group_is_answered_in_nested_json():
    ask = ask_for("talents.phd")
    assert json.loads("{" + ask.json + "}") == {"talents": {"phd": 2}}
    # a path with no spec of its own still gets a question, never an error
    odd = ask_for("previous.revenue")
    assert odd.flag == "--set previous.revenue=1.2亿"
    assert json.loads("{" + odd.json + "}") == {"previous": {"revenue": "1.2亿"}}
    prev = ask_for("previous.extra.建筑业产值")
    assert prev.flag == "--set previous.extra.建筑业产值=12亿" and prev.unit == "元"
    assert json.loads("{" + prev.json + "}") == {"previous": {"extra": {"建筑业产值": 1_200_000_000}}}
    assert load_profile({"name": "甲", **json.loads("{" + prev.json + "}")}).get(
        "previous.extra.建筑业产值") == 1_200_000_000


def test_a_derived_fact_the_known_inputs_cannot_settle_is_a_question_without_a_flag(bundled):
    # 租赁和商务服务业 is classified on assets too, which a profile does not hold
    profile = EnterpriseProfile(name="甲", region="嵊州市", industry_code="L7211", employees=50)
    report = bundled.match(profile, as_of=DAY)
    scale = next(q for q in report.questions if q.field == "scale_class")
    assert scale.question.startswith("按已知信息还不能判定企业规模（大/中/小/微），主管部门如何认定？")
    assert scale.flag == "" and scale.how() == ""
    # the row does not use revenue, so settling the class never asks for it
    assert not any(q.field == "revenue" and set(scale.clause_ids) <= set(q.clause_ids)
                   for q in report.questions)


def test_a_missing_entry_that_is_no_profile_field_is_asked_for_a_check_not_a_flag():
    ask = ask_for("某项未结构化条件")
    assert ask.question.endswith("是否满足？（需人工核实）") and ask.flag == "" and ask.json == ""
