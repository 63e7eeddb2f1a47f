"""A report's explanation text is written when read: every way of reading gives what a report
written whole gives (attribute access in any order, dumps, JSON, ==, hash, copies, pickling)."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from policymatch import Matcher, MatchReport, load_policies, load_profile
from policymatch.benefits import group_winner, group_winners
from policymatch.models import DeferredModel, Match

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json"))
AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher().fit(load_policies())


def _complete(report: MatchReport) -> MatchReport:
    """The same report with every field written, read through attribute access."""
    for m in report.matches:
        for name in Match.model_fields:
            getattr(m, name)
    for name in MatchReport.model_fields:
        getattr(report, name)
    return report


def _pending(obj: DeferredModel) -> bool:
    return bool(object.__getattribute__(obj, "__pydantic_private__"))


READINGS: dict[str, Callable[[MatchReport], Any]] = {
    "to_json": lambda r: r.to_json(),
    "model_dump_json": lambda r: r.model_dump_json(),
    "model_dump": lambda r: r.model_dump(),
    "model_dump json mode": lambda r: r.model_dump(mode="json"),
    "inside another model": lambda r: _Wrapper(report=r).model_dump_json(),
    "TypeAdapter": lambda r: TypeAdapter(MatchReport).dump_json(r).decode(),
    "iteration": lambda r: [(k, [dict(m) for m in v] if k == "matches" else v) for k, v in r],
    "str": str,
    "repr of each match": lambda r: [repr(m) for m in r.matches],
    "copy": lambda r: copy.copy(r).to_json(),
    "deepcopy": lambda r: copy.deepcopy(r).to_json(),
    "model_copy": lambda r: r.model_copy().to_json(),
    "pickle": lambda r: pickle.loads(pickle.dumps(r)).to_json(),
    "formula before reasons": lambda r: ([m.formula for m in r.matches], r.to_json()),
    "terms, then one match whole": lambda r: ([m.matched_terms for m in r.matches],
                                              [m.model_dump_json() for m in r.matches]),
    "questions first": lambda r: (r.questions, r.to_json()),
}


class _Wrapper(BaseModel):
    report: MatchReport


@pytest.mark.parametrize("kwargs", [{}, {"include_ineligible": True}, {"top_k": 2}],
                         ids=["default", "all", "top2"])
@pytest.mark.parametrize("reading", list(READINGS), ids=list(READINGS))
def test_every_way_of_reading_gives_the_complete_report(matcher: Matcher, reading: str,
                                                         kwargs: dict[str, Any]) -> None:
    for path in EXAMPLES[:4]:
        profile = load_profile(path)
        whole = _complete(matcher.match(profile, as_of=AS_OF, **kwargs))
        lazy = matcher.match(profile, as_of=AS_OF, **kwargs)
        assert _pending(lazy)  # nothing written yet
        assert READINGS[reading](lazy) == READINGS[reading](whole), path.name


def test_reading_one_field_writes_only_that_field(matcher: Matcher) -> None:
    report = matcher.match(load_profile(EXAMPLES[0]), as_of=AS_OF)
    m = report.matches[0]
    assert _pending(m)
    m.formula  # noqa: B018
    raw = BaseModel.__dict__["__dict__"].__get__(m)
    assert "formula" in raw and "reasons" not in raw
    assert _pending(m)


def test_filled_objects_equal_and_hash_like_complete_ones(matcher: Matcher) -> None:
    profile = load_profile(EXAMPLES[1])
    a = matcher.match(profile, as_of=AS_OF)
    b = _complete(matcher.match(profile, as_of=AS_OF))
    assert a == b and b == a
    assert not _pending(a)
    c = matcher.match(profile, as_of=AS_OF)
    assert c.matches == b.matches
    rebuilt = [Match.model_validate(m.model_dump()) for m in c.matches]
    assert rebuilt == list(c.matches)
    assert list(BaseModel.__dict__["__dict__"].__get__(c.matches[0])) == list(Match.model_fields)
    for m in c.matches:
        try:
            h = hash(m)
        except TypeError:  # a reason's expected value is a list: as unhashable as before
            continue
        assert h == hash(Match.model_validate(m.model_dump()))
    with pytest.raises(TypeError):
        hash(matcher.match(profile, as_of=AS_OF))  # amounts_by_recipient is a dict


def test_a_report_read_after_other_matches_is_unchanged(matcher: Matcher) -> None:
    first = matcher.match(load_profile(EXAMPLES[2]), as_of=AS_OF)
    expected = _complete(matcher.match(load_profile(EXAMPLES[2]), as_of=AS_OF)).to_json()
    for path in EXAMPLES:  # the index's last query is another firm's by now
        matcher.match(load_profile(path), as_of=AS_OF).to_json()
    assert first.to_json() == expected


@pytest.mark.parametrize("members", [
    [], [(None, 0.5, True)], [(100.0, 0.1, True), (100.0, 0.2, True)],
    [(100.0, 0.3, True), (100.0, 0.3, True)], [(None, 0.0, True), (0.0, 0.0, True)],
    [(5.0, 0.9, False), (1.0, 0.1, True)], [(5.0, 0.9, False)],
    [(float("nan"), 1.0, True), (1.0, 0.0, True)],
    [(2.0, 0.1, True), (3.0, 0.0, True), (3.0, 0.5, True), (1e9, 0.0, False)],
])
def test_group_winner_is_group_winners_for_one_row(members: list[tuple[Any, float, bool]]) -> None:
    import numpy as np

    if not members:
        assert group_winner(members) == -1
        return
    amounts = np.array([[np.nan if a is None else a for a, _, _ in members]])
    scores = np.array([[s for _, s, _ in members]])
    eligible = np.array([[e for _, _, e in members]])
    assert group_winner(members) == int(group_winners(amounts, scores, eligible)[0])
