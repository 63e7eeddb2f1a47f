"""`policymatch show` reads a clause as a person would; `policymatch validate` sees drafts."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from policymatch.cli import main
from policymatch.corpus.review import review_notes
from policymatch.display.clause_text import benefit_text, leaf_text
from policymatch.models import FieldTest, PerUnitBenefit, TiersBenefit


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# -- show ----------------------------------------------------------------------------------------
def test_show_gives_conditions_formula_and_source_in_words(mini_path: Path, capsys) -> None:
    code, out, _ = run(["show", "mini-equip", "--policies", str(mini_path)], capsys)
    assert code == 0
    lines = out.splitlines()
    assert "依据：测试县人民政府办公室发布的《测试县促进制造业发展若干政策（测试用）》（测政办〔2025〕1号），"\
           "有效期 2025-01-01 至 2025-12-31" in lines
    assert "条件（须全部满足）：" in lines
    assert "  · 设备投资额达到 500万元" in lines
    assert "  · 满足其中任一：" in lines
    assert "    · 规模以上企业" in lines
    assert "    · 已获资质荣誉包含 国家高新技术企业、省专精特新中小企业 之一" in lines
    assert "  本政策各条款共同的条件：" in lines
    assert "    · 注册地为 测试县" in lines and "    · 未列入严重失信主体名单" in lines
    assert "金额：设备投资额 × 10%，最高 200万元" in lines
    assert "test fixture" not in out  # the maintainers' note on where the figures came from


def test_show_of_every_bundled_clause_is_in_chinese_words(capsys) -> None:
    from policymatch import load_policies

    for policy, clause in load_policies().items():
        code, out, _ = run(["show", clause.id], capsys)
        assert code == 0
        assert "金额：" in out and "依据：" in out
        # field paths and English modelling notes stay in --format json
        assert not re.search(r"[A-Za-z_]+\.[a-z_]+|modelled|illustrative|not public", out), \
            (clause.id, out)
        if clause.conditions is not None or policy.conditions is not None:
            assert "条件（须全部满足）：" in out


@pytest.mark.parametrize(("node", "text"), [
    (FieldTest(field="age_years", op="<", value=3), "成立年限低于 3年"),
    (FieldTest(field="credit_clean", op="==", value=False), "不符合“未列入严重失信主体名单”"),
    (FieldTest(field="extra.企业性质", op="not_in", value=["国有企业"]), "企业性质不是 国有企业"),
    (FieldTest(field="qualifications", op="not_has", value="亩均效益D类"), "已获资质荣誉不含 亩均效益D类"),
    (FieldTest(field="loan_amount", op=">", value=0), "有贷款金额（大于 0）"),
    (FieldTest(field="extra.网络零售额", op=">=", value=5_000_000), "网络零售额达到 500万元"),
])
def test_leaf_text(node: FieldTest, text: str) -> None:
    assert leaf_text(node) == text


@pytest.mark.parametrize(("benefit", "text"), [
    (TiersBenefit(field="revenue", tiers=[{"at": "1亿", "amount": "10万"}, {"at": "5亿", "amount": "30万"}]),
     "按上年度营业收入分档，取达到的最高一档：达到 1亿元 给予 10万元；达到 5亿元 给予 30万元"),
    (PerUnitBenefit(field="talents.phd", rate="3万", period="year", duration=3),
     "按新引进全职博士，每人每年 3万元，共 3 年"),
])
def test_benefit_text(benefit: Any, text: str) -> None:
    assert benefit_text(benefit) == text


# -- validate and drafts -------------------------------------------------------------------------
def _draft(mini_raw: dict[str, Any]) -> dict[str, Any]:
    mini_raw["clauses"][0]["review"] = "请核对：金额是否为一次性"
    mini_raw["clauses"][2]["review"] = "请核对：“首次突破”未结构化"
    return mini_raw


def test_validate_counts_and_locates_open_review_notes(mini_raw, write_yaml, capsys) -> None:
    path = write_yaml(_draft(mini_raw))
    code, out, err = run(["validate", str(path)], capsys)
    assert code == 0
    assert not out.startswith("OK")
    assert out.startswith("DRAFT: 1 policies, 8 clauses, 6 clause cases pass, but 2 clause(s) in "
                          "1 file(s) still carry a review: note")
    text = path.read_text(encoding="utf-8").splitlines()
    lines = err.splitlines()
    assert len(lines) == 2
    for line, cid in zip(lines, ("mini-gx", "mini-sales"), strict=True):
        m = re.match(rf"{re.escape(str(path))}:(\d+): clause {cid}: open review: 请核对", line)
        assert m, line
        assert text[int(m.group(1)) - 1].strip().startswith("review:")


def test_validate_strict_makes_review_notes_an_error(mini_raw, write_yaml, capsys) -> None:
    path = write_yaml(_draft(mini_raw))
    code, out, err = run(["validate", "--strict", str(path)], capsys)
    assert code == 1 and out == ""
    assert "2 clause(s) in 1 file(s) still carry a review: note" in err
    assert "delete its review: line" in err


def test_validate_strict_passes_a_reviewed_file(mini_path, capsys) -> None:
    code, out, _ = run(["validate", "--strict", str(mini_path)], capsys)
    assert code == 0 and out.startswith("OK: ")


def test_blank_review_notes_are_closed_and_json_files_are_located(mini_raw, write_yaml) -> None:
    import json

    mini_raw["clauses"][0]["review"] = "  "
    mini_raw["clauses"][1]["review"] = "请核对"
    path = write_yaml(json.dumps(mini_raw, ensure_ascii=False, indent=2, default=str), name="draft.json")
    notes = review_notes([path])
    assert [(n.clause_id, n.note) for n in notes] == [("mini-xjr", "请核对")]
    line = path.read_text(encoding="utf-8").splitlines()[notes[0].line - 1]  # type: ignore[operator]
    assert '"review": "请核对"' in line


def test_the_bundled_corpus_has_no_open_review_notes() -> None:
    assert review_notes() == []


def test_a_first_crossing_reads_as_one_milestone() -> None:
    from policymatch.display.clause_text import condition_lines
    from policymatch.models import AllOf, AnyOf

    tiers = [AllOf(of=(FieldTest(field="extra.建筑业产值", op=">=", value=t),
                       FieldTest(field="previous.extra.建筑业产值", op="<", value=t)))
             for t in (1e9, 2e9)]
    assert condition_lines(AnyOf(of=tuple(tiers))) == [
        "  · 满足其中任一：",
        "    · 建筑业产值首次达到 10亿元（前一年度低于 10亿元）",
        "    · 建筑业产值首次达到 20亿元（前一年度低于 20亿元）",
    ]


def test_show_says_a_draft_clause_awaits_review(mini_raw, write_yaml, capsys) -> None:
    path = write_yaml(_draft(mini_raw))
    code, out, _ = run(["show", "mini-gx", "--policies", str(path)], capsys)
    assert code == 0 and "待审核：请核对：金额是否为一次性" in out.splitlines()


def test_validate_reports_unstructured_conditions_of_a_draft(mini_raw, write_yaml, capsys) -> None:
    raw = copy.deepcopy(mini_raw)
    raw["clauses"][0]["conditions"] = {"kind": "all", "of": [
        raw["clauses"][0]["conditions"], {"kind": "unstructured", "text": "签订3年以上劳动合同"}]}
    raw["clauses"][0].pop("cases", None)
    path = write_yaml(raw)
    code, out, err = run(["validate", str(path)], capsys)
    assert code == 0 and out.startswith("DRAFT: ") and "1 condition(s) in 1 file(s)" in out
    assert "clause mini-gx: unstructured condition (at best possible): 签订3年以上劳动合同" in err
    code, out, err = run(["validate", "--strict", str(path)], capsys)
    assert code == 1 and "structure each unstructured condition" in err
