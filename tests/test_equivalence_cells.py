"""The batch engine equals the one-enterprise path on random policies and cells as people type them.

:mod:`test_equivalence` runs whole ``Matcher`` objects (fit, match, match_many) on a few dozen
random policy sets. This file checks the same meaning a few hundred times, cheaply, one layer
down: cells as a county's spreadsheet holds them (``1.2亿``, ``1,200万``, ``120人``, blank, ``无``,
``、``-lists, ``是``/``否``, ``2019年3月``) are read by the batch path's validation
(:func:`policymatch.batch.run.validate`, the column path included) and by
:func:`~policymatch.profile.profile_from_row`; random clauses are judged by the compiled columns
(:class:`policymatch.batch.vectorized.CompiledClauses`) and by :func:`~policymatch.matcher.assess`
with the matcher's 就高不重复. Status, amount, counted, missing facts and score must agree for
every pair; relevance scores are drawn (with ties), so the tie-breaking of 就高不重复 is checked
too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from policymatch import EnterpriseProfile, ProfileError
from policymatch.models import PolicySet

pytest.importorskip("pandas")

from test_batch import DAY
from test_equivalence import EXTRA_NUM, EXTRA_TEXT, policy_sets, profiles, thresholds

from policymatch.batch import Chunk
from policymatch.batch.columns import Columns, stored_fields
from policymatch.batch.run import _founded_by, validate
from policymatch.batch.vectorized import UNKNOWN, CompiledClauses
from policymatch.matcher import _apply_exclusivity, assess
from policymatch.profile import profile_from_row

COLUMNS = ["name", "id", "revenue", "tax_paid", "export_value", "equipment_investment",
           "rd_expense", "loan_amount", "employees", "office_area_sqm", "revenue_growth",
           "is_above_scale", "credit_clean", "region", "industry", "industry_code",
           "qualifications", "new_qualifications", "established", "talents.phd",
           "previous.tax_paid", EXTRA_NUM, EXTRA_TEXT]
MONEY = {"revenue", "tax_paid", "export_value", "equipment_investment", "rd_expense",
         "loan_amount", "previous.tax_paid", EXTRA_NUM}
BLANK = st.sampled_from((None, "", "  ", float("nan")))


def _money_cells(x: float) -> list[Any]:
    out: list[Any] = [x, repr(x)]
    if x == int(x):
        out += [int(x), str(int(x)), f"{int(x):,}"]
    wan = x / 1e4
    if wan == round(wan, 2):
        out += [f"{wan:g}万", f"{wan:g}万元"]
        if wan == int(wan):
            out.append(f"{int(wan):,}万")
    yi = x / 1e8
    if yi == round(yi, 4):
        out.append(f"{yi:g}亿")
    return out


def _cells_of(column: str, value: Any) -> st.SearchStrategy[Any]:
    """The ways a person may type ``value`` into a cell of ``column``."""
    if value is None:
        return BLANK
    if column in MONEY and isinstance(value, (int, float)) and not isinstance(value, bool):
        return st.sampled_from(tuple(_money_cells(float(value))))
    if isinstance(value, bool):
        return st.sampled_from((value, "是" if value else "否", str(value).lower(), int(value)))
    if column in ("employees", "talents.phd") and isinstance(value, int):
        return st.sampled_from((value, str(value), float(value), f"{value:,}", f"{value}人",
                                f"{value:,}名"))
    if isinstance(value, float):
        return st.sampled_from((value, repr(value)))
    if isinstance(value, list):
        if not value:
            return st.sampled_from(("无", "", []))
        return st.sampled_from(("、".join(value), ";".join(value), value, "，".join(value)))
    if column == "established":
        y, m, _ = value.split("-")
        return st.sampled_from((value, f"{y}年{int(m)}月", y, value.replace("-", "/")))
    if isinstance(value, str):
        return st.sampled_from((value, f" {value} "))
    return st.just(value)


def _flat(profile: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for k, v in profile.items() if k not in ("talents", "previous", "extra")}
    for head in ("talents", "previous", "extra"):
        for key, v in profile.get(head, {}).items():
            flat[f"{head}.{key}"] = v
    return flat


@st.composite
def tables(draw: Any, at: dict[str, list[Any]], most: int = 6) -> list[dict[str, Any]]:
    """Rows of cells (one column set for all) of profiles around the thresholds ``at``."""
    rows = []
    for k, profile in enumerate(draw(st.lists(profiles(at), min_size=1, max_size=most))):
        flat = _flat(profile)
        row = {c: draw(_cells_of(c, flat.get(c))) for c in COLUMNS}
        row["name"], row["id"] = profile["name"], f"P{k}"
        rows.append(row)
    return rows


def _scalar(policy_set: PolicySet, row: dict[str, Any], scores: np.ndarray) -> list[Any] | None:
    """What match() reports for one row of cells: (clause, status, amount, counted, missing,
    score) of each eligible or possible clause, in clause order; None if the row is refused."""
    try:
        profile = profile_from_row(row)
        judged = [assess(p, c, profile, as_of=DAY, score=float(scores[j]))
                  for j, (p, c) in enumerate(policy_set.items())]
    except ProfileError:
        return None
    kept = [m for m in _apply_exclusivity(judged) if m.status.value != "ineligible"]
    return [(m.clause_id, m.status.value, m.amount, m.counted, ";".join(m.missing), m.score)
            for m in kept]


def _batch(policy_set: PolicySet, rows: list[dict[str, Any]], scores: np.ndarray
           ) -> tuple[dict[int, list[Any]], set[int]]:
    pairs = list(policy_set.items())
    compiled = CompiledClauses([c.id for _, c in pairs], [p.conditions for p, _ in pairs],
                               [c.conditions for _, c in pairs], [c.benefit for _, c in pairs],
                               [c.exclusive_group for _, c in pairs])
    chunk = Chunk(rows=list(range(1, len(rows) + 1)),
                  columns={c: [r[c] for r in rows] for c in COLUMNS})
    good, values, bad = validate(chunk, compiled.paths | {"age_years"})
    good, values = _founded_by(DAY, good, values, bad)
    cols = Columns.from_values({k: values[k] for k in stored_fields(compiled.paths)}, len(good), DAY)
    at = np.array([g - 1 for g in good], dtype=np.int64)
    got = compiled.evaluate(cols, lambda clauses: scores[at][:, clauses])
    out: dict[int, list[Any]] = {g - 1: [] for g in good}
    for k in range(len(got.row)):
        r = good[int(got.row[k])] - 1
        if int(got.row[k]) in got.errors:
            continue
        amount = float(got.amount[k])
        out[r].append((compiled.clause_ids[int(got.clause[k])],
                       "possible" if got.status[k] == UNKNOWN else "eligible",
                       None if math.isnan(amount) else amount, bool(got.counted[k]),
                       got.labels[int(got.missing[k])], float(got.score[k])))
    refused = {r - 1 for r in bad} | {good[r] - 1 for r in got.errors}
    for r in refused:
        out.pop(r, None)
    return out, refused


def _agree(want: list[Any], got: list[Any]) -> None:
    assert [w[:2] for w in want] == [g[:2] for g in got]
    for w, g in zip(want, got, strict=True):
        assert (w[2] is None) == (g[2] is None), (w, g)
        if w[2] is not None:
            assert abs(w[2] - g[2]) <= 0.01, (w, g)
        assert w[3:] == g[3:], (w, g)


@pytest.mark.slow
@settings(max_examples=300, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
@given(policy_sets(), st.data())
def test_compiled_clauses_equal_assess_on_typed_cells(policy_set: PolicySet, data: Any) -> None:
    rows = data.draw(tables(thresholds(policy_set)))
    n_clauses = sum(1 for _ in policy_set.items())
    scores = np.array(data.draw(st.lists(st.lists(st.sampled_from([0.0, 0.25, 0.5]),
                                                  min_size=n_clauses, max_size=n_clauses),
                                         min_size=len(rows), max_size=len(rows))))
    got, refused = _batch(policy_set, rows, scores)
    for r, row in enumerate(rows):
        want = _scalar(policy_set, row, scores[r])
        if want is None:
            assert r in refused, row
            continue
        assert r not in refused, row
        _agree(want, got[r])


def _nested(row: dict[str, Any]) -> dict[str, Any]:
    """The record the profile model reads: blank cells left out, dotted columns nested."""
    nested: dict[str, Any] = {}
    for column, cell in row.items():
        if cell is None or (isinstance(cell, float) and math.isnan(cell)) or (
                isinstance(cell, str) and not cell.strip()):
            continue
        head, dot, rest = column.partition(".")
        if dot:
            nested.setdefault(head, {})[rest] = cell
        else:
            nested[column] = cell
    return nested


@pytest.mark.parametrize("row", [
    {"name": "甲", "revenue": "1,200万", "qualifications": "无", "employees": "120人"},
    {"name": "甲", "revenue": "1.2亿", "qualifications": "国家高新技术企业、省专精特新中小企业",
     "talents.phd": "3", "extra.亩均评价": "A", "established": "2019年3月"},
])
def test_typed_cells_read_as_the_model_reads_them(row: dict[str, Any]) -> None:
    assert profile_from_row(row) == EnterpriseProfile.model_validate(_nested(row))


@pytest.mark.slow
@settings(max_examples=200, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(tables({}, most=3))
def test_profile_from_row_reads_cells_as_the_model_does(rows: list[dict[str, Any]]) -> None:
    """Where the profile model accepts a nested record, profile_from_row reads its flat cells to
    the same profile (the model is the one meaning of every cell)."""
    for row in rows:
        try:
            model = EnterpriseProfile.model_validate(_nested(row))
        except (ValidationError, ValueError):
            continue
        assert profile_from_row(row) == model
