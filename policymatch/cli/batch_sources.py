"""Where ``policymatch batch`` reads and writes: a file, a sheet of a workbook, a database query or
table. Checks the combination of options before anything is read or written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import ProfileError

__all__ = ["batch_source", "batch_targets"]


def batch_source(args: Any) -> tuple[Any, list[str]]:
    """The input of a batch run (a path, an :class:`~policymatch.batch.excel.ExcelSheet` or a
    :class:`~policymatch.batch.sql.SqlQuery`) and the files it reads (which no output may replace)."""
    if args.query is not None:
        if args.input is not None:
            raise ProfileError(f"give the enterprises as INPUT ({args.input}) or as --query, not both")
        if not args.db:
            raise ProfileError("--query needs --db URL, the database to run it on "
                               "(e.g. sqlite:///county.db)")
        if args.sheet is not None or args.encoding is not None:
            raise ProfileError("--sheet and --encoding are for file inputs, not --query")
        from ..batch import SqlQuery, sqlite_file

        db_file = sqlite_file(args.db)
        source: Any = SqlQuery(args.db, args.query)
        inputs = [str(db_file)] if db_file is not None else []
    else:
        if args.input is None:
            raise ProfileError("name the enterprises: an INPUT file, or --db URL with --query SQL")
        inputs = [args.input]
        source = args.input
        if args.sheet is not None:
            if Path(args.input).suffix.lower() != ".xlsx":
                raise ProfileError(f"--sheet names a sheet of an .xlsx input, not of {args.input}")
            from ..batch import ExcelSheet

            source = ExcelSheet(args.input, args.sheet)
    dask = bool(args.workers or args.scheduler)
    if dask and not isinstance(source, str):
        raise ProfileError("--workers and --scheduler read .csv or .parquet files; match a sheet or "
                           "a query in one process (leave them out)")
    if dask and args.to_table:
        raise ProfileError("--to-table writes in one process; leave out --workers and --scheduler")
    return source, inputs


def batch_targets(args: Any) -> list[tuple[str, Any]]:
    """The outputs of a batch run, for the check that none replaces an input; refuses a
    missing or doubled output and a table the query reads."""
    from ..batch import rejects_path

    if args.to_table is None:
        if args.output is None:
            raise ProfileError("name the output: -o FILE, or --db URL with --to-table NAME")
        if args.if_exists != "fail":
            raise ProfileError("--if-exists is for --to-table; a file output is always replaced "
                               "whole")
        return [("-o", args.output), ("the rejects file", rejects_path(args.output))]
    if args.output is not None:
        raise ProfileError("write to -o FILE or to --to-table NAME, not both")
    if not args.db:
        raise ProfileError("--to-table needs --db URL, the database to write to")
    from ..batch import check_table_name, sqlite_file

    try:
        _schema, name = check_table_name(args.to_table)
    except ValueError as exc:
        raise ProfileError(str(exc)) from None
    if args.query is not None:
        for table in (name, f"{name}_rejects"):
            if re.search(rf"(?<![A-Za-z0-9_]){re.escape(table)}(?![A-Za-z0-9_])", args.query,
                         flags=re.IGNORECASE):
                raise ProfileError(f"--to-table {args.to_table}: the query reads {table}; writing "
                                   "it would replace the input: choose another table name")
    db_file = sqlite_file(args.db)  # a table beside the queried ones is fine; over a file is not
    return [("--db", db_file)] if db_file is not None and args.query is None else []
