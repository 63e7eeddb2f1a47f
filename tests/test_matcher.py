"""The Matcher: statuses from rules only, exclusivity, validity dates, questions, search."""

from __future__ import annotations

import pickle
import threading
from datetime import date
from pathlib import Path

import pytest

from policymatch import EnterpriseProfile, Matcher, MatchReport, Status, load_policies
from policymatch.errors import NotFittedError, ProfileError, UnknownClauseError
from policymatch.matcher import assess, clause_condition
from policymatch.models import Match
from policymatch.rules import evaluate

MINI = Path(__file__).parent / "data" / "mini.yaml"
DAY = date(2025, 6, 1)
BASE = {"name": "甲", "region": "测试县", "credit_clean": True}


@pytest.fixture(scope="module")
def mini_matcher(tokenizer):
    return Matcher(tokenizer=tokenizer).fit(load_policies(MINI))


@pytest.fixture(scope="module")
def bundled_matcher(tokenizer):
    return Matcher(tokenizer=tokenizer).fit(load_policies())


def _by_id(report: MatchReport) -> dict[str, Match]:
    return {m.clause_id: m for m in report.matches}


def test_unfitted_matcher_raises():
    with pytest.raises(NotFittedError, match="fit"):
        Matcher().match(EnterpriseProfile(name="甲"))
    with pytest.raises(NotFittedError):
        Matcher().search("研发")


def test_init_only_stores_parameters():
    m = Matcher(n_terms=3, max_changes=1)
    assert vars(m) == {"tokenizer": None, "index_cache": None, "n_terms": 3, "max_changes": 1}


def test_fit_rejects_non_policy_sets():
    with pytest.raises(TypeError, match="PolicySet"):
        Matcher().fit([1, 2])  # type: ignore[arg-type]


def test_unknown_is_possible_never_eligible_or_ineligible(mini_matcher):
    report = mini_matcher.match(EnterpriseProfile(**BASE), as_of=DAY, include_ineligible=True)
    got = _by_id(report)
    assert got["mini-gx"].status is Status.POSSIBLE
    assert got["mini-gx"].missing == ("new_qualifications",)
    assert got["mini-sales"].status is Status.POSSIBLE          # revenue unknown, not zero
    assert got["mini-service"].status is Status.ELIGIBLE         # no conditions of its own
    # a policy-wide fact unknown makes every clause at best possible
    report = mini_matcher.match(EnterpriseProfile(name="乙", region="测试县"), as_of=DAY)
    assert {m.status for m in report.matches} == {Status.POSSIBLE}
    assert all("credit_clean" in m.missing for m in report.matches)


def test_relevance_never_changes_a_status(mini_matcher):
    plain = EnterpriseProfile(**BASE, revenue="2亿")
    texty = EnterpriseProfile(**BASE, revenue="2亿", description="营业收入突破亿元的设备投资技改企业")
    a = {m.clause_id: m.status for m in mini_matcher.match(plain, as_of=DAY).matches}
    b = {m.clause_id: m.status for m in mini_matcher.match(texty, as_of=DAY).matches}
    assert a == b
    scores = {m.clause_id: m.score for m in mini_matcher.match(texty, as_of=DAY).matches}
    assert scores["mini-sales"] > 0 and all(
        m.score == 0 for m in mini_matcher.match(plain, as_of=DAY).matches)


def test_order_eligible_then_possible_then_near_misses(mini_matcher):
    p = EnterpriseProfile(**BASE, revenue="9000万", equipment_investment="800万",
                          is_above_scale=True, talents={"phd": 1})
    report = mini_matcher.match(p, as_of=DAY, include_ineligible=True)
    order = [m.status for m in report.matches]
    assert order == sorted(order, key=[Status.ELIGIBLE, Status.POSSIBLE, Status.INELIGIBLE].index)
    inel = [m for m in report.matches if m.status is Status.INELIGIBLE]
    assert inel[0].clause_id == "mini-sales" and inel[0].changes  # a near miss comes first
    assert inel[0].changes[0].delta == pytest.approx(1e7)
    assert "再增加 1,000万元" in inel[0].changes[0].text
    assert inel[0].amount is None


def test_ineligible_hidden_unless_asked(mini_matcher):
    p = EnterpriseProfile(**BASE, revenue="9000万")
    assert "mini-sales" not in _by_id(mini_matcher.match(p, as_of=DAY))
    assert _by_id(mini_matcher.match(p, as_of=DAY, include_ineligible=True))["mini-sales"]


