"""Rich display and interop: HTML of reports and policies, short reprs, DataFrames, JSON, rows."""

from __future__ import annotations

import json
import math
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest

from policymatch import EnterpriseProfile, Matcher, MatchReport, PolicySet, ProfileError, Status
from policymatch.display.html import CLAUSE_COLUMNS, wan
from policymatch.profile import profile_from_row

DAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def matcher(mini_set: PolicySet) -> Matcher:
    return Matcher().fit(mini_set)


@pytest.fixture(scope="module")
def report(matcher: Matcher, maker_profile: EnterpriseProfile) -> MatchReport:
    """Six eligible clauses with every kind of amount, two ineligible ones listed."""
    return matcher.match(maker_profile, as_of=DAY, include_ineligible=True)


@pytest.fixture(scope="module")
def mixed_report(matcher: Matcher) -> MatchReport:
    """Eligible, set aside by 就高不重复, and possible clauses in one report."""
    return matcher.match({"name": "混合企业", "region": "测试县", "credit_clean": True,
                          "new_qualifications": ["国高新", "专精特新小巨人"]}, as_of=DAY)


class _Checker(HTMLParser):
    """Collects the text, the tags that are opened and closed, and every class name."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.classes: set[str] = set()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name == "class" and value:
                self.classes.update(value.split())
        if tag not in ("br",):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes <{self.stack[-1:]}>"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == [], f"unclosed tags: {checker.stack}"
    return checker


# -- MatchReport HTML ------------------------------------------------------------------------------
def test_report_html_has_the_key_content(report: MatchReport) -> None:
    html = report._repr_html_()
    parsed = _parse(html)
    text = "".join(parsed.text)
    assert report.enterprise in text
    assert report.summary in text
    assert "金额（万元）" in text
    for m in report.eligible:
        assert m.clause_id in text
        assert m.clause_title in text
        if m.amount is not None:
            assert wan(m.amount) in text
    assert {"pm-report", "pm-table", "pm-status", "pm-eligible", "pm-ineligible"} <= parsed.classes
    assert "pm-possible" not in parsed.classes


def test_report_html_amounts_are_in_wan(report: MatchReport) -> None:
    html = report._repr_html_()
    # 设备投资 capped at 200万, 贷款贴息 50万, 博士补贴 21.6万, 营收奖励 10万, 房租 2.4万
    cells = html.split('class="pm-amount"')[1:]
    shown = [c.split(">", 1)[1].split("<", 1)[0] for c in cells]
    assert shown[:5] == ["200", "50", "21.6", "10", "2.4"]
    assert "2000000" not in html and "216000" not in html


def test_report_html_shows_reasons_and_formulas(report: MatchReport) -> None:
    html = report._repr_html_()
    equip = next(m for m in report.matches if m.clause_id == "mini-equip")
    assert equip.formula in html  # formulas are plain Chinese text: nothing to escape
    for reason in equip.reasons:
        assert reason.text in html
    assert "<details" in html


def test_report_html_marks_set_aside_and_possible(mixed_report: MatchReport) -> None:
    html = mixed_report._repr_html_()
    parsed = _parse(html)
    assert {"pm-eligible", "pm-possible"} <= parsed.classes
    set_aside = [m for m in mixed_report.matches if not m.counted]
    assert set_aside, "the fixture should set a clause aside by 就高不重复"
    assert f"({wan(set_aside[0].amount or 0)})" in html
    assert f"让位于 {set_aside[0].set_aside_for}" in html
    possible = mixed_report.possible[0]
    assert "缺：" in html and possible.clause_id in html


def test_report_html_escapes_a_malicious_name(matcher: Matcher) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    report = matcher.match({"name": evil, "region": "测试县"}, as_of=DAY)
    html = report._repr_html_()
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert evil in "".join(_parse(html).text)


def test_report_html_of_an_empty_report() -> None:
    empty = MatchReport(enterprise="空企业", as_of=DAY, summary="可享受 0 条")
    html = empty._repr_html_()
    _parse(html)
    assert "空企业" in html and "pm-empty" in html and "<table" not in html


def test_report_repr_is_short(report: MatchReport) -> None:
    assert repr(report) == "MatchReport('测试县精密机械有限公司', eligible=6, possible=0, total=284万元)"
    assert repr(report.matches[0]) == "Match('mini-equip', eligible, 200万元)"


# -- Policy and PolicySet --------------------------------------------------------------------------
def test_policy_html_and_repr(mini_set: PolicySet) -> None:
    policy = mini_set.policies[0]
    assert repr(policy) == "Policy('mini', 8 clauses)"
    assert repr(mini_set) == "PolicySet(1 policy, 8 clauses)"
    parsed = _parse(policy._repr_html_())
    text = "".join(parsed.text)
    assert policy.title in text and "测政办〔2025〕1号" in text and "2025-01-01 至 2025-12-31" in text
    for clause in policy.clauses:
        assert clause.id in text
    assert "200" in text  # the equipment subsidy's cap, in 万元
    set_text = "".join(_parse(mini_set._repr_html_()).text)
    assert "mini" in set_text and "1 个政策文件，8 条" in set_text


def test_policy_to_dataframe(mini_set: PolicySet) -> None:
    pytest.importorskip("pandas", reason="to_dataframe needs pandas (the dataframe extra)")
    df = mini_set.policies[0].to_dataframe()
    assert list(df.columns) == list(CLAUSE_COLUMNS)
    assert len(df) == 8
    row = df.set_index("clause_id").loc["mini-equip"]
    assert row["max_amount"] == 2_000_000 and row["benefit_kind"] == "ratio" and row["tier"] == "9"
    assert row["department"] == "县经信局" and row["mode"] == "依申请"
    assert math.isnan(df.set_index("clause_id").loc["mini-service", "max_amount"])
    assert mini_set.to_dataframe().equals(df)


# -- JSON and profiles -----------------------------------------------------------------------------
def test_report_round_trips_through_the_json_module(report: MatchReport) -> None:
    text = json.dumps(report.model_dump(mode="json"), ensure_ascii=False)
    assert MatchReport.model_validate(json.loads(text)) == report
    assert MatchReport.model_validate_json(report.to_json()) == report


def test_profiles_from_dict_json_and_rows(matcher: Matcher, maker_profile: EnterpriseProfile) -> None:
    as_dict = maker_profile.model_dump(mode="json")
    from_json = EnterpriseProfile.model_validate_json(json.dumps(as_dict))
    from_row = profile_from_row(as_dict)
    assert from_json == maker_profile == from_row
    assert matcher.match(as_dict, as_of=DAY) == matcher.match(maker_profile, as_of=DAY)


def test_profile_from_row_turns_gaps_into_missing() -> None:
    nan = float("nan")
    p = profile_from_row({"name": " 甲 ", "revenue": nan, "tax_paid": None, "region": "  ",
                          "employees": 120.0, "industry_code": 3841.0, "id": 17.0,
                          "qualifications": "国高新、专精特新", "new_qualifications": "",
                          "is_above_scale": "是", "credit_clean": "否",
                          "talents.phd": 2.0, "talents.master": nan, "extra.亩均评价": "A"})
    assert p.name == "甲" and p.id == "17"
    assert p.revenue is None and p.tax_paid is None and p.region is None
    assert p.employees == 120 and p.industry_code == "3841"
    assert p.qualifications == ("国家高新技术企业", "省专精特新中小企业") and p.new_qualifications is None
    assert p.is_above_scale is True and p.credit_clean is False
    assert p.talents is not None and p.talents.phd == 2 and p.talents.master is None
    assert p.extra == {"亩均评价": "A"}


def test_profile_from_row_with_pandas() -> None:
    pd = pytest.importorskip("pandas", reason="rows of a DataFrame need pandas")
    np = pytest.importorskip("numpy")
    df = pd.DataFrame({
        "name": ["甲公司", "乙公司"],
        "revenue": ["1.2亿", None],
        "employees": [300, np.nan],
        "established": pd.to_datetime(["2020-05-01", None]),
        "qualifications": ["国高新，专精特新", np.nan],
        "talents.phd": [1, np.nan],
    })
    first, second = (profile_from_row(row) for _, row in df.iterrows())
    assert first.revenue == 1.2e8 and first.employees == 300
    assert first.established == date(2020, 5, 1)
    assert first.qualifications == ("国家高新技术企业", "省专精特新中小企业")
    assert first.talents is not None and first.talents.phd == 1
    assert second == EnterpriseProfile(name="乙公司")
    assert profile_from_row(df.iloc[0]) == first
    assert [profile_from_row(r) for r in df.to_dict("records")] == [first, second]
    series_with_na = pd.Series({"name": "丙", "employees": pd.NA, "established": pd.NaT})
    assert profile_from_row(series_with_na) == EnterpriseProfile(name="丙")


@pytest.mark.parametrize(("row", "message"), [
    ({"revenue": "1亿"}, r"row.*name: Field required"),
    ({"name": "甲", "revenu": 5}, r"甲.*revenu: Extra inputs are not permitted"),
    ({"name": "甲", "revenue": "很多"}, r"甲.*revenue: cannot read '很多' as money"),
    ({"name": "甲", "employees": -1}, r"甲.*employees"),
])
def test_profile_from_row_errors_name_the_row_and_field(row: dict[str, Any], message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        profile_from_row(row)


def test_profile_from_row_does_not_mutate_its_input() -> None:
    row = {"name": "甲", "talents.phd": 1, "qualifications": ["国高新"]}
    before = json.dumps(row, ensure_ascii=False)
    profile_from_row(row)
    assert json.dumps(row, ensure_ascii=False) == before


def test_status_classes_cover_every_status() -> None:
    from policymatch.display import html as _html

    assert set(_html._STATUS_NAME) == {s.value for s in Status}


def test_report_html_lists_unrecognised_names(matcher: Matcher) -> None:
    report = matcher.match({"name": "甲", "region": "测试县", "qualifications": ["国高新", "<绿色>工厂"],
                            "industry": "纺织品"}, as_of=DAY)
    assert [u.field for u in report.unrecognized] == ["qualifications", "industry"]
    html = report._repr_html_()
    checker = _parse(html)
    text = "".join(checker.text)
    assert "pm-unrecognized" in checker.classes
    assert "未识别的资质：<绿色>工厂" in text and "未识别的产业：纺织品，是否指 领带服装？" in text
    assert "<绿色>" not in html  # escaped like every other piece of data
    assert json.loads(report.to_json())["unrecognized"][1]["suggestions"] == ["领带服装"]
