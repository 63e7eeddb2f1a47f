"""Invisible characters (zero-width, bidi marks, BOM, soft hyphen…) never change a verdict.

They are removed on the profile side and on the policy side by one function
(:func:`policymatch.text.visible.visible`), and the batch path agrees with ``match()``.
"""

from __future__ import annotations

import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from policymatch import EnterpriseProfile, Matcher, load_policies
from policymatch.errors import ProfileError
from policymatch.models import FieldTest
from policymatch.profile import profile_from_row
from policymatch.text import normalize
from policymatch.text.visible import INVISIBLE_RANGES, has_invisible, visible, visible_data

MINI = Path(__file__).parent / "data" / "mini.yaml"
AS_OF = date(2025, 6, 1)
MARKS = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad",
         "\u202a", "\u202e", "\u2066", "\u2069", "\u061c", "\u180e", "\U000e0041"]


def test_the_set_is_unicode_format_characters() -> None:
    listed = {c for a, b in INVISIBLE_RANGES for c in range(a, b + 1)}
    cf = {c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"}
    assert cf <= listed
    assert listed - cf <= {0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0}  # joiner and Hangul fillers


@pytest.mark.parametrize("mark", MARKS)
def test_visible_removes_each_mark_and_keeps_the_rest(mark: str) -> None:
    assert visible(f"嵊{mark}州市{mark}") == "嵊州市"
    assert has_invisible(f"a{mark}") and not has_invisible("嵊州市 ABC\u00a0")
    assert normalize(f"研发{mark}费用") == "研发费用"


def test_visible_data_walks_keys_and_values_and_refuses_a_collision() -> None:
    assert visible_data({"a\u200b": ["x\u200e", ("y\ufeff",)], "n": 1}) == {"a": ["x", ("y",)], "n": 1}
    with pytest.raises(ValueError, match="differ only by invisible characters"):
        visible_data({"key": 1, "ke\u200by": 2})


@pytest.mark.parametrize("mark", MARKS[:8])
@pytest.mark.parametrize("field", ["region", "qualifications", "industry", "extra"])
def test_profile_side(mark: str, field: str) -> None:
    values: dict[str, Any] = {
        "region": {"region": f"测试县{mark}"},
        "qualifications": {"qualifications": [f"国高新{mark}", f"{mark}专精特新"]},
        "industry": {"industry": f"{mark}新材料"},
        "extra": {"extra": {f"亩均{mark}评价": f"A{mark}"}},
    }[field]
    dirty = EnterpriseProfile(name=f"甲{mark}", **values)
    clean = EnterpriseProfile(name="甲", **visible_data(values))
    assert dirty == clean


@pytest.mark.parametrize("mark", ["\u200b", "\u200f", "\ufeff"])
def test_policy_side(mark: str) -> None:
    leaf = FieldTest(field=f"region{mark}", op="in", value=[f"测试县{mark}", "嵊州市"])
    assert leaf.field == "region" and leaf.value == ["测试县", "嵊州市"]
    has = FieldTest(field="qualifications", op="has", value=f"国高新{mark}")
    assert has.value == FieldTest(field="qualifications", op="has", value="国高新").value


@pytest.fixture(scope="module")
def matcher(tokenizer: Any) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(load_policies(MINI))


def _verdicts(report: Any) -> list[tuple[str, str, Any]]:
    return [(m.clause_id, m.status.value, m.amount) for m in report.matches]


@pytest.mark.parametrize("mark", ["\u200b", "\u200e", "\u202e", "\ufeff", "\u00ad"])
def test_a_mark_in_a_profile_changes_no_verdict(matcher: Matcher, mark: str) -> None:
    plain = {"name": "甲", "region": "测试县", "credit_clean": True,
             "new_qualifications": ["国家高新技术企业"], "revenue": "2亿"}
    marked = {**plain, "region": f"测试{mark}县", "new_qualifications": [f"国家高新{mark}技术企业"],
              "revenue": f"2亿{mark}"}
    want = _verdicts(matcher.match(plain, as_of=AS_OF))
    assert _verdicts(matcher.match(marked, as_of=AS_OF)) == want
    assert any(status == "eligible" for _, status, _ in want)


@pytest.mark.parametrize("mark", ["\u200b", "\u200f"])
def test_a_mark_in_a_policy_file_changes_no_verdict(tokenizer: Any, write_yaml: Any,
                                                    mini_raw: dict[str, Any], mark: str) -> None:
    plain = Matcher(tokenizer=tokenizer).fit(load_policies(MINI))
    mini_raw["conditions"]["of"][0]["value"] = f"测试{mark}县"
    marked = Matcher(tokenizer=tokenizer).fit(load_policies(write_yaml(mini_raw)))
    profile = {"name": "甲", "region": "测试县", "credit_clean": True,
               "new_qualifications": ["国家高新技术企业"]}
    assert _verdicts(marked.match(profile, as_of=AS_OF)) == _verdicts(plain.match(profile, as_of=AS_OF))


def test_batch_agrees_with_match_on_marked_cells(matcher: Matcher) -> None:
    import pandas as pd

    rows = pd.DataFrame({"name": ["甲", "乙\u200b", "丙"],
                         "region": ["测试县\u200b", "\u200f测试县", "测试县"],
                         "credit_clean": ["true", "true", "是"],
                         "new_qualifications": ["国高新\ufeff", "国高新", "国\u200d高新"]})
    table = matcher.match_many(rows, as_of=AS_OF)
    for i, row in rows.iterrows():
        one = matcher.match(profile_from_row(row), as_of=AS_OF)
        got = table[table["enterprise_id"].astype(str) == str(i + 1)] if "enterprise_id" in table \
            else table
        mine = sorted((r.clause_id, r.status) for r in got.itertuples())
        want = sorted((m.clause_id, m.status.value) for m in one.matches)
        assert mine == want


def test_a_collision_after_cleaning_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match="differ only by invisible characters"):
        profile_from_row({"name": "甲", "extra.a": 1, "extra.a\u200b": 2})
