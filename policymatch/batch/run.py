"""Many enterprises × a policy set: the long table of who qualifies for what (政策找企业, 免申即享).

The input streams through in chunks, so memory stays flat however many enterprises there are:

1. read a chunk (a pandas DataFrame, an iterable of profiles or dicts, or a CSV / JSON Lines /
   Parquet file) and validate each row as :func:`~policymatch.profile.profile_from_row` does; a bad
   row becomes a reject with its row number and the reason, never a silent gap;
2. judge every clause for every row with the rules compiled once into vectorised three-valued
   evaluation (:mod:`policymatch.batch.vectorized`);
3. score relevance with one sparse × dense product per chunk and block of clauses, bit for bit
   what :meth:`ClauseIndex.score <policymatch.index.ClauseIndex.score>` gives one text at a time;
4. keep the eligible and possible pairs, with amount, 就高不重复 and missing facts.

Every result equals :meth:`Matcher.match <policymatch.matcher.Matcher.match>` one enterprise at a
time (the tests check it on generated populations). ``enterprise_id`` is the profile's ``id``,
else its ``credit_code``, else the row number as text. A row number is the 1-based position of the
record in the input: data rows after the header of a CSV, non-empty lines of JSON Lines, rows of
Parquet, a DataFrame or an iterable.

CSV cells are text, read as :class:`~policymatch.profile.EnterpriseProfile` reads text from any
source (:mod:`policymatch.profile.cells`): an ``extra.<key>`` cell that spells a number, an amount
("18万") or true/false/是/否 is one, lists split on 、，,;；. Needs pandas
(``pip install 'policymatch[dataframe]'``); Dask is in :mod:`policymatch.batch.distributed`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import NotFittedError, ProfileError
from ..profile import EnterpriseProfile, founded_after_message
from ..units import as_day
from .certify import certify
from .columns import Columns, is_numeric, profile_value, stored_fields
from .io import (
    Chunk,
    TableWriter,
    check_chunk_size,
    commit_all,
    count_records,
    frame_chunk,
    read_chunks,
    rejects_path,
)
from .queries import Relevance
from .vectorized import UNKNOWN, CompiledClauses

if TYPE_CHECKING:
    import pandas as pd

    from ..matcher import Matcher

__all__ = [
    "COLUMNS",
    "BatchSummary",
    "Chunk",
    "ChunkResult",
    "Plan",
    "count_records",
    "eligible_for",
    "frame_chunk",
    "iter_match_many",
    "match_many",
    "read_chunks",
    "rejects_path",
    "run_batch",
]


#: Columns of the long table, in order.
COLUMNS = ("enterprise_id", "name", "clause_id", "status", "score", "amount", "counted", "recipient",
           "missing")
#: Who receives a clause's money (``Benefit.recipient``), as the ``recipient`` column's categories.
RECIPIENTS = ("企业", "个人", "项目", "机构")
_IDENTITY = ("name", "id", "credit_code", "industry", "description")
_STATUS = ("eligible", "possible")


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("batch matching needs pandas: pip install 'policymatch[dataframe]'") from exc
    return pd


# -- validating -------------------------------------------------------------------------------
def _reason(exc: ProfileError, row: int) -> str:
    """One line: every problem of a row, without the row label repeated on each."""
    lines = [line.strip() for line in str(exc).splitlines()[1:]] or [str(exc)]
    label = f"row {row}: "
    return "; ".join(line.removeprefix(label) for line in lines)


def validate(chunk: Chunk, paths: Iterable[str]) -> tuple[list[int], dict[str, Any], dict[int, str]]:
    """Row numbers and validated values of the good records (the attributes behind ``paths``,
    plus identity and query text), and the reasons for the bad ones.

    Every record ends as :func:`~policymatch.profile.profile_from_row` leaves it: cells that are
    certainly valid are read column by column (:func:`~policymatch.batch.certify.certify`); any other
    record goes through ``profile_from_row`` itself.
    """
    from ..profile import profile_from_row

    keep = stored_fields(paths) | set(_IDENTITY)
    n = len(chunk.rows)
    columns = chunk.columns
    if columns is None:  # an iterable: flat mappings of one shape are a table too
        records = chunk.records or []
        keys = list(records[0]) if records and isinstance(records[0], dict) else None
        if keys is not None and all(type(r) is dict and list(r) == keys for r in records):
            columns = {k: [r[k] for r in records] for k in keys}
    if columns is not None:
        ok, values = certify(columns, n, keep, text_cells=chunk.text_cells)
        if ok.all():
            return list(chunk.rows), values, dict(chunk.bad)
    else:
        ok = np.zeros(n, dtype=bool)
        values = {k: np.full(n, np.nan) if is_numeric(k) else [None] * n for k in keep}
    bad = dict(chunk.bad)
    for i in np.flatnonzero(~ok).tolist():
        row, record = chunk.rows[i], chunk.record(i)
        if isinstance(record, EnterpriseProfile):
            profile = record
        elif isinstance(record, Mapping):
            try:
                profile = profile_from_row(record, name=f"row {row}")
            except ProfileError as exc:
                bad[row] = _reason(exc, row)
                continue
        else:
            bad[row] = f"expected a profile or a mapping of fields, got {type(record).__name__}"
            continue
        ok[i] = True
        for k in keep:
            values[k][i] = profile_value(profile, k)
    kept = np.flatnonzero(ok)
    return ([chunk.rows[i] for i in kept.tolist()],
            {k: v[kept] if isinstance(v, np.ndarray) else [v[i] for i in kept.tolist()]
             for k, v in values.items()}, bad)


# -- the plan: everything a chunk needs, built once, pickled to workers -------------------------
class Plan:
    """A fitted Matcher's clauses compiled for one run: the day, which clauses, which statuses.

    Built once per run (a Dask worker receives it pickled, once). :meth:`run` is the per-chunk
    function of both the local and the Dask path.
    """

    def __init__(self, matcher: Matcher, *, as_of: date | None = None,
                 include_possible: bool = True, clause_ids: Iterable[str] | None = None) -> None:
        if not hasattr(matcher, "index_"):
            raise NotFittedError("this Matcher is not fitted yet: call "
                                 "Matcher().fit(load_policies()) first")
        self.as_of = as_day(as_of) or date.today()
        self.include_possible = include_possible
        wanted = None if clause_ids is None else set(clause_ids)
        pairs = [(p, c) for p, c in matcher.pairs_
                 if p.active_on(self.as_of) and (wanted is None or c.id in wanted)]
        index_rows = {cid: r for r, cid in enumerate(matcher.index_.ids_)}
        self.compiled = CompiledClauses(
            [c.id for _, c in pairs], [p.conditions for p, _ in pairs],
            [c.conditions for _, c in pairs], [c.benefit for _, c in pairs],
            [c.exclusive_group for _, c in pairs])
        self.relevance = Relevance(matcher.index_, [index_rows[c.id] for _, c in pairs])
        self.recipients = np.array([RECIPIENTS.index(c.benefit.recipient) for _, c in pairs],
                                   dtype=np.int8)
        self.paths = self.compiled.paths

    def run(self, chunk: Chunk) -> ChunkResult:
        """Judge one chunk: its long table rows and its rejects."""
        pd = _pandas()
        rows, values, bad = validate(chunk, self.paths | {"age_years"})
        rows, values = _founded_by(self.as_of, rows, values, bad)
        n = len(rows)
        cols = Columns.from_values({k: values[k] for k in stored_fields(self.paths)}, n, self.as_of)
        queries = self.relevance.profile_queries(values["industry"], values["description"])
        got = self.compiled.evaluate(cols, self.relevance.scorer(queries),
                                     include_possible=self.include_possible)
        for r, reason in got.errors.items():
            bad[rows[r]] = reason
        local = got.row
        ids = np.array([i or c or str(r) for i, c, r in zip(
            values["id"], values["credit_code"], rows, strict=True)] + [None], dtype=object)[:-1]
        table = pd.DataFrame({
            "enterprise_id": _categorical(ids, local),
            "name": _categorical(np.array([*values["name"], None], dtype=object)[:-1], local),
            "clause_id": categorical(got.clause, self.compiled.clause_ids),
            "status": categorical((got.status == UNKNOWN).astype(np.int8), _STATUS),
            "score": got.score,
            "amount": got.amount,
            "counted": got.counted,
            "recipient": categorical(self.recipients[got.clause], RECIPIENTS),
            "missing": categorical(got.missing, got.labels),
        }, copy=False)
        if chunk.explain is not None:  # where in the sheet or the query a refused value is
            bad = {r: why if r in chunk.bad else chunk.explain(r, why) for r, why in bad.items()}
        order = sorted(bad)
        rejects = pd.DataFrame({"row": np.array(order, dtype=np.int64),
                                "reason": pd.Series([bad[r] for r in order], dtype=object)})
        matched = int(np.count_nonzero(np.bincount(local, minlength=n))) if n else 0
        return ChunkResult(table, rejects, chunk.n_read, matched,
                           np.asarray(rows, dtype=np.int64)[local])


def _founded_by(day: date, rows: list[int], values: dict[str, Any],
                bad: dict[int, str]) -> tuple[list[int], dict[str, Any]]:
    """Rows founded after ``day`` become rejects, with the reason :meth:`Matcher.match` raises."""
    founded = values["established"]
    with np.errstate(invalid="ignore"):
        late = founded > day.toordinal()
    if not late.any():
        return rows, values
    for i in np.flatnonzero(late).tolist():
        bad[rows[i]] = founded_after_message(date.fromordinal(int(founded[i])), day)
    keep = np.flatnonzero(~late)
    return ([rows[i] for i in keep.tolist()],
            {k: v[keep] if isinstance(v, np.ndarray) else [v[i] for i in keep.tolist()]
             for k, v in values.items()})


@dataclass
class ChunkResult:
    """One chunk's long table, its rejected rows (``row``, ``reason``) and its counts."""

    table: pd.DataFrame
    rejects: pd.DataFrame
    n_read: int
    n_matched: int  # rows with at least one eligible or possible clause
    pair_rows: np.ndarray | None = None  # the input row of each table row


