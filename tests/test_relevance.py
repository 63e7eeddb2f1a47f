"""A list worth reading: relevance by kind of firm, top_k as a display limit, search ranking.

Relevance orders rows and folds those written for other kinds of firm behind ``--all``; it never
changes a status, a total, a question or a JSON report's matches.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from policymatch import EnterpriseProfile, Matcher, load_policies
from policymatch.audience import clause_sectors, profile_sectors, sector_table, unrelated
from policymatch.cli import main
from policymatch.display.table import POSSIBLE_ROWS, default_rows
from policymatch.matcher import assess
from policymatch.models import Status

ROOT = Path(__file__).resolve().parents[1]
DAY = date(2026, 6, 30)
TEXTILE = EnterpriseProfile(name="某纺织公司", region="嵊州市", industry="纺织",
                            description="纺织面料生产")


@pytest.fixture(scope="module")
def _cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("relevance-cache")


@pytest.fixture(autouse=True)
def _private_cache(_cache_dir, monkeypatch):
    # the CLI keeps its fitted index in a cache folder: one of our own, never the user's
    monkeypatch.setenv("POLICYMATCH_CACHE_DIR", str(_cache_dir))


@pytest.fixture(scope="module")
def matcher(tokenizer):
    return Matcher(tokenizer=tokenizer).fit(load_policies())


@pytest.fixture(scope="module")
def clauses():
    return {c.id: (p, c) for p, c in load_policies().items()}


# -- the kinds of firm -----------------------------------------------------------------------------
@pytest.mark.parametrize(("clause_id", "kinds"), [
    ("sz9-tour-5a", {"文旅"}),         # a qualification only a scenic area holds
    ("sz9-con-tj", {"建筑业"}),        # a builder's licence
    ("sz9-agr-lsgm", {"农业"}),        # an extra fact: grain area
    ("sz9-agr-cjg", {"农业"}),         # industry == 茶叶 outweighs the equipment field
    ("sz9-fin-jgdk", {"工业"}),        # only the equipment field speaks: 技术改造
    ("sz9-mfg-jg", {"工业"}),          # nothing in the conditions: the policy's domain
    ("sz9-svc-lzh1", set()),           # 中华老字号 is open to every kind of firm
    ("sz1-tax", set()),                # taxes: every kind
    ("sz9-tal-phd", set()),
])
def test_clause_sectors(clauses, clause_id, kinds):
    assert clause_sectors(*clauses[clause_id]) == kinds


@pytest.mark.parametrize(("facts", "kinds"), [
    ({"industry": "纺织"}, {"工业"}),                                    # alias of 领带服装
    ({"industry_code": "A0164", "industry": "领带服装"}, {"农业"}),       # the code wins
    ({"industry": "住宿"}, {"文旅", "商贸"}),                            # a word of the table
    ({"qualifications": ["金宿"]}, {"文旅"}),                            # what it holds
    ({"description": "小微企业园招商运营与物业管理"}, {"园区", "服务业"}),  # words, last resort
    ({"description": "销售领带", "industry": "电子商务"}, {"商贸"}),      # not the goods it sells
    ({}, set()),
])
def test_profile_sectors(facts, kinds):
    assert profile_sectors(EnterpriseProfile(name="甲", **facts)) == kinds


def test_unrelated_needs_both_sides_known():
    assert unrelated(frozenset({"文旅"}), frozenset({"工业"}))
    assert not unrelated(frozenset({"文旅"}), frozenset({"工业", "文旅"}))
    assert not unrelated(frozenset(), frozenset({"工业"}))       # a clause open to all
    assert not unrelated(frozenset({"文旅"}), frozenset())       # a firm of unknown kind


def test_every_table_name_is_a_known_name():
    """A misspelt qualification or industry in sectors.yaml would silently mark nothing."""
    from policymatch.aliases import alias_table

    names = alias_table()
    table = sector_table()
    assert set(table.qualifications) <= set(names.qualifications)
    assert set(table.vocabulary) <= set(names.industries)
    assert set(names.industries) <= set(table.industries)  # every known industry has a kind


# -- the default view ------------------------------------------------------------------------------
def test_textile_walk_in_leads_with_what_to_ask(matcher):
    """The issue's case: a textile firm that says only a few words. On the old order 5A scenic
    areas, 特级资质 and grain farming were among the first possible rows."""
    report = matcher.match(TEXTILE, as_of=DAY)
    rows, _, folded = default_rows(report.matches, show_all=False)
    shown = [m.clause_id for m in rows if m.status is Status.POSSIBLE]
    assert len(shown) == POSSIBLE_ROWS and folded > 0
    for other in ("sz9-tour-5a", "sz9-con-tj", "sz9-agr-lsgm"):
        assert other not in shown
    assert {"szx-ld-zj", "szx-ld-sj"} <= set(shown)  # the textile cluster's own clauses
    # folded, never dropped: the report keeps them as possible and the summary counts them
    by_id = {m.clause_id: m for m in report.matches}
    assert by_id["sz9-tour-5a"].unrelated and by_id["sz9-tour-5a"].status is Status.POSSIBLE
    possible = sum(m.status is Status.POSSIBLE for m in report.matches)
    assert f"另有 {possible} 条需补充信息" in report.summary
    assert [m.clause_id for m in default_rows(report.matches, show_all=True)[0]] == \
        [m.clause_id for m in report.matches]


def test_relevance_never_changes_a_status_or_amount(matcher, clauses):
    report = matcher.match(TEXTILE, as_of=DAY, include_ineligible=True)
    for m in report.matches:
        plain = assess(*clauses[m.clause_id], TEXTILE, as_of=DAY)
        assert (m.status, m.amount) == (plain.status, plain.amount), m.clause_id


def test_unknown_kind_folds_nothing(matcher):
    report = matcher.match(EnterpriseProfile(name="某公司", region="嵊州市"), as_of=DAY)
    assert not any(m.unrelated for m in report.matches)


# -- top_k limits rows, never the answer -------------------------------------------------------------
@pytest.mark.parametrize("k", [0, 1, 3])
def test_top_k_keeps_summary_total_and_questions(matcher, k):
    profile = json.loads((ROOT / "examples" / "battery_plant.json").read_text("utf-8"))
    full = matcher.match(profile, as_of=DAY)
    top = matcher.match(profile, as_of=DAY, top_k=k)
    assert (top.summary, top.total_amount, top.questions) == \
        (full.summary, full.total_amount, full.questions)
    assert [m.clause_id for m in top.matches] == [m.clause_id for m in full.matches[:k]]
    assert [m.counted for m in top.matches] == [m.counted for m in full.matches[:k]]
    assert top.omitted == len(full.matches) - k and full.omitted == 0
    assert full.questions  # the case would prove nothing without questions


def test_cli_top_0_says_rows_were_left_out(capsys):
    path = str(ROOT / "examples" / "battery_plant.json")
    assert main(["match", path, "--as-of", "2026-06-30"]) == 0
    full = capsys.readouterr().out
    assert main(["match", path, "--as-of", "2026-06-30", "--top", "0"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == full.splitlines()[0]  # the same summary line
    assert "没有找到" not in out and re.search(r"另有 \d+ 条未列出", out)
    assert "建议补充询问" in out


def test_cli_folds_other_kinds_behind_all(capsys):
    flags = ["match", "--name", "某纺织公司", "--region", "嵊州市", "--industry", "纺织",
             "--description", "纺织面料生产", "--as-of", "2026-06-30"]
    assert main(flags) == 0
    out = capsys.readouterr().out
    assert "sz9-tour-5a" not in out and "面向其他类型的企业" in out
    assert main([*flags, "--all"]) == 0
    assert "sz9-tour-5a" in capsys.readouterr().out
    assert main([*flags, "--format", "json"]) == 0
    ids = {m["clause_id"]: m for m in json.loads(capsys.readouterr().out)["matches"]}
    assert ids["sz9-tour-5a"]["unrelated"] is True


# -- free-text search --------------------------------------------------------------------------------
def test_doctoral_allowance_above_any_grain_subsidy(matcher):
    hits = [h.clause_id for h in matcher.search("招了几个博士有没有补贴", top_k=200)]
    grain = [i for i, c in enumerate(hits) if c.startswith("sz9-agr-")]
    assert "sz9-tal-phd" in hits[:5]
    assert all(hits.index("sz9-tal-phd") < i for i in grain)


def test_cli_search_top_0_is_not_nothing_found(capsys):
    assert main(["search", "招了几个博士有没有补贴", "--top", "0"]) == 0
    assert "没有找到" not in capsys.readouterr().out
    assert main(["search", "招了几个博士有没有补贴", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert "sz9-tal-phd" in out and "sz9-agr-lsgm" not in out