def test_exclusivity_counts_only_the_best(mini_matcher):
    p = EnterpriseProfile(**BASE, new_qualifications=["国高新", "专精特新小巨人"])
    report = mini_matcher.match(p, as_of=DAY)
    got = _by_id(report)
    assert got["mini-xjr"].counted and got["mini-xjr"].amount == 500_000
    assert not got["mini-gx"].counted and got["mini-gx"].set_aside_for == "mini-xjr"
    assert report.total_amount == sum(m.amount or 0 for m in report.eligible if m.counted)
    assert report.total_amount == 500_000 + 0  # the other eligible clauses pay nothing here
    assert "就高不重复" in report.summary


def test_validity_dates_exclude_and_report(mini_matcher):
    report = mini_matcher.match(EnterpriseProfile(**BASE), as_of=date(2026, 1, 1))
    assert report.matches == ()
    assert set(report.inactive) == {c.id for c in load_policies(MINI).policies[0].clauses}


def test_amounts_for_every_benefit_kind(mini_matcher):
    p = EnterpriseProfile(**BASE, revenue="6亿", equipment_investment="2300万",
                          qualifications=["国高新"], talents={"phd": 2},
                          established=date(2024, 3, 1), office_area_sqm=300,
                          loan_amount="1000万", new_qualifications=["国高新"])
    got = _by_id(mini_matcher.match(p, as_of=DAY))
    assert got["mini-gx"].amount == 200_000                     # fixed
    assert got["mini-sales"].amount == 300_000                  # tiers
    assert got["mini-equip"].amount == 2_000_000                # ratio, capped
    assert "封顶 200万元" in got["mini-equip"].formula
    assert got["mini-phd"].amount == 2 * 3000 * 36              # per unit per month
    assert got["mini-loan"].amount == pytest.approx(1e7 * 0.0345 * 0.5 * 2)  # interest
    assert got["mini-rent"].amount == 200 * 10 * 12             # rent, area capped
    assert got["mini-service"].amount is None and got["mini-service"].benefit_kind == "in_kind"


def test_questions_ranked_by_money(mini_matcher):
    report = mini_matcher.match(EnterpriseProfile(**BASE), as_of=DAY)
    assert report.questions, "missing facts must become questions"
    money = [q.max_amount for q in report.questions]
    assert money == sorted(money, reverse=True)
    first = report.questions[0]
    # equal money: the fact that touches more clauses is asked first
    assert first.field == "qualifications" and first.max_amount == 2_000_000
    assert set(first.clause_ids) == {"mini-equip", "mini-loan"}
    second = report.questions[1]
    assert second.field == "equipment_investment" and "最高 200 万元" in second.question


def test_match_equals_assess_one_clause_at_a_time(bundled_matcher):
    p = EnterpriseProfile(name="丙", region="嵊州市", credit_clean=True, revenue="3亿",
                          tax_paid="1200万", qualifications=["国高新"], employees=300)
    day = date(2026, 6, 30)
    report = bundled_matcher.match(p, as_of=day, include_ineligible=True)
    got = _by_id(report)
    ps = bundled_matcher.policy_set_
    for policy, clause in ps.items():
        if not policy.active_on(day):
            assert clause.id in report.inactive
            continue
        one = assess(policy, clause, p, as_of=day)
        m = got[clause.id]
        assert (m.status, m.amount, m.missing, m.reasons) == (
            one.status, one.amount, one.missing, one.reasons)
        # and the joined condition evaluated in one go gives the same verdict
        ev = evaluate(clause_condition(policy, clause), p, as_of=day)
        assert ev.outcome.value == {"eligible": "met", "possible": "unknown",
                                    "ineligible": "unmet"}[m.status.value]


def test_results_equal_their_validated_round_trip(bundled_matcher):
    p = EnterpriseProfile(name="丁", region="嵊州市", credit_clean=True, revenue="1亿",
                          description="新能源汽车零部件研发制造", talents={"master": 2})
    for include in (False, True):
        report = bundled_matcher.match(p, include_ineligible=include)
        assert MatchReport.model_validate_json(report.to_json()) == report
        assert MatchReport.model_validate(report.model_dump()) == report


def test_deterministic_json(bundled_matcher):
    p = EnterpriseProfile(name="戊", region="嵊州市", industry="集成灶",
                          description="集成灶 厨房电器 智能制造")
    day = date(2026, 6, 30)
    assert bundled_matcher.match(p, as_of=day).to_json() == bundled_matcher.match(
        p, as_of=day).to_json()