def categorical(codes: np.ndarray, categories: Sequence[Any]) -> Any:
    """A pandas Categorical with object-dtype categories (so chunks combine)."""
    pd = _pandas()
    return pd.Categorical.from_codes(codes, categories=pd.Index(list(categories), dtype=object))


def _categorical(values: np.ndarray, at: np.ndarray) -> Any:
    """``values[at]`` as a pandas Categorical, without copying a Python object per pair."""
    pd = _pandas()
    codes, uniques = pd.factorize(values)
    return categorical(codes[at], uniques)


def iter_match_many(matcher: Matcher, profiles: Any, *, as_of: date | None = None,
                    chunk_size: int = 10_000, include_possible: bool = True,
                    clause_ids: Iterable[str] | None = None,
                    encoding: str | None = None) -> Iterator[ChunkResult]:
    """Stream :class:`ChunkResult` objects, one per chunk of ``profiles``, in input order.

    ``chunk_size`` is an upper bound: with many clauses fewer rows are judged at once, so that
    rows × clauses stays under :data:`PAIRS_PER_CHUNK` and memory stays bounded. ``encoding``
    reads a CSV or JSON Lines file in that encoding instead of the guessed one.
    """
    plan = Plan(matcher, as_of=as_of, include_possible=include_possible, clause_ids=clause_ids)
    rows = rows_per_chunk(chunk_size, len(plan.compiled.clause_ids))
    for chunk in read_chunks(profiles, rows, encoding=encoding):
        result = plan.run(chunk)
        del chunk  # the raw rows go before the result is handed out
        yield result


