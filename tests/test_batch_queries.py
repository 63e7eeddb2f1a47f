"""The batch path's query rows: profile_query of each row, read piece by piece, equal to
ClauseIndex.transform of the whole expanded text, bit for bit."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policymatch import EnterpriseProfile, Matcher, load_policies
from policymatch.matcher import profile_query
from policymatch.profile import profile_from_row
from policymatch.text import PIECE_BREAK, normalize, query_synonyms

pytest.importorskip("scipy")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate

DAY = date(2025, 6, 30)


@pytest.fixture(scope="module")
def bundled(tokenizer: Any) -> Matcher:
    return Matcher(tokenizer=tokenizer).fit(load_policies())


def _want(matcher: Matcher, pairs: list[tuple[str | None, str | None]]) -> np.ndarray:
    texts = [profile_query(EnterpriseProfile.model_construct(industry=i, description=d))
             for i, d in pairs]
    return matcher.index_.transform(texts).toarray()


def _got(matcher: Matcher, pairs: list[tuple[str | None, str | None]]) -> np.ndarray:
    from policymatch.batch import Plan

    relevance = Plan(matcher, as_of=DAY).relevance
    industries, descriptions = zip(*pairs, strict=True) if pairs else ((), ())
    return relevance.profile_queries(list(industries), list(descriptions)).toarray()


def test_the_synonyms_hold_no_piece_break() -> None:
    """The condition for reading the expansion from the pieces (else every text goes whole)."""
    assert all(w and not PIECE_BREAK.search(w) for w, terms in query_synonyms()
               for w in (w, *terms))


def test_a_separator_normalises_to_a_separator_or_nothing() -> None:
    """So a word without one never spans two pieces of the normalised text."""
    for code in range(0x110000):
        c = chr(code)
        if PIECE_BREAK.fullmatch(c):
            folded = normalize(f"a{c}b")[1:-1]
            assert folded == "" or PIECE_BREAK.fullmatch(folded), repr(c)


def test_profile_rows_on_a_population(bundled: Matcher) -> None:
    rows = [r for r in generate.generate(400, seed=8, today=DAY) if r["name"]]
    profiles = [profile_from_row(r) for r in rows]
    pairs = [(p.industry, p.description) for p in profiles]
    pairs += [(None, None), ("", ""), (None, "交税 开网店、买了设备；招人"), ("淘宝", None)]
    assert np.array_equal(_got(bundled, pairs), _want(bundled, pairs))


WORDS = [w for w, _ in query_synonyms()] + [t for _, ts in query_synonyms() for t in ts]
PIECE = st.text(alphabet=st.sampled_from(list(
    "研发費用發展专精特新小巨人國家高新技術企業电机集成灶领带服装数控机床ＡＢＣａｂ１２３abc12"
    "、；，。（）：;,():  \u3000\t·-—《》「」!？%+#&._\u200b\u0301")), max_size=12)
TEXT = st.lists(st.one_of(PIECE, st.sampled_from(WORDS)), max_size=6).map("".join)
INDUSTRY = st.one_of(st.none(), st.just(""), st.sampled_from(
    ["汽车零部件及配件制造", "领带服装", "茶叶", "电机", "不存在的行业", "淘宝 网店"]))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow,
                                                   HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(INDUSTRY, st.one_of(st.none(), TEXT)), min_size=1, max_size=6))
def test_profile_rows_equal_the_index_transform(bundled: Matcher,
                                                pairs: list[tuple[str | None, str | None]]) -> None:
    assert np.array_equal(_got(bundled, pairs), _want(bundled, pairs))