def test_dict_profiles_are_validated(mini_matcher):
    report = mini_matcher.match({"name": "甲", "revenue": "2亿"}, as_of=DAY)
    assert report.enterprise == "甲"
    with pytest.raises(ProfileError, match="revenu"):
        mini_matcher.match({"name": "甲", "revenu": 1}, as_of=DAY)
    with pytest.raises(ProfileError):
        mini_matcher.match(42, as_of=DAY)  # type: ignore[arg-type]


def test_top_k(bundled_matcher):
    p = EnterpriseProfile(name="己", region="嵊州市")
    assert len(bundled_matcher.match(p, top_k=3).matches) == 3


def test_search_ranks_talent_clauses_first(bundled_matcher):
    hits = bundled_matcher.search("招了几个博士有没有补贴", top_k=5)
    assert hits and all(h.score > 0 for h in hits)
    assert "博士" in hits[0].clause_title
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert bundled_matcher.search("zzzz qqqq") == []
    with pytest.raises(ProfileError, match="too long"):
        bundled_matcher.search("研" * 10_001)


def test_search_equipment(bundled_matcher):
    hits = bundled_matcher.search("我们买了一批数控设备，有什么补助", top_k=5)
    assert any("设备" in h.clause_title or "技术改造" in h.clause_title for h in hits[:3])


def test_matched_terms_explain_the_score(bundled_matcher):
    p = EnterpriseProfile(name="庚", region="嵊州市", description="茶叶种植加工，茶园改造")
    report = bundled_matcher.match(p)
    top = max(report.matches, key=lambda m: m.score)
    assert top.score > 0 and top.matched_terms
    assert any("茶" in t for t in top.matched_terms)


def test_pickled_matcher_matches_the_same(bundled_matcher):
    p = EnterpriseProfile(name="辛", region="嵊州市", credit_clean=True, revenue="5000万",
                          description="动力电池 储能 研发生产")
    day = date(2026, 6, 30)
    clone = pickle.loads(pickle.dumps(bundled_matcher))
    assert clone.match(p, as_of=day) == bundled_matcher.match(p, as_of=day)


def test_index_cache_round_trip(tmp_path, tokenizer):
    ps = load_policies(MINI)
    first = Matcher(tokenizer=tokenizer, index_cache=tmp_path).fit(ps)
    assert any(tmp_path.iterdir()), "the fitted index should be saved in the cache"
    second = Matcher(tokenizer=tokenizer, index_cache=tmp_path).fit(ps)
    p = EnterpriseProfile(**BASE, description="设备投资 技改 营业收入")
    assert first.match(p, as_of=DAY) == second.match(p, as_of=DAY)


def test_threads_share_one_matcher(bundled_matcher):
    profiles = [EnterpriseProfile(name=f"企业{i}", region="嵊州市", credit_clean=True,
                                  revenue=f"{i + 1}千万", description=d)
                for i, d in enumerate(["电池", "茶叶", "领带 出口", "集成灶", "卫星", "多肽 创新药",
                                       "直播电商", "建筑施工"])]
    day = date(2026, 6, 30)
    serial = [bundled_matcher.match(p, as_of=day).to_json() for p in profiles]
    results: list[str | None] = [None] * len(profiles)

    def work(i: int) -> None:
        for _ in range(5):
            results[i] = bundled_matcher.match(profiles[i], as_of=day).to_json()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(profiles))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == serial


def test_unknown_clause_id(bundled_matcher):
    with pytest.raises(UnknownClauseError, match="policymatch list"):
        bundled_matcher.policy_set_.clause("no-such-clause")


def test_matcher_params_round_trip_like_the_other_estimators() -> None:
    from policymatch.index import ClauseIndex
    from policymatch.text import Tokenizer

    m = Matcher(n_terms=3)
    assert m.get_params() == {"tokenizer": None, "index_cache": None, "n_terms": 3, "max_changes": 2}
    assert m.set_params(max_changes=1) is m and m.max_changes == 1
    assert Matcher(**m.get_params()).get_params() == m.get_params()
    with pytest.raises(ValueError, match="Matcher has no parameter 'top_k'; its parameters are"):
        m.set_params(top_k=3)
    for cls in (Tokenizer, ClauseIndex):  # one definition shared by every estimator
        assert cls.get_params is Matcher.get_params and cls.set_params is Matcher.set_params