#: Upper bound of rows × clauses judged at once (the long table of a chunk is at most this long).
PAIRS_PER_CHUNK = 5_000_000


def rows_per_chunk(chunk_size: int, n_clauses: int) -> int:
    """``chunk_size``, lowered so that rows × clauses stays under :data:`PAIRS_PER_CHUNK`."""
    check_chunk_size(chunk_size)
    return max(1, min(chunk_size, PAIRS_PER_CHUNK // max(1, n_clauses)))


def _collect(results: Iterable[ChunkResult], rejects: list[tuple[int, str]] | None) -> pd.DataFrame:
    pd = _pandas()
    tables = []
    problems: list[tuple[int, str]] = []
    for result in results:
        tables.append(result.table)
        problems.extend(zip(result.rejects["row"].tolist(), result.rejects["reason"].tolist(),
                            strict=True))
    if rejects is not None:
        rejects.extend(problems)
    elif problems:
        shown = "\n  ".join(f"row {r}: {why}" for r, why in problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise ProfileError(f"{len(problems)} row(s) could not be matched; fix them, or pass "
                           f"rejects=[] to collect them and match the rest:\n  {shown}{more}")
    if not tables:
        return empty_table(())
    if len(tables) == 1:
        return tables[0]
    from pandas.api.types import union_categoricals

    return pd.DataFrame({
        name: union_categoricals([t[name] for t in tables])
        if isinstance(tables[0][name].dtype, pd.CategoricalDtype)
        else np.concatenate([t[name].to_numpy() for t in tables]) for name in COLUMNS}, copy=False)


def empty_table(clause_ids: Sequence[str]) -> pd.DataFrame:
    """A long table without rows, with the dtypes of a full one."""
    pd = _pandas()
    return pd.DataFrame({
        "enterprise_id": pd.Series(dtype=object), "name": pd.Series(dtype=object),
        "clause_id": categorical(np.empty(0, np.int8), clause_ids),
        "status": categorical(np.empty(0, np.int8), _STATUS),
        "score": pd.Series(dtype="float64"), "amount": pd.Series(dtype="float64"),
        "counted": pd.Series(dtype=bool),
        "recipient": categorical(np.empty(0, np.int8), RECIPIENTS), "missing": pd.Series(dtype=object)})


def match_many(matcher: Matcher, profiles: Any, *, as_of: date | None = None,
               chunk_size: int = 10_000, include_possible: bool = True,
               rejects: list[tuple[int, str]] | None = None) -> pd.DataFrame:
    """The long table of :meth:`Matcher.match_many <policymatch.matcher.Matcher.match_many>`."""
    return _collect(iter_match_many(matcher, profiles, as_of=as_of, chunk_size=chunk_size,
                                    include_possible=include_possible), rejects)


def eligible_for(matcher: Matcher, clause_id: str, profiles: Any, *, as_of: date | None = None,
                 chunk_size: int = 10_000,
                 rejects: list[tuple[int, str]] | None = None) -> pd.DataFrame:
    """The enterprises eligible for one clause (see :meth:`Matcher.eligible_for
    <policymatch.matcher.Matcher.eligible_for>`): the clause and its 就高不重复 group are judged,
    the others skipped."""
    _, clause = matcher.policy_set_.clause(clause_id)
    group = {c.id for _, c in matcher.pairs_
             if clause.exclusive_group is not None and c.exclusive_group == clause.exclusive_group}
    table = _collect(iter_match_many(matcher, profiles, as_of=as_of, chunk_size=chunk_size,
                                     include_possible=False, clause_ids=group | {clause_id}),
                     rejects)
    out = table[table["clause_id"] == clause_id].reset_index(drop=True)
    out["clause_id"] = out["clause_id"].astype(object)
    return out


# -- writing ----------------------------------------------------------------------------------
@dataclass
class BatchSummary:
    """What a batch run read, found and wrote."""

    read: int = 0
    matched: int = 0
    rejected: int = 0
    eligible_pairs: int = 0
    possible_pairs: int = 0
    total_amount: float = 0.0  # to the enterprises themselves
    others_amount: float = 0.0  # to persons, projects or other organisations
    elapsed: float = 0.0
    output: str = ""
    rejects: str = ""

    @property
    def no_match(self) -> int:
        """Rows read and valid, without any eligible or possible clause."""
        return self.read - self.matched - self.rejected

    def add(self, result: ChunkResult) -> None:
        table = result.table
        self.read += result.n_read
        self.matched += result.n_matched
        self.rejected += len(result.rejects)
        eligible = (table["status"] == "eligible").to_numpy()
        self.eligible_pairs += int(eligible.sum())
        self.possible_pairs += int(len(table) - eligible.sum())
        counted = eligible & table["counted"].to_numpy()
        firm = (table["recipient"] == "企业").to_numpy()
        self.total_amount += float(np.nansum(table["amount"].to_numpy()[counted & firm]))
        self.others_amount += float(np.nansum(table["amount"].to_numpy()[counted & ~firm]))

    def line(self) -> str:
        """The one-line summary the CLI prints."""
        rate = self.read / self.elapsed if self.elapsed > 0 else 0.0
        return (f"read {self.read:,} rows: {self.matched:,} matched, {self.no_match:,} no match, "
                f"{self.rejected:,} rejected; {self.eligible_pairs:,} eligible pairs "
                f"(+{self.possible_pairs:,} possible), total {self.total_amount / 1e4:,.2f} 万元 "
                f"to the enterprises counted"
                + (f" (+{self.others_amount / 1e4:,.2f} 万元 to persons and others)"
                   if self.others_amount else "")
                + f"; {self.elapsed:.1f} s, {rate:,.0f} rows/s")


def run_batch(results: Iterable[ChunkResult], output: str | os.PathLike[str], *,
              progress: Callable[[int], None] | None = None) -> BatchSummary:
    """Write chunk results to ``output`` (format by suffix) and the rejects next to it.

    Both files appear whole or not at all (written to temporary files, then renamed). The
    rejects file (``row``, ``reason``) is written even when empty, so a stale one never remains.
    ``progress`` is called with the number of rows read after each chunk.
    """
    start = time.perf_counter()
    out = Path(output)
    summary = BatchSummary(output=str(out), rejects=str(rejects_path(out)))
    writer = TableWriter(out)
    try:
        bad = TableWriter(rejects_path(out))
    except BaseException:
        writer.abort()
        raise
    try:
        for result in results:
            writer.write(result.table)
            bad.write(result.rejects)
            summary.add(result)
            if progress is not None:
                progress(result.n_read)
            del result  # not held while the next chunk is judged
        if writer._first:
            writer.write(empty_table(()))
        if bad._first:
            bad.write(_pandas().DataFrame({"row": [], "reason": []}))
        commit_all([writer, bad])
    except BaseException:
        writer.abort()
        bad.abort()
        raise
    summary.elapsed = time.perf_counter() - start
    return summary
