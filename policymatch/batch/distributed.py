"""Batch matching on Dask: the per-chunk function of :mod:`policymatch.batch` on every partition.

``pip install 'policymatch[dask]'``. The run's :class:`~policymatch.batch.Plan` (the compiled
clauses, the relevance index and its query tokenizer) is pickled to each worker once
(``Client.scatter``); the tokenizer rebuilds its dictionaries lazily there. Every partition goes
through :meth:`Plan.run <policymatch.batch.Plan.run>` with ``dask.dataframe.map_partitions``,
so the result equals the single-process one row for row.

Rows are numbered across partitions (one cheap pass counts the rows of each partition first), and
results come back in partition order with a bounded number of partitions in flight, so memory on
the client stays flat.

A CSV is read by Dask with pandas (``dtype=str``) in the encoding the single-process reader
would use (or ``encoding=``), after the same header check (a repeated column is refused); but a
line with more fields than the header, an unterminated quote or a line that does not decode
stops the run, where the single-process reader rejects just that line.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..files import check_regular_file
from .io import count_records, frame_chunk
from .lines import check_header, csv_records, detect_encoding
from .run import COLUMNS, ChunkResult, Plan, categorical, rows_per_chunk

if TYPE_CHECKING:
    import pandas as pd

    from ..matcher import Matcher

__all__ = ["match_dask"]

_FRAME = (*COLUMNS, "row")


def _dask() -> tuple[Any, Any]:
    try:
        import dask.dataframe as dd
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("running on Dask needs dask and distributed: "
                          "pip install 'policymatch[dask]'") from exc
    return dd, distributed


def read_partitions(source: Any, *, blocksize: str | int | None = None,
                    chunk_size: int = 10_000, encoding: str | None = None) -> tuple[Any, bool]:
    """A Dask DataFrame of ``source`` (a Dask or pandas DataFrame, or a .csv / .parquet path),
    and whether its cells are text (CSV). A CSV is cut into blocks of about ``chunk_size`` rows
    unless ``blocksize`` (bytes, or text such as ``"16MB"``) says otherwise."""
    dd, _ = _dask()
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        suffix = path.suffix.lower()
        if not (suffix == ".parquet" and path.is_dir()):  # a Parquet dataset may be a folder
            check_regular_file(path, "table")
        if suffix == ".csv":
            text = detect_encoding(path, encoding)
            first = next(csv_records(path, text), None)
            if first is not None and first.cells is not None:
                check_header(path, first.cells)  # pandas would rename a repeated column
            if blocksize is None:
                rows = count_records(path) or 1
                blocksize = max(64 * 1024, path.stat().st_size * chunk_size // max(rows, 1))
            return dd.read_csv(str(path), dtype=str, keep_default_na=False, na_values=[""],
                               blocksize=None if text == "utf-16" else blocksize,
                               encoding=text), True
        if suffix == ".parquet":
            import pyarrow.parquet as pq

            if path.is_file():
                check_header(path, list(pq.ParquetFile(path).schema_arrow.names))
            return dd.read_parquet(str(path)), False
        raise ValueError(f"{path}: on Dask, read .csv or .parquet (convert JSON Lines to Parquet)")
    if type(source).__name__ == "DataFrame" and hasattr(source, "iloc"):
        return dd.from_pandas(source, chunksize=chunk_size), False
    if hasattr(source, "map_partitions"):
        return source, False
    raise TypeError(f"match_dask takes a Dask or pandas DataFrame or a file path, not "
                    f"{type(source).__name__}")


def _run_partition(frame: pd.DataFrame, plan: Plan, first_rows: list[int], text_cells: bool,
                   partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
    """The per-chunk function on one partition, as one frame: the long table with each pair's
    input ``row``, then one row per rejected input row (no status; its reason in ``missing``).

    Text columns stay categorical, so a partition travels as codes, not as Python strings.
    """
    import pandas as pd

    number = partition_info["number"] if partition_info else 0
    result = plan.run(frame_chunk(frame, first_rows[number], text_cells=text_cells))
    table, rejects = result.table, result.rejects
    k = len(rejects)
    out: dict[str, Any] = {}
    for name in COLUMNS:
        column = table[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes = column.cat.codes.to_numpy()
            categories = list(column.cat.categories)
            extra = np.full(k, -1, dtype=codes.dtype)
            if name == "missing":  # a rejected row's reason (reasons repeat, labels too)
                index = {c: i for i, c in enumerate(categories)}
                extra = np.array([index.setdefault(r, len(index))
                                  for r in rejects["reason"].tolist()], dtype=np.int64)
                categories = list(index)
            out[name] = categorical(np.concatenate([codes, extra]), categories)
        else:
            fill = False if name == "counted" else np.nan
            out[name] = np.concatenate([column.to_numpy(), np.full(k, fill)])
    out["row"] = np.concatenate([result.pair_rows if result.pair_rows is not None
                                 else np.empty(0, np.int64), rejects["row"].to_numpy()])
    return pd.DataFrame(out, copy=False)


def _meta() -> pd.DataFrame:
    import pandas as pd

    kinds = {"score": "float64", "amount": "float64", "counted": bool, "row": "int64"}
    return pd.DataFrame({c: pd.Series(dtype=kinds.get(c, "category")) for c in _FRAME})


def _split(frame: pd.DataFrame, n_read: int) -> ChunkResult:
    bad = frame["status"].isna().to_numpy()
    rows = frame["row"].to_numpy()
    rejects = frame.loc[bad, ["row", "missing"]].rename(columns={"missing": "reason"})
    rejects["reason"] = rejects["reason"].astype(object)
    table = frame.loc[~bad, list(COLUMNS)].reset_index(drop=True)
    table["missing"] = table["missing"].cat.remove_unused_categories()
    return ChunkResult(table, rejects.reset_index(drop=True), n_read,
                       len(np.unique(rows[~bad])), rows[~bad])


def match_dask(matcher: Matcher, source: Any, *, scheduler: str | None = None,
               workers: int | None = None, as_of: date | None = None,
               include_possible: bool = True, chunk_size: int = 10_000,
               blocksize: str | int | None = None,
               in_flight: int | None = None, encoding: str | None = None) -> Iterator[ChunkResult]:
    """Stream :class:`~policymatch.batch.ChunkResult` objects, one per partition, in order.

    Parameters
    ----------
    matcher : Matcher
        A fitted matcher; it is compiled here and the plan is sent to every worker once.
    source : Dask DataFrame, pandas DataFrame or path
        The enterprises; a path is a .csv (read as text, like the single-process reader) or a
        .parquet file.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``).
    workers : int, optional
        Start a local cluster of this many single-threaded worker processes for the run.
        Without ``scheduler`` and ``workers``, an existing default client is used, else Dask's
        local threads.
    chunk_size : int
        Rows per partition when Dask reads a CSV or splits a pandas DataFrame.
    blocksize : int or str, optional
        Bytes per CSV partition instead (e.g. ``"16MB"``).
    in_flight : int, optional
        Partitions computed ahead of the one being returned (default twice the workers).
    encoding : str, optional
        Encoding of a CSV input (default: guessed as by :func:`~policymatch.batch.match_many`;
        on Dask a line that does not decode stops the run instead of being one reject).
    """
    _, distributed = _dask()
    plan = Plan(matcher, as_of=as_of, include_possible=include_possible)
    frames, text_cells = read_partitions(
        source, blocksize=blocksize, encoding=encoding,
        chunk_size=rows_per_chunk(chunk_size, len(plan.compiled.clause_ids)))
    with ExitStack() as stack:
        client = None
        if scheduler is not None:
            client = stack.enter_context(distributed.Client(scheduler))
        elif workers is not None:
            cluster = stack.enter_context(distributed.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"))
            client = stack.enter_context(distributed.Client(cluster))
        else:
            try:
                client = distributed.get_client()
            except ValueError:
                client = None
        lengths = [int(n) for n in frames.map_partitions(len).compute()]
        first_rows = np.concatenate([[1], np.cumsum(lengths)[:-1] + 1]).astype(int).tolist()
        shared: Any = plan if client is None else client.scatter(plan, broadcast=True)
        parts = frames.map_partitions(_run_partition, shared, first_rows, text_cells,
                                      meta=_meta()).to_delayed()
        if client is None:
            for part, n in zip(parts, lengths, strict=True):
                yield _split(part.compute(), n)
            return
        ahead = in_flight or 2 * max(1, len(client.scheduler_info().get("workers", {})))
        pending: deque[Any] = deque()
        for part, n in zip(parts, lengths, strict=True):
            pending.append((client.compute(part), n))
            if len(pending) >= ahead:
                future, size = pending.popleft()
                yield _split(future.result(), size)
        while pending:
            future, size = pending.popleft()
            yield _split(future.result(), size)
