"""Batch matching: many enterprises × one policy set → one long table.

The wing's public surface is this package; its modules are its own:
:mod:`~policymatch.batch.io` and :mod:`~policymatch.batch.lines` (reading chunks of enterprises,
writing tables whole or not at all), :mod:`~policymatch.batch.certify` (table cells → validated
values, column by column), :mod:`~policymatch.batch.columns` (enterprises as columns),
:mod:`~policymatch.batch.vectorized` (conditions and benefits compiled for columns, with the
meaning of :mod:`policymatch.rules` and :mod:`policymatch.benefits`), :mod:`~policymatch.batch.run`
(the plan of a run and its chunks) and :mod:`~policymatch.batch.distributed` (the same chunks on
Dask).
"""

from .distributed import match_dask
from .excel import ExcelSheet
from .lines import MAX_LINE_BYTES
from .run import (
    COLUMNS,
    BatchSummary,
    Chunk,
    ChunkResult,
    Plan,
    count_records,
    eligible_for,
    frame_chunk,
    iter_match_many,
    match_many,
    read_chunks,
    rejects_path,
    run_batch,
)
from .sql import SqlQuery, check_table_name, run_to_table, sqlite_file

__all__ = [
    "COLUMNS",
    "MAX_LINE_BYTES",
    "BatchSummary",
    "Chunk",
    "ChunkResult",
    "ExcelSheet",
    "Plan",
    "SqlQuery",
    "check_table_name",
    "count_records",
    "eligible_for",
    "frame_chunk",
    "iter_match_many",
    "match_dask",
    "match_many",
    "read_chunks",
    "rejects_path",
    "run_batch",
    "run_to_table",
    "sqlite_file",
]
